import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { checkPolicy, runAuditWithInventory } from "../audit/run.js";
import type { RunFinding } from "../model/run.js";
import { ConfigError, readConfig } from "../config.js";
import { AdminApi } from "../providers/openai/admin-api.js";
import { openaiKeyActions } from "../providers/openai/actions.js";
import { DEFAULT_RETRY_POLICY, realSleep } from "../util/retry.js";
import type { RemediationAction } from "../model/remediation.js";
import { isActionKind } from "../decide/actions.js";
import { allowedActions, whyNoAllowedActions } from "../decide/allowed.js";
import { carryOut } from "../decide/execute.js";
import { approvalsNeeded, checkRequest, executionGuard } from "../decide/guards.js";
import { dryRunRequest } from "../decide/outcome.js";
import { redact } from "../util/redact.js";
import { printableLine } from "../report/text.js";
import { readPolicySource } from "./audit-command.js";
import { invokedAs } from "./invoked-as.js";
import { type CliIo, processIo } from "./io.js";

export const REVOKE_USAGE = `usage: keywarden revoke <key id> [--action KIND] [--dry-run | --yes] [--acknowledge-in-use] [--policy FILE] [--json]

  For people without Slack: audits the organization of OPENAI_ADMIN_KEY, takes the first finding on
  the key whose rule the policy's remediation.allowed_rules allow, and prints what revoking it means —
  the exact Admin API request, every key that goes with it (a service account's key goes only with its
  account) — and whether the guards allow it.
  --action KIND          demote_service_account, delete_project_key, delete_admin_key or
                         delete_service_account (default: the least destructive that fits)
  --dry-run              print the plan only (the default without --yes, whatever REMEDIATION says)
  --yes                  execute it; only with REMEDIATION=on and REMEDIATION_APPROVALS=1 in
                         the environment (the command line has no second approver: use Slack for two);
                         under REMEDIATION=off or dry-run it is refused (exit 2) and nothing is called
  --acknowledge-in-use   needed when a key of the plan was used in the last 24 hours
  --policy FILE          the policy whose findings and remediation: section apply
  --json                 print one JSON record instead: who, when, the finding, the request, every key
                         affected, the guards' verdict and the outcome (keep it with the evidence)
  What the command line revokes is not recorded in the Worker's D1 or evidence, nor counted against
  REMEDIATION_MAX_PER_DAY: one key per invocation. Keywarden never deletes the admin key it runs
  with. Exit 0: allowed (or executed and confirmed);
  1: refused, or the call failed; 2: wrong command line, --yes without REMEDIATION=on, or the audit
  did not see everything.
`;

const EXIT_OK = 0;
const EXIT_REFUSED = 1;
const EXIT_USAGE = 2;

export async function revokeCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const say = (line: string) => io.stdout.write(`${printableLine(line)}\n`);
  const fail = (message: string, code = EXIT_USAGE): number => {
    io.stderr.write(`keywarden revoke: ${printableLine(message)}\n`);
    return code;
  };
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        action: { type: "string" },
        "dry-run": { type: "boolean", default: false },
        yes: { type: "boolean", default: false },
        "acknowledge-in-use": { type: "boolean", default: false },
        json: { type: "boolean", default: false },
        policy: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return fail(`${(error as Error).message} (keywarden revoke --help lists the options)`);
  }
  if (args.values.help) {
    io.stdout.write(REVOKE_USAGE);
    return EXIT_OK;
  }
  const [keyId, ...extra] = args.positionals;
  if (!keyId || extra.length > 0) return fail("give exactly one key id, e.g. keywarden revoke key_abc --dry-run");
  if (args.values["dry-run"] && args.values.yes) return fail("--dry-run and --yes contradict each other: choose one");
  const wanted = args.values.action;
  if (wanted !== undefined && !isActionKind(wanted)) return fail(`--action must be demote_service_account, delete_project_key, delete_admin_key or delete_service_account (got "${wanted}")`);
  if (!io.env.OPENAI_ADMIN_KEY) return fail("OPENAI_ADMIN_KEY is not set: export the Admin API key Keywarden runs with");

  let config;
  try {
    config = readConfig({
      OPENAI_ADMIN_KEY: io.env.OPENAI_ADMIN_KEY,
      OPENAI_BASE_URL: io.env.OPENAI_BASE_URL,
      POLICY: io.env.POLICY,
      REMEDIATION: io.env.REMEDIATION,
      REMEDIATION_APPROVALS: io.env.REMEDIATION_APPROVALS,
      REMEDIATION_MAX_PER_DAY: io.env.REMEDIATION_MAX_PER_DAY,
    }, "cli");
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  const requester = `cli:${safeUserName()}`;
  const execute = args.values.yes;
  // What every --json record starts with, refused before the audit or not.
  const recordHead = (at: Date) => ({
    command: "revoke" as const,
    at: at.toISOString(),
    requested_by: requester,
    key_id: keyId,
    execute,
    remediation: { mode: config.remediation.mode, approvals: approvalsNeeded(config.remediation) },
  });
  const printRecord = (record: object) => io.stdout.write(`${redact(JSON.stringify(record, null, 2), config.secrets)}\n`);
  if (execute) {
    const how = executionGuard(config.remediation);
    if (!how.ok || !how.call) {
      const message = `--yes is refused: REMEDIATION is ${config.remediation.mode} here, and Keywarden changes an organization only with REMEDIATION=on (and, from the command line, REMEDIATION_APPROVALS=1). Nothing was called; without --yes it prints the plan.`;
      // The record is asked for most when something was refused: it says so too, before any audit.
      if (args.values.json) printRecord({ ...recordHead(new Date()), guards: { ok: false, guard: "mode", message }, outcome: null });
      return fail(message);
    }
  }
  let source;
  try {
    source = readPolicySource(args.values.policy, config.policy);
  } catch (error) {
    return fail((error as Error).message);
  }
  const checkedPolicy = checkPolicy(source);
  if (!checkedPolicy.ok) return fail(`policy ${source.file} is invalid: ${checkedPolicy.details.join("; ")}`);

  const { run, inventory } = await runAuditWithInventory({ config: { adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl }, policy: source, trigger: "cli" });
  if (run.status !== "complete" || !inventory) {
    return fail(`the audit is ${run.status}: Keywarden plans a revoke only from an inventory that saw everything (keywarden audit says what was not seen)`);
  }
  if (!inventory.keys.some((k) => k.id === keyId)) {
    const byValue = inventory.keys.filter((k) => k.redacted_value === keyId);
    const [only] = byValue;
    if (only && byValue.length === 1) return fail(`${keyId} is the redacted value of key ${only.id}: give its id: ${invokedAs(io.env)} revoke ${only.id}`);
    if (byValue.length > 1) return fail(`${keyId} is the redacted value of ${byValue.length} keys (${byValue.map((k) => k.id).join(", ")}): give the id of the one you mean`);
    return fail(`the organization has no key ${keyId}: give a key's id (key_…), as ${invokedAs(io.env)} audit shows it with each finding`, EXIT_REFUSED);
  }
  const findings = run.findings.filter((f) => f.key.id === keyId);
  if (findings.length === 0) return fail(`no finding of policy ${source.file} is on key ${keyId}: Keywarden revokes only keys a rule flags`, EXIT_REFUSED);

  const policy = checkedPolicy.policy.remediation;
  const candidates: { finding: RunFinding; action: RemediationAction }[] = findings.flatMap((finding) =>
    allowedActions(finding, inventory.keys, policy)
      .filter((action) => wanted === undefined || action.kind === wanted)
      .map((action) => ({ finding, action })),
  );
  const chosen = candidates[0];
  if (!chosen) {
    const why = findings.map((f) => `${f.rule_id}: ${whyNoAllowedActions(f, inventory.keys, policy)}`).join("; ");
    return fail(`no action${wanted ? ` ${wanted}` : ""} the policy allows fits the findings on key ${keyId} (${why})`, EXIT_REFUSED);
  }
  const { finding, action } = chosen;

  const now = new Date();
  // Without --yes the plan is checked as in dry-run mode: it calls nothing, whatever REMEDIATION says.
  const settings = execute ? config.remediation : { ...config.remediation, mode: "dry-run" as const };
  const verdict = checkRequest(
    { finding, action, requestedBy: requester, acknowledgedInUse: args.values["acknowledge-in-use"] },
    { settings, allowedUsers: [requester], policy, ownAdminKey: config.openaiAdminKey, inventoryKeys: inventory.keys, executedToday: 0, now },
  );
  const record: RevokeRecord = {
    ...recordHead(now),
    policy: source.file,
    finding: { fingerprint: finding.fingerprint, rule_id: finding.rule_id, severity: finding.severity, sentence: finding.sentence },
    action: { kind: action.kind, summary: action.summary, request: action.request, keys_affected: action.keysAffected },
    guards: verdict.ok ? { ok: true, approvals_needed: verdict.approvalsNeeded, in_use: verdict.inUse.map((k) => k.id) } : { ok: false, guard: verdict.guard, message: verdict.message },
    outcome: null,
  };
  const finish = (code: number, lines: string[]): number => {
    if (args.values.json) printRecord(record);
    else for (const line of lines) say(line);
    return code;
  };
  const plan = [
    `Finding: ${finding.rule_id} (${finding.severity}) on ${finding.key.name ? `"${finding.key.name}" ` : ""}${finding.key.id}`,
    `Plan: ${action.summary}`,
    `Request: ${dryRunRequest(action).replace(/^would /, "")}`,
    `Keys affected (${action.keysAffected.length}):`,
    ...action.keysAffected.map((key) => `  ${key.id}${key.name ? ` "${key.name}"` : ""} ${key.redacted_value}, last used ${key.last_used_at ?? "never"}`),
  ];
  if (!verdict.ok) return finish(EXIT_REFUSED, [...plan, verdict.message, ...(verdict.guard === "in-use" ? ["Run it again with --acknowledge-in-use if that is what you want."] : [])]);
  if (!execute) {
    record.outcome = { status: "dry_run", http_status: null, message: `nothing was called (dry run: --yes not given); Keywarden ${dryRunRequest(action)}.` };
    return finish(EXIT_OK, [
      ...plan,
      `Allowed by every guard. Dry run: nothing was called. To execute: REMEDIATION=on REMEDIATION_APPROVALS=1 ${invokedAs(io.env)} revoke ${keyId}${wanted ? ` --action ${wanted}` : ""}${args.values["acknowledge-in-use"] ? " --acknowledge-in-use" : ""} --yes`,
      ...(config.remediation.mode !== "on" ? [`(REMEDIATION is ${config.remediation.mode} here: --yes would be refused.)`] : []),
    ]);
  }
  if (!verdict.ready) {
    const message = `Refused: REMEDIATION_APPROVALS is ${verdict.approvalsNeeded}, and the command line has no second approver. Request it from Slack, or set REMEDIATION_APPROVALS=1 explicitly.`;
    record.guards = { ok: false, guard: "approvals", message };
    return finish(EXIT_REFUSED, [...plan, message]);
  }
  const api = (timeoutMs: number) => new AdminApi({ adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl, timeoutMs, retry: DEFAULT_RETRY_POLICY, sleep: realSleep });
  const outcome = await carryOut(action, config.remediation, { keys: openaiKeyActions(api, config.openaiAdminKey, 30_000), secrets: config.secrets });
  record.outcome = { status: outcome.status, http_status: outcome.httpStatus, message: outcome.message, at: new Date().toISOString() };
  return finish(outcome.status === "done" || outcome.status === "already_gone" ? EXIT_OK : EXIT_REFUSED, [...plan, `${outcome.status}: ${outcome.message}`]);
}

/** What `--json` prints: the request, the guards' verdict and the outcome, to be kept with the evidence. */
interface RevokeRecord {
  command: "revoke";
  at: string;
  requested_by: string;
  key_id: string;
  policy: string;
  execute: boolean;
  remediation: { mode: string; approvals: number };
  finding: { fingerprint: string; rule_id: string; severity: string; sentence: string };
  action: Pick<RemediationAction, "kind" | "summary" | "request"> & { keys_affected: RemediationAction["keysAffected"] };
  guards: { ok: true; approvals_needed: number; in_use: string[] } | { ok: false; guard: string; message: string };
  outcome: { status: string; http_status: number | null; message: string; at?: string } | null;
}

function safeUserName(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}
