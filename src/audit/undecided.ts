import type { InventoryError } from "../model/inventory.js";
import type { UndecidedKey } from "../policy/index.js";

/**
 * Keys a rule could not judge (the evaluation's `undecided`): an `unused` rule over a key whose last
 * use is derived from usage reports (Anthropic) that could not be read, or do not reach back the
 * rule's days. Such a key is neither a finding nor fine: the run is incomplete, naming the rule, the
 * account and why, as an error of the run (scope `usage`, kind `undecided`).
 */

const SHOWN_KEYS = 5;

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
