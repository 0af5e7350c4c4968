import type { AuditRun, ResolvedFinding, RunFinding } from "./run.js";

/** A finding that was open after the previous runs of the same policy. */
export interface OpenFindingState {
  fingerprint: string;
  last_seen_run: string;
  summary: Omit<ResolvedFinding, "last_seen_run">;
}

export function resolvedSummary(finding: RunFinding): Omit<ResolvedFinding, "last_seen_run"> {
  return {
    fingerprint: finding.fingerprint,
    rule_id: finding.rule_id,
    severity: finding.severity,
    key_id: finding.key.id,
    key_name: finding.key.name,
    project: finding.project,
  };
}

/**
 * Resolved findings whose key a remediation removed (or, for a demotion, changed) say so, with the
 * request's id: "resolved by remediation", not just gone. `resolvedBy`: fingerprint → the request.
 */
export function markResolvedByRemediation(run: AuditRun, resolvedBy: ReadonlyMap<string, { id: string; executed_at: string | null }>): AuditRun {
  if (!run.lifecycle || resolvedBy.size === 0) return run;
  const resolved_findings = run.lifecycle.resolved_findings.map((r) => {
    const request = resolvedBy.get(r.fingerprint);
    return request ? { ...r, resolved_by_remediation: { id: request.id, executed_at: request.executed_at } } : r;
  });
  return { ...run, lifecycle: { ...run.lifecycle, resolved_findings } };
}

/**
 * Compares a run with the findings still open from earlier runs (by fingerprint):
 * a finding is `open` when it was already open, `new` otherwise (first seen, or
 * seen again after it was resolved). Only a complete run can resolve: one that
 * did not see everything cannot tell a fixed key from an unseen one.
 */
export function applyLifecycle(run: AuditRun, open: ReadonlyMap<string, OpenFindingState>): AuditRun {
  if (run.status === "failed") return run;
  const findings = run.findings.map((f) => ({ ...f, lifecycle: open.has(f.fingerprint) ? ("open" as const) : ("new" as const) }));
  const seen = new Set(findings.map((f) => f.fingerprint));
  const resolved: ResolvedFinding[] =
    run.status === "complete"
      ? [...open.values()].filter((s) => !seen.has(s.fingerprint)).map((s) => ({ ...s.summary, last_seen_run: s.last_seen_run }))
      : [];
  const opened = findings.filter((f) => f.lifecycle === "open").length;
  return {
    ...run,
    findings,
    lifecycle: { new: findings.length - opened, open: opened, resolved: resolved.length, resolved_findings: resolved },
  };
}
