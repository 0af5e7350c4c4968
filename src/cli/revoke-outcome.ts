/**
 * How `keywarden revoke` ends, whatever the provider: the plan printed (or one --json record), the
 * guards' verdict, and — only with --yes, REMEDIATION=on and one approval — the call carried out
 * through `carryOut` and confirmed. Exit 0: allowed (or executed and confirmed); 1: refused or failed.
 */
import { userInfo } from "node:os";
import type { RemediationSettings } from "../config.js";
import { carryOut } from "../decide/execute.js";
import { type GuardResult, approvalsNeeded, executionGuard } from "../decide/guards.js";
import { dryRunRequest } from "../decide/outcome.js";
import type { KeyActions } from "../decide/ports.js";
import type { RemediationAction } from "../model/remediation.js";
import type { RunFinding } from "../model/run.js";
import { printableLine } from "../report/text.js";
import { redact } from "../util/redact.js";
import { invokedAs } from "./invoked-as.js";
import type { CliIo } from "./io.js";

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;

/** The command line's options, read. */
export interface RevokeOptions {
  keyId: string;
  action: string | undefined;
  reenable: boolean;
  execute: boolean;
  acknowledgeInUse: boolean;
  json: boolean;
  policy: string | undefined;
}

/** What one invocation is: who asks, for which key, how, and where it prints. */
export interface RevokeInvocation {
  io: CliIo;
  keyId: string;
  requester: string;
  execute: boolean;
  json: boolean;
  remediation: RemediationSettings;
  secrets: readonly string[];
  /** The options to repeat in the "To execute" line, between the key id and --yes (e.g. ` --action delete_admin_key`). */
  rerun: string;
}

/** What `--json` prints: the request, the guards' verdict and the outcome, to be kept with the evidence. */
export interface RevokeRecord {
  command: "revoke";
  at: string;
  requested_by: string;
  key_id: string;
  policy?: string;
  execute: boolean;
  remediation: { mode: string; approvals: number };
  /** null for a Re-enable: it undoes a Disable, not a finding. */
  finding?: { fingerprint: string; rule_id: string; severity: string; sentence: string } | null;
  action?: Pick<RemediationAction, "kind" | "summary" | "request"> & { keys_affected: RemediationAction["keysAffected"] };
  guards: { ok: true; approvals_needed: number; in_use: string[] } | { ok: false; guard: string; message: string };
  outcome: { status: string; http_status: number | null; message: string; at?: string } | null;
}

/** What every --json record starts with, refused before the audit or not. */
export function recordHead(run: RevokeInvocation, at: Date): Pick<RevokeRecord, "command" | "at" | "requested_by" | "key_id" | "execute" | "remediation"> {
  return { command: "revoke", at: at.toISOString(), requested_by: run.requester, key_id: run.keyId, execute: run.execute, remediation: { mode: run.remediation.mode, approvals: approvalsNeeded(run.remediation) } };
}

export function printRecord(run: RevokeInvocation, record: object): void {
  run.io.stdout.write(`${redact(JSON.stringify(record, null, 2), run.secrets)}\n`);
}

/** Prints the plan and the verdict; with --yes and every guard passed, carries the action out through `keys` and prints the outcome. */
export async function concludeRevoke(
  run: RevokeInvocation,
  planned: { finding: RunFinding | null; action: RemediationAction; verdict: GuardResult; policyFile?: string; now: Date },
  keys: Pick<KeyActions, "call" | "listingAfter">,
): Promise<number> {
  const { io } = run;
  const { finding, action, verdict } = planned;
  const record: RevokeRecord = {
    ...recordHead(run, planned.now),
    ...(planned.policyFile !== undefined ? { policy: planned.policyFile } : {}),
    finding: finding ? { fingerprint: finding.fingerprint, rule_id: finding.rule_id, severity: finding.severity, sentence: finding.sentence } : null,
    action: { kind: action.kind, summary: action.summary, request: action.request, keys_affected: action.keysAffected },
    guards: verdict.ok ? { ok: true, approvals_needed: verdict.approvalsNeeded, in_use: verdict.inUse.map((k) => k.id) } : { ok: false, guard: verdict.guard, message: verdict.message },
    outcome: null,
  };
  const finish = (code: number, lines: string[]): number => {
    if (run.json) printRecord(run, record);
    else for (const line of lines) io.stdout.write(`${printableLine(line)}\n`);
    return code;
  };
  const plan = [
    ...(finding ? [`Finding: ${finding.rule_id} (${finding.severity}) on ${finding.key.name ? `"${finding.key.name}" ` : ""}${finding.key.id}`] : []),
    `Plan: ${action.summary}`,
    `Request: ${dryRunRequest(action).replace(/^would /, "")}`,
    `Keys affected (${action.keysAffected.length}):`,
    ...action.keysAffected.map(
      (key) => `  ${key.id}${key.name ? ` "${key.name}"` : ""} ${key.redacted_value}, ${key.last_used_unknown !== undefined ? `last use unknown (${key.last_used_unknown})` : `last used ${key.last_used_at ?? "never"}`}`,
    ),
  ];
  if (!verdict.ok) return finish(EXIT_REFUSED, [...plan, verdict.message, ...(verdict.guard === "in-use" ? ["Run it again with --acknowledge-in-use if that is what you want."] : [])]);
  if (!run.execute) {
    record.outcome = { status: "dry_run", http_status: null, message: `nothing was called (dry run: --yes not given); Keywarden ${dryRunRequest(action)}.` };
    return finish(EXIT_OK, [
      ...plan,
      `Allowed by every guard. Dry run: nothing was called. To execute: REMEDIATION=on REMEDIATION_APPROVALS=1 ${invokedAs(io.env)} revoke ${run.keyId}${run.rerun} --yes`,
      ...(run.remediation.mode !== "on" ? [`(REMEDIATION is ${run.remediation.mode} here: --yes would be refused.)`] : []),
    ]);
  }
  if (!verdict.ready) {
    const message = `Refused: REMEDIATION_APPROVALS is ${verdict.approvalsNeeded}, and the command line has no second approver. Request it from Slack, or set REMEDIATION_APPROVALS=1 explicitly.`;
    record.guards = { ok: false, guard: "approvals", message };
    return finish(EXIT_REFUSED, [...plan, message]);
  }
  const outcome = await carryOut(action, run.remediation, { keys, secrets: run.secrets });
  record.outcome = { status: outcome.status, http_status: outcome.httpStatus, message: outcome.message, at: new Date().toISOString() };
  return finish(outcome.status === "done" || outcome.status === "already_gone" ? EXIT_OK : EXIT_REFUSED, [...plan, `${outcome.status}: ${outcome.message}`]);
}

/** `--yes` is refused before any request unless REMEDIATION=on; null when it may go on. */
export function refuseExecutionUnlessOn(run: RevokeInvocation, fail: (message: string, code?: number) => number): number | null {
  if (!run.execute) return null;
  const how = executionGuard(run.remediation);
  if (how.ok && how.call) return null;
  const message = `--yes is refused: REMEDIATION is ${run.remediation.mode} here, and Keywarden changes an organization only with REMEDIATION=on (and, from the command line, REMEDIATION_APPROVALS=1). Nothing was called; without --yes it prints the plan.`;
  // The record is asked for most when something was refused: it says so too, before any audit.
  if (run.json) printRecord(run, { ...recordHead(run, new Date()), guards: { ok: false, guard: "mode", message }, outcome: null });
  return fail(message);
}

/** Who asks, as the --json record and the guards name them: `cli:<login name>`. */
export function cliRequester(): string {
  try {
    return `cli:${userInfo().username || "unknown"}`;
  } catch {
    return "cli:unknown";
  }
}
