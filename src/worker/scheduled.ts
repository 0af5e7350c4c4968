import { runAudit, summarizeRun } from "../audit/run.js";
import type { AuditRun } from "../audit/types.js";
import { readConfig } from "../config.js";
import { bundledPolicy, bundledPolicyNames } from "./policies.js";

/** The weekly audit: run it and log one summary line (storage and Slack come with later issues). */
export async function runScheduledAudit(env: Record<string, unknown>, scheduledTime: number): Promise<AuditRun> {
  const config = readConfig(env);
  const policy = bundledPolicy(config.policy);
  if (!policy) {
    throw new Error(`POLICY names an unknown policy "${config.policy}"; bundled policies: ${bundledPolicyNames().join(", ")}`);
  }
  const run = await runAudit({
    config: { adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl },
    policy,
    trigger: "cron",
  });
  const line = `${summarizeRun(run)} (cron ${new Date(scheduledTime).toISOString()})`;
  if (run.status === "complete") console.log(line);
  else console.error(line);
  return run;
}
