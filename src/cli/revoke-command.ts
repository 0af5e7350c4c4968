import { parseArgs } from "node:util";
import { checkPolicy, runAuditWithInventory } from "../audit/run.js";
import { ConfigError, readConfig } from "../config.js";
import { AdminApi } from "../providers/openai/admin-api.js";
import { openaiKeyActions } from "../providers/openai/actions.js";
import { DEFAULT_RETRY_POLICY, realSleep } from "../util/retry.js";
import { isActionKind } from "../decide/actions.js";
import { checkRequest } from "../decide/guards.js";
import { printableLine } from "../report/text.js";
import { readPolicySource } from "./audit-command.js";
import { type CliIo, processIo } from "./io.js";
import { chooseAction } from "./revoke-choice.js";
import { EXIT_OK, EXIT_USAGE, type RevokeInvocation, type RevokeOptions, cliRequester, concludeRevoke, refuseExecutionUnlessOn } from "./revoke-outcome.js";

export const REVOKE_USAGE = `usage: keywarden revoke <key id> [--account NAME] [--action KIND] [--reenable] [--dry-run | --yes] [--acknowledge-in-use] [--policy FILE] [--json]

  For people without Slack: audits the organization of OPENAI_ADMIN_KEY, takes the first finding on
  the key whose rule the policy's remediation.allowed_rules allow, and prints what revoking it means —
  the exact Admin API request, every key that goes with it (a service account's key goes only with its
  account) — and whether the guards allow it.
  --account NAME         openai (OPENAI_ADMIN_KEY) or anthropic (ANTHROPIC_ADMIN_KEY, ANTHROPIC_BASE_URL);
                         default: openai, or anthropic when only ANTHROPIC_ADMIN_KEY is set. An Anthropic
                         key is disabled (set inactive, which can be undone), never deleted
  --action KIND          demote_service_account, delete_project_key, delete_admin_key,
                         delete_service_account or disable_key (default: the least destructive that fits)
  --reenable             Anthropic only: set an inactive key active again (undoes a Disable; no audit,
                         no finding needed; the command line keeps no record of what it disabled)
  --dry-run              print the plan only (the default without --yes, whatever REMEDIATION says)
  --yes                  execute it; only with REMEDIATION=on and REMEDIATION_APPROVALS=1 in
                         the environment (the command line has no second approver: use Slack for two);
                         under REMEDIATION=off or dry-run it is refused (exit 2) and nothing is called
  --acknowledge-in-use   needed when a key of the plan was used in the last 24 hours (or, for an
                         Anthropic key, when its last use cannot be read)
  --policy FILE          the policy whose findings and remediation: section apply
  --json                 print one JSON record instead: who, when, the finding, the request, every key
                         affected, the guards' verdict and the outcome (keep it with the evidence)
  What the command line revokes is not recorded in the Worker's D1 or evidence, nor counted against
  REMEDIATION_MAX_PER_DAY: one key per invocation. Keywarden never deletes the admin key it runs
  with. Exit 0: allowed (or executed and confirmed);
  1: refused, or the call failed; 2: wrong command line, --yes without REMEDIATION=on, or the audit
  did not see everything.
`;

export async function revokeCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const fail = (message: string, code = EXIT_USAGE): number => {
    io.stderr.write(`keywarden revoke: ${printableLine(message)}\n`);
    return code;
  };
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        account: { type: "string" },
        action: { type: "string" },
        reenable: { type: "boolean", default: false },
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
  if (wanted !== undefined && !isActionKind(wanted)) {
    return fail(`--action must be demote_service_account, delete_project_key, delete_admin_key, delete_service_account or disable_key (got "${wanted}")`);
  }
  const account = args.values.account ?? (!io.env.OPENAI_ADMIN_KEY && io.env.ANTHROPIC_ADMIN_KEY ? "anthropic" : "openai");
  if (account !== "openai" && account !== "anthropic") return fail(`--account must be openai or anthropic (got "${account}")`);
  const options = { keyId, action: wanted, reenable: args.values.reenable, execute: args.values.yes, acknowledgeInUse: args.values["acknowledge-in-use"], json: args.values.json, policy: args.values.policy };
  if (account === "anthropic") return (await import("./revoke-anthropic.js")).revokeAnthropicKey(options, io, fail);
  if (options.reenable) return fail("--reenable undoes a Disable, which only Anthropic keys have (--account anthropic): an OpenAI key is deleted, which cannot be undone");
  return revokeOpenAiKey(options, io, fail);
}

async function revokeOpenAiKey(options: RevokeOptions, io: CliIo, fail: (message: string, code?: number) => number): Promise<number> {
  const { keyId, action: wanted } = options;
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
  const run: RevokeInvocation = {
    io,
    keyId,
    requester: cliRequester(),
    execute: options.execute,
    json: options.json,
    remediation: config.remediation,
    secrets: config.secrets,
    rerun: `${wanted ? ` --action ${wanted}` : ""}${options.acknowledgeInUse ? " --acknowledge-in-use" : ""}`,
  };
  const refused = refuseExecutionUnlessOn(run, fail);
  if (refused !== null) return refused;
  let source;
  try {
    source = readPolicySource(options.policy, config.policy);
  } catch (error) {
    return fail((error as Error).message);
  }
  const checkedPolicy = checkPolicy(source);
  if (!checkedPolicy.ok) return fail(`policy ${source.file} is invalid: ${checkedPolicy.details.join("; ")}`);

  const { run: audit, inventory } = await runAuditWithInventory({ config: { adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl }, policy: source, trigger: "cli" });
  if (audit.status !== "complete" || !inventory) {
    return fail(`the audit is ${audit.status}: Keywarden plans a revoke only from an inventory that saw everything (keywarden audit says what was not seen)`);
  }
  const chosen = chooseAction(options, io, fail, { findings: audit.findings, keys: inventory.keys, policy: checkedPolicy.policy.remediation, policyFile: source.file }, "key_…");
  if (typeof chosen === "number") return chosen;
  const { finding, action } = chosen;

  const now = new Date();
  // Without --yes the plan is checked as in dry-run mode: it calls nothing, whatever REMEDIATION says.
  const settings = options.execute ? config.remediation : { ...config.remediation, mode: "dry-run" as const };
  const verdict = checkRequest(
    { finding, action, requestedBy: run.requester, acknowledgedInUse: options.acknowledgeInUse },
    { settings, allowedUsers: [run.requester], policy: checkedPolicy.policy.remediation, ownAdminKey: config.openaiAdminKey, inventoryKeys: inventory.keys, executedToday: 0, now },
  );
  const api = (timeoutMs: number) => new AdminApi({ adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl, timeoutMs, retry: DEFAULT_RETRY_POLICY, sleep: realSleep });
  return concludeRevoke(run, { finding, action, verdict, policyFile: source.file, now }, openaiKeyActions(api, config.openaiAdminKey, 30_000));
}

