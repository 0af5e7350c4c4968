import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { checkPolicy, runAuditWithInventory } from "../audit/run.js";
import type { RunFinding } from "../audit/types.js";
import { ConfigError, readConfig } from "../config.js";
import { AdminApi } from "../inventory/admin-api.js";
import { DEFAULT_RETRY_POLICY, realSleep } from "../inventory/retry.js";
import { type RemediationAction, actionsFor, isActionKind } from "../remediation/actions.js";
import { callAdminApi, listingAfter } from "../remediation/admin-calls.js";
import { checkRequest } from "../remediation/guards.js";
import { confirmOutcome, dryRunRequest } from "../remediation/outcome.js";
import { printableLine } from "../report/text.js";
import { readPolicySource } from "./audit-command.js";
import { type CliIo, processIo } from "./io.js";

export const REVOKE_USAGE = `usage: keywarden revoke <key id> [--action KIND] [--dry-run | --yes] [--acknowledge-in-use] [--policy FILE]

  For people without Slack: audits the organization of OPENAI_ADMIN_KEY, takes the findings on the
  key, and prints what revoking it means — the exact Admin API request, every key that goes with it
  (a service account's key goes only with its account) — and whether the guards allow it.
  --action KIND          demote_service_account, delete_project_key, delete_admin_key or
                         delete_service_account (default: the least destructive that fits)
  --dry-run              print the plan only (the default without --yes)
  --yes                  execute it; only with REMEDIATION=on and REMEDIATION_APPROVALS=1 in
                         the environment (the command line has no second approver: use Slack for two)
  --acknowledge-in-use   needed when a key of the plan was used in the last 24 hours
  --policy FILE          the policy whose findings and remediation: section apply
  What the command line revokes is not recorded in the Worker's D1 or evidence, nor counted against
  REMEDIATION_MAX_PER_DAY: one key per invocation. Keywarden never deletes the admin key it runs
  with. Exit 0: allowed (or executed and confirmed);
  1: refused, or the call failed; 2: wrong command line, or the audit did not see everything.
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
    });
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
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
    if (only && byValue.length === 1) return fail(`${keyId} is the redacted value of key ${only.id}: give its id: npx keywarden revoke ${only.id}`);
    if (byValue.length > 1) return fail(`${keyId} is the redacted value of ${byValue.length} keys (${byValue.map((k) => k.id).join(", ")}): give the id of the one you mean`);
    return fail(`the organization has no key ${keyId}: give a key's id (key_…), as npx keywarden audit shows it with each finding`, EXIT_REFUSED);
  }
  const findings = run.findings.filter((f) => f.key.id === keyId);
  if (findings.length === 0) return fail(`no finding of policy ${source.file} is on key ${keyId}: Keywarden revokes only keys a rule flags`, EXIT_REFUSED);

  const policy = checkedPolicy.policy.remediation;
  const candidates: { finding: RunFinding; action: RemediationAction }[] = findings.flatMap((finding) =>
    actionsFor(finding, inventory.keys)
      .filter((action) => (wanted === undefined || action.kind === wanted) && (!policy?.actions || policy.actions.includes(action.kind)))
      .map((action) => ({ finding, action })),
  );
  const chosen = candidates[0];
  if (!chosen) return fail(`no action${wanted ? ` ${wanted}` : ""} fits the findings on key ${keyId} (${findings.map((f) => f.rule_id).join(", ")})`, EXIT_REFUSED);
  const { finding, action } = chosen;

  const requester = `cli:${safeUserName()}`;
  const dryRun = !args.values.yes;
  // The plan is checked as in dry-run mode unless executing: --dry-run never calls, whatever REMEDIATION says.
  const settings = dryRun ? { ...config.remediation, mode: "dry-run" as const } : config.remediation;
  const verdict = checkRequest(
    { finding, action, requestedBy: requester, acknowledgedInUse: args.values["acknowledge-in-use"] },
    { settings, allowedUsers: [requester], policy, ownAdminKey: config.openaiAdminKey, inventoryKeys: inventory.keys, executedToday: 0, now: new Date() },
  );

  say(`Finding: ${finding.rule_id} (${finding.severity}) on ${finding.key.name ? `"${finding.key.name}" ` : ""}${finding.key.id}`);
  say(`Plan: ${action.summary}`);
  say(`Request: ${dryRunRequest(action).replace(/^would /, "")}`);
  say(`Keys affected (${action.keysAffected.length}):`);
  for (const key of action.keysAffected) say(`  ${key.id}${key.name ? ` "${key.name}"` : ""} ${key.redacted_value}, last used ${key.last_used_at ?? "never"}`);
  if (!verdict.ok) {
    say(verdict.message);
    if (verdict.guard === "in-use") say("Run it again with --acknowledge-in-use if that is what you want.");
    return EXIT_REFUSED;
  }
  if (dryRun) {
    say(`Allowed by every guard. Dry run: nothing was called. To execute: REMEDIATION=on REMEDIATION_APPROVALS=1 npx keywarden revoke ${keyId}${wanted ? ` --action ${wanted}` : ""}${args.values["acknowledge-in-use"] ? " --acknowledge-in-use" : ""} --yes`);
    if (config.remediation.mode !== "on") say(`(REMEDIATION is ${config.remediation.mode} here: --yes would be refused.)`);
    return EXIT_OK;
  }
  if (!verdict.ready) {
    say(`Refused: REMEDIATION_APPROVALS is ${verdict.approvalsNeeded}, and the command line has no second approver. Request it from Slack, or set REMEDIATION_APPROVALS=1 explicitly.`);
    return EXIT_REFUSED;
  }
  const api = new AdminApi({ adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl, timeoutMs: 30_000, retry: DEFAULT_RETRY_POLICY, sleep: realSleep });
  const answer = await callAdminApi(api, action);
  const after = answer.status === null ? null : await listingAfter(api, action, config.openaiAdminKey);
  const outcome = confirmOutcome(action, answer, after, config.secrets);
  say(`${outcome.status}: ${outcome.message}`);
  return outcome.status === "done" || outcome.status === "already_gone" ? EXIT_OK : EXIT_REFUSED;
}

function safeUserName(): string {
  try {
    return userInfo().username || "unknown";
  } catch {
    return "unknown";
  }
}
