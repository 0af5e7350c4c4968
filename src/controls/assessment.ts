/**
 * The control assessment of a run: for every control of the catalogue, which rules test it, how
 * many keys they checked, what they found and what was exempted, and whether it passes. Pure: a
 * run computes it once, where the policy and the inventory are both known (`concludeRun`).
 */
import type { RunStatus } from "../model/run.js";
import type { KeyRecord } from "../model/inventory.js";
import { type Scope, compileScope } from "../policy/scope.js";
import { FRAMEWORKS } from "./catalogue.js";
import type { RuleControls } from "./policy-controls.js";
import type { ControlStatus, RunControl } from "../model/controls.js";

export interface AssessedRule {
  id: string;
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
  findings: readonly { rule_id: string }[];
  /** The exemptions the run applied (each suppressed one finding); absent source: the policy's. */
  exemptions: readonly { rule_id: string; source?: "policy" | "slack" | undefined }[];
}

/** Every control of the catalogue, in catalogue order, tested or not. */
export function assessControls(input: AssessmentInput): RunControl[] {
  const findings = countByRule(input.findings);
  const exempted = countByRule(input.exemptions.filter((x) => (x.source ?? "policy") === "policy"));
  const accepted = countByRule(input.exemptions.filter((x) => x.source === "slack"));
  const keysInScope = scopedKeys(input.keys);
  return FRAMEWORKS.flatMap((framework) =>
    framework.controls.map((control): RunControl => {
      const rules = input.rules.filter((rule) => rule.controls?.[framework.id]?.includes(control.id));
      const sum = (counts: Map<string, number>) => rules.reduce((n, rule) => n + (counts.get(rule.id) ?? 0), 0);
      const found = sum(findings);
      return {
        framework: framework.id,
        control_id: control.id,
        title: control.title,
        rules: rules.map((rule) => rule.id),
        keys_tested: input.status === "failed" ? 0 : keysInScope(rules),
        findings: found,
        exempted: sum(exempted),
        accepted: sum(accepted),
        status: statusOf(input.status, rules.length, found),
      };
    }),
  );
}

export function statusOf(run: RunStatus, mappedRules: number, findings: number): ControlStatus {
  if (run === "failed" || mappedRules === 0) return "not_tested";
  if (findings > 0) return "fail";
  return run === "incomplete" ? "incomplete" : "pass";
}

function countByRule(items: readonly { rule_id: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.rule_id, (counts.get(item.rule_id) ?? 0) + 1);
  return counts;
}

/** How many distinct keys fall in the scope of at least one of the rules; each rule's scope is matched once per key. */
function scopedKeys(keys: readonly KeyRecord[]): (rules: readonly AssessedRule[]) => number {
  const inScope = new Map<AssessedRule, boolean[]>();
  const matches = (rule: AssessedRule) => {
    let flags = inScope.get(rule);
    if (!flags) {
      const predicate = compileScope(rule.scope);
      flags = keys.map(predicate);
      inScope.set(rule, flags);
    }
    return flags;
  };
  return (rules) => {
    if (rules.length === 0) return 0;
    if (rules.some((rule) => rule.scope === undefined)) return keys.length;
    const flags = rules.map(matches);
    let n = 0;
    for (let i = 0; i < keys.length; i++) if (flags.some((f) => f[i])) n++;
    return n;
  };
}
