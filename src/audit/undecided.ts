import type { InventoryError, KeyRecord } from "../model/inventory.js";
import type { Evaluation, Finding, Policy } from "../policy/index.js";
import type { DerivedLastUseFields } from "../providers/anthropic/account-work.js";

/**
 * Keys a rule could not judge (issue 19): an `unused` rule over a key whose last use is derived from
 * usage reports (Anthropic) that could not be read, or do not reach back the rule's days. Such a key
 * is neither a finding nor fine: the run is incomplete, naming the rule, the account and why.
 */
export interface UndecidedKey {
  rule_id: string;
  key_id: string;
  account: string;
  reason: string;
}

const MS_PER_DAY = 86_400_000;
const SHOWN_KEYS = 5;

/** What the evaluation could not decide (the judge's `undecided`, when its evaluator gives one). */
export function undecidedOf(evaluation: Evaluation): UndecidedKey[] {
  const { undecided }: { findings: unknown; undecided?: readonly UndecidedKey[] } = evaluation;
  return [...(undecided ?? [])];
}

/**
 * `unused` findings on a key whose derived last use cannot support them, as undecided keys instead:
 * last use unknown, never read, or no use seen in a usage window shorter than the rule's days. The
 * judge's `unused` rule (issue 19) gives no such findings; this keeps an evaluator that predates it
 * from reporting a guess as "unused".
 */
export function withoutGuessedUnused(findings: readonly Finding[], policy: Policy, now: Date): { findings: Finding[]; undecided: UndecidedKey[] } {
  const days = new Map(policy.rules.flatMap((rule) => (rule.kind === "unused" ? [[rule.id, rule.days] as const] : [])));
  const kept: Finding[] = [];
  const undecided: UndecidedKey[] = [];
  for (const finding of findings) {
    const limit = days.get(finding.rule_id);
    const reason = limit === undefined ? null : guessed(finding.key, limit, now);
    if (reason === null) kept.push(finding);
    else undecided.push({ rule_id: finding.rule_id, key_id: finding.key.id, account: finding.key.account ?? finding.key.provider ?? "openai", reason });
  }
  return { findings: kept, undecided };
}

function guessed(key: KeyRecord & Partial<DerivedLastUseFields>, days: number, now: Date): string | null {
  if (key.last_used_at !== null) return null;
  if (key.last_used_unknown !== undefined) return `last use unknown: ${key.last_used_unknown}`;
  const since = key.last_used_known_since;
  if (since === undefined) {
    return key.provider === "anthropic" ? "last use unknown: anthropic does not list when a key was last used, and it was not read from its usage reports" : null;
  }
  const covered = Math.floor((now.getTime() - Date.parse(since)) / MS_PER_DAY);
  if (covered >= days) return null;
  return `no use since ${since.slice(0, 10)}, the earliest usage readable (${covered} days, fewer than the rule's ${days}): an older use cannot be ruled out`;
}

/**
 * The undecided keys as errors of the run, one per account, rule and reason (the keys named, the
 * first few): an account whose usage could not be read already has that error, which says it all.
 */
export function undecidedErrors(undecided: readonly UndecidedKey[], errors: readonly InventoryError[]): InventoryError[] {
  const explained = new Set(errors.filter((e) => e.scope.list === "usage" && e.account !== undefined).map((e) => e.account as string));
  const groups = new Map<string, UndecidedKey[]>();
  for (const key of undecided) {
    if (explained.has(key.account)) continue;
    const group = `${key.account}\u0000${key.rule_id}\u0000${key.reason}`;
    groups.set(group, [...(groups.get(group) ?? []), key]);
  }
  return [...groups.values()].map((keys) => {
    const { account, rule_id, reason } = keys[0] as UndecidedKey;
    const ids = keys.slice(0, SHOWN_KEYS).map((k) => k.key_id).join(", ");
    const more = keys.length > SHOWN_KEYS ? ` and ${keys.length - SHOWN_KEYS} more` : "";
    const message = `rule ${rule_id} could not judge ${keys.length} ${keys.length === 1 ? "key" : "keys"} (${ids}${more}): ${reason}`;
    return { scope: { list: "usage" }, kind: "undecided", account, message };
  });
}
