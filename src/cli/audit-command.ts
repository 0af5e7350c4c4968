import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type PolicySource, runAudit } from "../audit/run.js";
import type { AuditRun } from "../model/run.js";
import { type AccountSettings, type Config, ConfigError, readConfig } from "../config.js";
import { readEnrichSettings } from "../config.js";
import type { EnrichSource } from "../model/enrichment.js";
import { type Severity, severityRank } from "../policy/index.js";
import { printableLine, renderTextReport } from "../report/text.js";
import { redact } from "../util/redact.js";
import { accountSettingsOf } from "./account-env.js";
import { auditProgress } from "./audit-progress.js";
import { displayPath } from "./display-path.js";
import { type CliIo, processIo } from "./io.js";
import { policiesDir } from "./keywarden-root.js";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_INCOMPLETE = 2;

const SEVERITY_NAMES = ["critical", "high", "medium", "low", "info"] as const;

export const AUDIT_USAGE = `usage: keywarden audit [--policy FILE] [--account NAME] [--json] [--fail-on SEVERITY|none] [--quiet]

  Audits every API key of every configured account against a policy, in one run:
  the OpenAI organization of OPENAI_ADMIN_KEY (export OPENAI_ADMIN_KEY=sk-admin-…;
  OPENAI_BASE_URL to audit another endpoint, such as the one keywarden sim prints),
  the Anthropic organization of ANTHROPIC_ADMIN_KEY (ANTHROPIC_BASE_URL), or the
  accounts ACCOUNTS lists (a JSON array; each admin_key_secret names the variable
  holding that account's admin key). Each key is enriched with its creator,
  requests and spend over 30 days; ENRICH=audit_log,usage,costs picks the sources,
  ENRICH=off makes no enrichment request.
  --policy FILE   the policy to apply (default: Keywarden's policies/<POLICY>.yaml,
                  POLICY defaulting to "default")
  --account NAME  audit this configured account only (openai, anthropic, or a name
                  from ACCOUNTS)
  --json          print only the run JSON on stdout (default: a readable report)
  --fail-on SEV   lowest severity that makes the exit code 1: ${SEVERITY_NAMES.join(", ")},
                  or none (default: info, i.e. any finding)
  --quiet         no progress on stderr (problems are still reported there)
  Exit 0: complete, nothing at or above --fail-on; 1: findings at or above it;
  2: the run is incomplete or failed, or the command line is wrong.
`;

/** The CLI's message for a missing admin key: a laptop exports it (the Worker's says wrangler secret put). */
export const NO_ADMIN_KEY = `OPENAI_ADMIN_KEY is not set. Export the Admin API key of the organization to audit first:
  export OPENAI_ADMIN_KEY=sk-admin-…
(ANTHROPIC_ADMIN_KEY=sk-ant-admin… for an Anthropic organization, ACCOUNTS for several: see the README's Accounts)
or try Keywarden offline on simulated organizations: keywarden sim`;

export async function auditCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`keywarden audit: ${message.split("\n").map(printableLine).join("\n")}\n`);
    return EXIT_INCOMPLETE;
  };
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        policy: { type: "string" },
        account: { type: "string" },
        json: { type: "boolean", default: false },
        "fail-on": { type: "string", default: "info" },
        quiet: { type: "boolean", short: "q", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    return fail(`${(error as Error).message} (keywarden audit --help lists the options)`);
  }
  if (args.values.help) {
    io.stdout.write(AUDIT_USAGE);
    return EXIT_OK;
  }
  const failOn = args.values["fail-on"];
  if (failOn !== "none" && !(SEVERITY_NAMES as readonly string[]).includes(failOn)) {
    return fail(`--fail-on must be one of ${SEVERITY_NAMES.join(", ")}, none (got "${failOn}")`);
  }

  if (!io.env.OPENAI_ADMIN_KEY && !io.env.ANTHROPIC_ADMIN_KEY && !io.env.ACCOUNTS) return fail(NO_ADMIN_KEY);
  let config: Config;
  let enrich: EnrichSource[];
  try {
    // Only the settings the CLI uses: a laptop's other variables (Slack tokens…) are not its business.
    config = readConfig(accountSettingsOf(io.env), "cli");
    enrich = readEnrichSettings({ ENRICH: io.env.ENRICH });
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.at("cli").problems.join("\n"));
    throw error;
  }
  const chosen = args.values.account;
  const accounts = chosen === undefined ? config.accounts : config.accounts.filter((account) => account.name === chosen);
  if (accounts.length === 0) return fail(`--account ${chosen} is not a configured account: the accounts are ${config.accounts.map((a) => a.name).join(", ")}`);

  let policy: PolicySource;
  try {
    policy = readPolicySource(args.values.policy, config.policy);
  } catch (error) {
    return fail((error as Error).message);
  }

  const quiet = args.values.quiet;
  const secrets = config.secrets;
  if (!quiet) io.stderr.write(`${printableLine(`keywarden: auditing ${accounts.map((a) => describeAccount(a, accounts.length)).join(", ")} with policy ${policy.file}…`)}\n`);
  // One line of progress: the listing of the one OpenAI account (several accounts would fight over it).
  const progress = quiet || accounts.length > 1 || accounts[0]?.provider !== "openai" ? undefined : auditProgress(io.stderr, { env: io.env, secrets });
  let run: AuditRun;
  try {
    run = await runAudit({ config: progress ? { onProgress: progress.update } : {}, accounts, policy, trigger: "cli", enrich });
  } finally {
    progress?.finish();
  }
  io.stdout.write(args.values.json ? runJson(run, secrets) : `${renderTextReport(run)}\n`);
  io.stderr.write(problemsOf(run));
  return exitCodeFor(run, failOn === "none" ? undefined : (failOn as Severity));
}

export function exitCodeFor(run: AuditRun, threshold: Severity | undefined): number {
  if (run.status !== "complete") return EXIT_INCOMPLETE;
  if (threshold === undefined) return EXIT_OK;
  const limit = severityRank(threshold);
  return run.findings.some((f) => severityRank(f.severity) >= limit) ? EXIT_FINDINGS : EXIT_OK;
}

/**
 * The run JSON of --json. Each string is redacted before it is escaped (an escape such as `\n` would
 * glue a secret to the text before it), and DEL and the C1 controls, which JSON.stringify leaves raw
 * and a terminal acts on (U+009B starts an escape sequence), are escaped too: same JSON, inert text.
 */
export function runJson(run: AuditRun, secrets: readonly string[]): string {
  const json = JSON.stringify(run, (_key, value: unknown) => (typeof value === "string" ? redact(value, secrets) : value), 2);
  return `${json.replace(/[\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)}\n`;
}

/** Why the exit code is 2, on stderr, so it is seen even when stdout goes to a file (--json > run.json). Each line printable: the messages quote names from the API. */
function problemsOf(run: AuditRun): string {
  if (run.status === "failed") {
    const details = (run.failure?.details ?? []).map((d) => `  ${printableLine(d)}\n`).join("");
    return `keywarden audit: the run failed: ${printableLine(run.failure?.reason ?? "unknown reason")}\n${details}`;
  }
  if (run.status === "incomplete") {
    const parts = run.errors.map((e) => `  not seen: ${printableLine(e.message)}\n`).join("");
    return `keywarden audit: the run is incomplete (its findings are a lower bound):\n${parts}`;
  }
  return "";
}

export function readPolicySource(file: string | undefined, name: string): PolicySource {
  const path = file ?? join(policiesDir(), `${name}.yaml`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(`cannot read policy file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const shown = file ?? displayPath(path);
  return { name: file ? shown : name, file: shown, text };
}

/** The API root alone for one account (as before accounts existed); with several, each name and root. */
function describeAccount(account: AccountSettings, count: number): string {
  const root = withoutCredentials(account.baseUrl);
  return count === 1 && account.name === account.provider ? root : `${account.name} (${root})`;
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  if (!parsed.username && !parsed.password) return url;
  parsed.username = "";
  parsed.password = "";
  return parsed.toString();
}
