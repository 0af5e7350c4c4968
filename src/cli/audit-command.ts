import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type PolicySource, runAudit } from "../audit/run.js";
import type { AuditRun } from "../audit/types.js";
import { ConfigError, readConfig } from "../config.js";
import { type Severity, severityRank } from "../policy/index.js";
import { renderTextReport } from "../report/text.js";

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_INCOMPLETE = 2;

const SEVERITY_NAMES = ["critical", "high", "medium", "low", "info"] as const;
const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

export async function auditCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { policy: { type: "string" }, json: { type: "boolean", default: false }, "fail-on": { type: "string", default: "info" } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    process.stderr.write(`keywarden audit: ${(error as Error).message}\n`);
    return EXIT_INCOMPLETE;
  }
  const failOn = args.values["fail-on"];
  if (failOn !== "none" && !(SEVERITY_NAMES as readonly string[]).includes(failOn)) {
    process.stderr.write(`keywarden audit: --fail-on must be one of ${SEVERITY_NAMES.join(", ")}, none (got "${failOn}")\n`);
    return EXIT_INCOMPLETE;
  }

  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`keywarden audit: ${error.message}\n`);
      return EXIT_INCOMPLETE;
    }
    throw error;
  }

  let policy: PolicySource;
  try {
    policy = readPolicySource(args.values.policy, config.policy);
  } catch (error) {
    process.stderr.write(`keywarden audit: ${(error as Error).message}\n`);
    return EXIT_INCOMPLETE;
  }

  process.stderr.write(`keywarden: auditing ${config.openaiBaseUrl} with policy ${policy.file}…\n`);
  const run = await runAudit({ config: { adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl }, policy, trigger: "cli" });
  if (args.values.json) {
    process.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
  } else {
    process.stdout.write(`${renderTextReport(run)}\n`);
  }
  return exitCodeFor(run, failOn === "none" ? undefined : (failOn as Severity));
}

export function exitCodeFor(run: AuditRun, threshold: Severity | undefined): number {
  if (run.status !== "complete") return EXIT_INCOMPLETE;
  if (threshold === undefined) return EXIT_OK;
  const limit = severityRank(threshold);
  return run.findings.some((f) => severityRank(f.severity) >= limit) ? EXIT_FINDINGS : EXIT_OK;
}

function readPolicySource(file: string | undefined, name: string): PolicySource {
  const path = file ?? join(repoRoot, "policies", `${name}.yaml`);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new Error(`cannot read policy file ${path}`);
  }
  const shown = file ?? relative(process.cwd(), path);
  return { name: file ? shown : name, file: shown, text };
}
