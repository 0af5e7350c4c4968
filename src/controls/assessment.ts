/**
 * The control assessment of a run: for every control of the catalogue, which rules test it, how
 * many keys they checked, what they found and what was exempted, and whether it passes — over every
 * account, and account by account when the run has several (issue 19). Pure: a run computes it
 * once, where the policy and the inventory are both known (`concludeRun`).
 */
import type { RunStatus } from "../model/run.js";
import type { KeyRecord } from "../model/inventory.js";
import { isActiveKey, keyAccount, keyProvider } from "../model/key-facts.js";
import { compileReach } from "../policy/reach.js";
import type { Rule } from "../policy/schema.js";
import { type Scope, compileScope } from "../policy/scope.js";
import { FRAMEWORKS, compareText } from "./catalogue.js";
import type { RuleControls } from "./policy-controls.js";
import type { ControlStatus, RunControl, RunControlAccount } from "../model/controls.js";

export interface AssessedRule {
  id: string;
  /** A policy rule's kind: with it, the keys it reaches are the evaluator's (policy/reach.ts); without, the active keys of its scope. */
  kind?: string | undefined;
  scope?: Scope | undefined;
  controls?: RuleControls | undefined;
}

export interface AssessmentInput {
  status: RunStatus;
  /** The policy's rules, in policy order. */
  rules: readonly AssessedRule[];
  /** Every key the inventory saw (what the evaluator checked). */
  keys: readonly KeyRecord[];
  /** The run's findings: those no exemption covered. */
  findings: readonly { rule_id: string; key?: Pick<KeyRecord, "provider" | "account"> | undefined }[];
  /** The exemptions the run applied (each suppressed one finding); absent source: the policy's. */
  exemptions: readonly { rule_id: string; key_id?: string | undefined; source?: "policy" | "slack" | undefined }[];
  /**
   * The run's inventory errors, for the status account by account: one naming an account leaves that
   * account incomplete, one naming none every account. Absent: an incomplete run leaves every account incomplete.
   */
  errors?: readonly { account?: string | undefined }[] | undefined;
}

type Provider = RunControlAccount["provider"];

/** What one set of keys, findings and exemptions gives for each control, in catalogue order. */
interface Tally {
  status: RunStatus;
  keys: readonly KeyRecord[];
  findings: readonly { rule_id: string }[];
  exemptions: readonly { rule_id: string; source?: "policy" | "slack" | undefined }[];
}

type ControlFigures = Pick<RunControl, "keys_tested" | "findings" | "exempted" | "accepted" | "status">;

/** Every control of the catalogue, in catalogue order, tested or not. */
export function assessControls(input: AssessmentInput): RunControl[] {
  const mapped = FRAMEWORKS.flatMap((framework) =>
    framework.controls.map((control) => ({
      framework: framework.id,
      control,
      rules: input.rules.filter((rule) => rule.controls?.[framework.id]?.includes(control.id)),
    })),
  );
  const overall = tally(input, mapped.map((m) => m.rules));
  const accounts = accountTallies(input);
  const perAccount = accounts.length > 1 ? accounts.map((a) => ({ ...a, figures: tally(a.tally, mapped.map((m) => m.rules)) })) : null;
  return mapped.map(({ framework, control, rules }, i): RunControl => ({
    framework,
    control_id: control.id,
    title: control.title,
    rules: rules.map((rule) => rule.id),
    ...(overall[i] as ControlFigures),
    ...(perAccount ? { accounts: perAccount.map((a) => ({ account: a.account, provider: a.provider, ...(a.figures[i] as ControlFigures) })) } : {}),
  }));
}

function tally(input: Tally, controls: readonly (readonly AssessedRule[])[]): ControlFigures[] {
  const findings = countByRule(input.findings);
  const exempted = countByRule(input.exemptions.filter((x) => (x.source ?? "policy") === "policy"));
  const accepted = countByRule(input.exemptions.filter((x) => x.source === "slack"));
  const keysInScope = scopedKeys(input.keys);
  return controls.map((rules) => {
    const sum = (counts: Map<string, number>) => rules.reduce((n, rule) => n + (counts.get(rule.id) ?? 0), 0);
    const found = sum(findings);
    return {
      keys_tested: input.status === "failed" ? 0 : keysInScope(rules),
      findings: found,
      exempted: sum(exempted),
      accepted: sum(accepted),
      status: statusOf(input.status, rules.length, found),
    };
  });
}

export function statusOf(run: RunStatus, mappedRules: number, findings: number): ControlStatus {
  if (run === "failed" || mappedRules === 0) return "not_tested";
  if (findings > 0) return "fail";
  return run === "incomplete" ? "incomplete" : "pass";
}

/** A key recorded before issue 19 names no account: it is of the one account, `openai`. */
function accountOf(key: Pick<KeyRecord, "provider" | "account"> | undefined): string {
  return key ? keyAccount(key) : "openai";
}

/**
 * The run split by account (by name): the accounts its keys, findings and errors name. An exemption
 * counts for the account of its key; one whose key the inventory does not hold, or holds in two
 * accounts, counts only over every account.
 */
function accountTallies(input: AssessmentInput): { account: string; provider: Provider; tally: Tally }[] {
  const providers = new Map<string, Provider>();
  const keyAccounts = new Map<string, string | null>();
  for (const key of input.keys) {
    const account = accountOf(key);
    if (!providers.get(account)) providers.set(account, keyProvider(key));
    const known = keyAccounts.get(key.id);
    keyAccounts.set(key.id, known === undefined || known === account ? account : null);
  }
  for (const finding of input.findings) if (!providers.has(accountOf(finding.key))) providers.set(accountOf(finding.key), null);
  for (const error of input.errors ?? []) if (error.account !== undefined && !providers.has(error.account)) providers.set(error.account, null);
  if (providers.size < 2) return [];
  return [...providers.keys()].sort(compareText).map((account) => ({
    account,
    provider: providers.get(account) ?? null,
    tally: {
      status: accountStatus(input, account),
      keys: input.keys.filter((key) => accountOf(key) === account),
      findings: input.findings.filter((f) => accountOf(f.key) === account),
      exemptions: input.exemptions.filter((x) => x.key_id !== undefined && keyAccounts.get(x.key_id) === account),
    },
  }));
}

function accountStatus(input: AssessmentInput, account: string): RunStatus {
  if (input.status === "failed" || input.errors === undefined) return input.status;
  return input.errors.some((e) => e.account === undefined || e.account === account) ? "incomplete" : "complete";
}

function countByRule(items: readonly { rule_id: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.rule_id, (counts.get(item.rule_id) ?? 0) + 1);
  return counts;
}

/** The keys a rule checks, as the evaluator reaches them: active keys of its scope (every status for a rule that asks). */
function reachOf(rule: AssessedRule): (key: KeyRecord) => boolean {
  if (rule.kind !== undefined) return compileReach(rule as Rule);
  const inScope = compileScope(rule.scope);
  return (key) => isActiveKey(key) && inScope(key);
}

/** How many distinct keys at least one of the rules checks; each rule's reach is matched once per key. */
function scopedKeys(keys: readonly KeyRecord[]): (rules: readonly AssessedRule[]) => number {
  const inScope = new Map<AssessedRule, boolean[]>();
  const matches = (rule: AssessedRule) => {
    let flags = inScope.get(rule);
    if (!flags) {
      const predicate = reachOf(rule);
      flags = keys.map(predicate);
      inScope.set(rule, flags);
    }
    return flags;
  };
  const allActive = keys.every(isActiveKey);
  return (rules) => {
    if (rules.length === 0) return 0;
    // Every key of a run whose keys are all active (every OpenAI run) is checked by a rule without scope.
    if (allActive && rules.some((rule) => rule.scope === undefined)) return keys.length;
    const flags = rules.map(matches);
    let n = 0;
    for (let i = 0; i < keys.length; i++) if (flags.some((f) => f[i])) n++;
    return n;
  };
}
