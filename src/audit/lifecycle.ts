import { type AccountSettings, accountOf } from "../config.js";
import { keyProvider } from "../model/key-facts.js";
import { type OpenFindingState, applyLifecycle } from "../model/lifecycle.js";
import type { AuditRun } from "../model/run.js";
import type { RunHistory } from "../store/run-history.js";

type ConfiguredAccount = Pick<AccountSettings, "name" | "provider">;

/**
 * The lifecycle of a run's findings across runs, account by account (issue 19): a finding still open
 * from earlier runs and not seen now is resolved only when its account is one this run read in full:
 * configured now and named by none of its errors. A finding of an account no longer configured (or
 * renamed) stays open: nothing read it. A run with an error that names no account resolves nothing,
 * as before accounts existed.
 */
export function applyAccountLifecycle(run: AuditRun, open: ReadonlyMap<string, OpenFindingState>, accountOf: ReadonlyMap<string, string>, configured: readonly ConfiguredAccount[]): AuditRun {
  const readInFull = accountsReadInFull(run, configured);
  if (readInFull === null) return applyLifecycle(run, open);
  const whole = applyLifecycle({ ...run, status: "complete" }, open);
  const lifecycle = whole.lifecycle;
  if (!lifecycle) return applyLifecycle(run, open);
  // An open finding whose account is not known is of no account read in full.
  const resolved = lifecycle.resolved_findings.filter((finding) => {
    const account = accountOf.get(finding.fingerprint);
    return account !== undefined && readInFull.has(account);
  });
  return { ...whole, status: run.status, lifecycle: { ...lifecycle, resolved: resolved.length, resolved_findings: resolved } };
}

/** The accounts this run read in full; null when it resolves nothing whatever the account (failed, or an error of no account). */
function accountsReadInFull(run: AuditRun, configured: readonly ConfiguredAccount[]): Set<string> | null {
  if (run.status === "failed" || run.errors.some((e) => e.account === undefined)) return null;
  const unread = new Set(run.errors.map((e) => e.account));
  return new Set(configured.map((account) => account.name).filter((name) => !unread.has(name)));
}

/**
 * The account of each open finding the run may resolve (open, not seen now), read from the run that
 * last saw it. A finding that names no account (one account's records name none, and records made
 * before accounts existed) is of its provider's one configured account; with several, of none.
 */
export async function accountsOfOpenFindings(history: Pick<RunHistory, "get">, run: AuditRun, open: ReadonlyMap<string, OpenFindingState>, configured: readonly ConfiguredAccount[]): Promise<Map<string, string>> {
  const accounts = new Map<string, string>();
  if (accountsReadInFull(run, configured) === null) return accounts;
  const seen = new Set(run.findings.map((f) => f.fingerprint));
  const candidates = [...open.values()].filter((state) => !seen.has(state.fingerprint));
  for (const runId of new Set(candidates.map((state) => state.last_seen_run))) {
    const earlier = await history.get(runId);
    for (const finding of earlier?.findings ?? []) {
      const account = accountOf(configured, keyProvider(finding.key), finding.key.account)?.name;
      if (account !== undefined) accounts.set(finding.fingerprint, account);
    }
  }
  return accounts;
}
