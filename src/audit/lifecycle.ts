import { type OpenFindingState, applyLifecycle } from "../model/lifecycle.js";
import type { AuditRun } from "../model/run.js";
import type { RunHistory } from "../store/run-history.js";

/**
 * The lifecycle of a run's findings across runs, account by account (issue 19): a finding still open
 * from earlier runs and not seen now is resolved only when its account was read in full. A run
 * incomplete because one account failed still resolves the findings of the others; one with an error
 * that names no account resolves nothing, as before accounts existed.
 */
export function applyAccountLifecycle(run: AuditRun, open: ReadonlyMap<string, OpenFindingState>, accountOf: ReadonlyMap<string, string>): AuditRun {
  const unread = unreadAccounts(run);
  if (unread === null) return applyLifecycle(run, open);
  const whole = applyLifecycle({ ...run, status: "complete" }, open);
  const lifecycle = whole.lifecycle;
  if (!lifecycle) return applyLifecycle(run, open);
  // An open finding whose account is not known is of no account read in full.
  const resolved = lifecycle.resolved_findings.filter((finding) => {
    const account = accountOf.get(finding.fingerprint);
    return account !== undefined && !unread.has(account);
  });
  return { ...whole, status: run.status, lifecycle: { ...lifecycle, resolved: resolved.length, resolved_findings: resolved } };
}

/** The accounts an incomplete run did not read in full; null when it resolves as a whole (complete, failed, or an error of no account). */
function unreadAccounts(run: AuditRun): Set<string> | null {
  if (run.status !== "incomplete" || run.errors.some((e) => e.account === undefined)) return null;
  return new Set(run.errors.map((e) => e.account as string));
}

/**
 * The account of each open finding the run may resolve (open, not seen now), read from the run that
 * last saw it; nothing to read when the run resolves as a whole. A finding recorded before accounts
 * existed is of the account `openai`.
 */
export async function accountsOfOpenFindings(history: Pick<RunHistory, "get">, run: AuditRun, open: ReadonlyMap<string, OpenFindingState>): Promise<Map<string, string>> {
  const accounts = new Map<string, string>();
  if (unreadAccounts(run) === null) return accounts;
  const seen = new Set(run.findings.map((f) => f.fingerprint));
  const candidates = [...open.values()].filter((state) => !seen.has(state.fingerprint));
  for (const runId of new Set(candidates.map((state) => state.last_seen_run))) {
    const earlier = await history.get(runId);
    for (const finding of earlier?.findings ?? []) accounts.set(finding.fingerprint, finding.key.account ?? "openai");
  }
  return accounts;
}
