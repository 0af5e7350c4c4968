import type { KeyKind } from "../model/inventory.js";
import { type OpenFindingState, applyLifecycle } from "../model/lifecycle.js";
import type { AuditRun, ResolvedFinding } from "../model/run.js";
import { findingFingerprint } from "../policy/index.js";

/**
 * The lifecycle of a run's findings across runs, account by account (issue 19): a finding still open
 * from earlier runs and not seen now is resolved only when its account was read in full. A run
 * incomplete because one account failed still resolves the findings of the others; one whose error
 * names no account resolves nothing (as before accounts existed). The account of an open finding is
 * told by its fingerprint, which carries it (the default account `openai` keeps the fingerprints it
 * had before accounts existed).
 */
export function applyAccountLifecycle(run: AuditRun, open: ReadonlyMap<string, OpenFindingState>): AuditRun {
  if (run.status !== "incomplete" || run.errors.some((e) => e.account === undefined)) return applyLifecycle(run, open);
  const unread = [...new Set(run.errors.map((e) => e.account as string))];
  const whole = applyLifecycle({ ...run, status: "complete" }, open);
  const lifecycle = whole.lifecycle;
  if (!lifecycle) return applyLifecycle(run, open);
  const resolved = lifecycle.resolved_findings.filter((finding) => !unread.some((account) => ofAccount(finding, account)));
  return { ...whole, status: run.status, lifecycle: { ...lifecycle, resolved: resolved.length, resolved_findings: resolved } };
}

/** The fingerprint of a rule and key in an account (an evaluator that predates accounts ignores the account: every finding is then of every account). */
const fingerprintIn: (ruleId: string, kind: KeyKind, keyId: string, account: string) => string = findingFingerprint;

function ofAccount(finding: ResolvedFinding, account: string): boolean {
  return (["admin", "project"] as const).some((kind) => fingerprintIn(finding.rule_id, kind, finding.key_id, account) === finding.fingerprint);
}
