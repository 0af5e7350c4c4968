/**
 * `keywarden revoke --account anthropic`: Disable an Anthropic key a finding is on (never delete: the
 * Admin API has none), or with --reenable set an inactive key active again. Disable audits the
 * account first — every API key, workspace and user, and each key's last use from the usage analytics
 * over the policy's longest `unused` window — and plans only from an audit that saw everything; the
 * key is then read fresh (status, use in the last 24 hours) for the guards. Every guard is decide/'s,
 * the call goes through `carryOut`, and it is confirmed by reading the key again.
 *
 * The settings are read here, as the command line needs them: ANTHROPIC_ADMIN_KEY,
 * ANTHROPIC_BASE_URL, POLICY and REMEDIATION* (ACCOUNTS is not read by revoke; see the README).
 */
import { checkPolicy, concludeRun } from "../audit/run.js";
import { ConfigError, POLICY_NAME, readRemediationSettings, secretValues } from "../config.js";
import { DEFAULT_BASE_URLS } from "../config-accounts.js";
import { checkCommandLineReenable, checkRequest } from "../decide/guards.js";
import { commandLineReenable } from "../decide/disable-actions.js";
import type { ListedKey } from "../model/remediation.js";
import { newRunId } from "../model/run-id.js";
import type { RunFinding } from "../model/run.js";
import { type ActionOptions, retrieveKey } from "../providers/anthropic/actions.js";
import { collectAnthropicInventory } from "../providers/anthropic/inventory.js";
import { anthropicKeyActions } from "../providers/anthropic/key-actions.js";
import { lastUseOf, readLastUse } from "../providers/anthropic/last-used.js";
import { normalizeApiKey } from "../providers/anthropic/normalize.js";
import { lastUseFields } from "../model/last-use.js";
import { usageDaysNeeded } from "../policy/usage-days.js";
import { readPolicySource } from "./audit-command.js";
import type { CliIo } from "./io.js";
import { chooseAction } from "./revoke-choice.js";
import { EXIT_REFUSED, type RevokeInvocation, type RevokeOptions, cliRequester, concludeRevoke, refuseExecutionUnlessOn } from "./revoke-outcome.js";
import type { CheckedPolicy } from "../audit/run.js";

/** The account the Anthropic settings name (ACCOUNTS, with names of one's own, comes with issue 19). */
const ACCOUNT = "anthropic";
/** Each request of the command may take this long. */
const TIMEOUT_MS = 30_000;
/** The usage window read when no rule of the policy needs one (the run reads none then; the in-use check still does). */
const DEFAULT_USAGE_DAYS = 90;

type Fail = (message: string, code?: number) => number;

export async function revokeAnthropicKey(options: RevokeOptions, io: CliIo, fail: Fail): Promise<number> {
  const adminKey = io.env.ANTHROPIC_ADMIN_KEY;
  if (!adminKey || adminKey === "off") return fail("ANTHROPIC_ADMIN_KEY is not set: export the Anthropic Admin API key Keywarden runs with (sk-ant-admin…)");
  if (!/^[\x21-\x7e]+$/.test(adminKey)) return fail("ANTHROPIC_ADMIN_KEY holds a space or a character that is not printable ASCII, which no Admin API key does");
  const baseURL = io.env.ANTHROPIC_BASE_URL || DEFAULT_BASE_URLS.anthropic;
  if (!/^https?:\/\//.test(baseURL) || !URL.canParse(baseURL)) return fail("ANTHROPIC_BASE_URL must be an http(s) URL, such as https://api.anthropic.com");
  const policyName = io.env.POLICY || "default";
  if (!POLICY_NAME.test(policyName)) return fail("POLICY must be a policy name such as default");
  if (options.reenable && options.action !== undefined) return fail("--reenable takes no --action: it sets the key active again");
  let remediation;
  try {
    remediation = readRemediationSettings(io.env);
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.message);
    throw error;
  }
  const run: RevokeInvocation = {
    io,
    keyId: options.keyId,
    requester: cliRequester(),
    execute: options.execute,
    json: options.json,
    remediation,
    secrets: secretValues(io.env),
    rerun: ` --account ${ACCOUNT}${options.reenable ? " --reenable" : ""}${options.action ? ` --action ${options.action}` : ""}${options.acknowledgeInUse ? " --acknowledge-in-use" : ""}`,
  };
  const refused = refuseExecutionUnlessOn(run, fail);
  if (refused !== null) return refused;

  const connection: ActionOptions = { account: ACCOUNT, adminKey, baseURL, timeoutMs: TIMEOUT_MS };
  const keys = anthropicKeyActions(connection);
  const now = new Date();
  // Without --yes the plan is checked as in dry-run mode: it calls nothing, whatever REMEDIATION says.
  const settings = options.execute ? remediation : { ...remediation, mode: "dry-run" as const };
  const context = { settings, allowedUsers: [run.requester], ownAdminKey: adminKey, executedToday: 0, now };

  if (options.reenable) {
    const read = await retrieveKey(connection, options.keyId);
    if (!read.ok) return fail(`${read.reason}: nothing was called`);
    if (read.key === null) return fail(`Anthropic account "${ACCOUNT}" has no API key ${options.keyId}: give a key's id (apikey_…)`, EXIT_REFUSED);
    const key = normalizeApiKey(read.key, { account: ACCOUNT, workspaces: new Map(), users: new Map() });
    const action = commandLineReenable(key);
    if ("why" in action) return fail(action.why, EXIT_REFUSED);
    const verdict = checkCommandLineReenable({ action, requestedBy: run.requester }, { ...context, inventoryKeys: [key] });
    return concludeRevoke(run, { finding: null, action: verdict.ok ? verdict.action : action, verdict, now }, keys);
  }

  let source;
  try {
    source = readPolicySource(options.policy, policyName);
  } catch (error) {
    return fail((error as Error).message);
  }
  const checked = checkPolicy(source);
  if (!checked.ok) return fail(`policy ${source.file} is invalid: ${checked.details.join("; ")}`);
  const audited = await auditAccount(connection, checked, run.secrets, now);
  if ("problem" in audited) return fail(`the audit of Anthropic account "${ACCOUNT}" did not see everything (${audited.problem}): Keywarden plans a disable only from an audit that saw everything`);
  const policy = checked.policy.remediation;
  const chosen = chooseAction(options, io, fail, { ...audited, policy, policyFile: source.file }, "apikey_…");
  if (typeof chosen === "number") return chosen;
  const { finding, action } = chosen;
  // The guards check the key as it is now: its status, and its use in the last 24 hours (or that it cannot be read).
  const fresh = await keys.freshKeysFor(finding);
  if (!fresh.ok) return fail(`${fresh.message}: nothing was called`);
  const verdict = checkRequest({ finding, action, requestedBy: run.requester, acknowledgedInUse: options.acknowledgeInUse }, { ...context, policy, inventoryKeys: fresh.items });
  return concludeRevoke(run, { finding, action: verdict.ok ? verdict.action : action, verdict, policyFile: source.file, now }, keys);
}

/**
 * The account's findings under the policy, from an inventory that saw everything and each key's last
 * use over the longest `unused` window the policy has (the API keeps 365 days, nothing before 2026);
 * what was not seen when it is not all.
 */
async function auditAccount(
  connection: ActionOptions,
  checked: Extract<CheckedPolicy, { ok: true }>,
  secrets: readonly string[],
  now: Date,
): Promise<{ findings: RunFinding[]; keys: ListedKey[] } | { problem: string }> {
  const inventory = await collectAnthropicInventory(connection);
  if (inventory.fatal) return { problem: inventory.fatal.message };
  if (inventory.errors.length > 0) return { problem: inventory.errors.map((error) => error.message).join("; ") };
  const days = usageDaysNeeded(checked.policy, { name: ACCOUNT, provider: "anthropic" }) ?? DEFAULT_USAGE_DAYS;
  const usage = await readLastUse({ ...connection, days, now, keyIds: inventory.keys.map((key) => key.id) });
  // Without usage, `unused` cannot be decided: never a guess of "unused", never "fine".
  if (!usage.known) return { problem: usage.reason };
  // The same reading of last use as a run's (model/last-use.ts).
  const keys = inventory.keys.map((key) => ({ ...key, ...lastUseFields(lastUseOf(usage, key), usage.window) }));
  const base = { id: newRunId(now), trigger: "cli" as const, started_at: now.toISOString() };
  const run = concludeRun({ base, policy: checked, inventory: { ...inventory, keys }, evaluatedAt: now, finishedAt: now, secrets });
  if (run.status !== "complete") return { problem: `the run is ${run.status}` };
  return { findings: run.findings, keys };
}
