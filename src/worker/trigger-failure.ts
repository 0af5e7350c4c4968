import { failedRun } from "../model/run.js";
import type { AuditRun, Trigger } from "../model/run.js";
import { newRunId } from "../model/run-id.js";
import { ConfigError, readSlackReportSettings, secretValues } from "../config.js";
import { services } from "../services.js";
import { FAILED_BEFORE_EVIDENCE } from "../store/run-history.js";
import { redact } from "../util/redact.js";
import { deliverRunReport } from "../slack/notify.js";
import { log } from "../util/log.js";

export interface TriggerFailureOutcome {
  run_id: string;
  recorded: boolean;
  slack: "delivered" | "failed" | "not configured";
}

/** Why a trigger could not start its run, naming settings (never their values). */
export function triggerFailureReason(error: unknown): { reason: string; details: string[] } {
  if (error instanceof ConfigError) return { reason: "the run could not start: invalid configuration", details: error.problems };
  const message = error instanceof Error ? error.message : String(error);
  return { reason: `the run could not start: ${message}`, details: [] };
}

/**
 * A trigger (cron, HTTP, Slack) that cannot start a run must not fail silently: the attempt is
 * recorded as a failed run wherever D1 can take it, and the Slack channel is told whenever the
 * Slack settings alone are usable. Each part is tried on its own; none of them throws.
 */
export async function recordTriggerFailure(
  env: Env,
  request: { trigger: Trigger; policy?: string | undefined },
  error: unknown,
  now: Date = new Date(),
): Promise<TriggerFailureOutcome> {
  const secrets = secretValues(env);
  const { reason, details } = triggerFailureReason(error);
  const configuredPolicy: string = env.POLICY;
  const policy = request.policy ?? (configuredPolicy || "default");
  const run: AuditRun = {
    ...failedRun({
      id: newRunId(now),
      trigger: request.trigger,
      policy: { name: policy, file: `policies/${policy}.yaml`, sha256: "" },
      started_at: now.toISOString(),
      finished_at: now.toISOString(),
      reason: redact(reason, secrets),
      details: details.map((d) => redact(d, secrets)),
    }),
    // Nothing ran: no evidence is written, and the period exports say why there is none.
    evidence: FAILED_BEFORE_EVIDENCE,
  };
  const history = services(env).runs;
  let recorded = false;
  try {
    await history.recordFailedStart(run);
    recorded = true;
  } catch (dbError) {
    log.error(`keywarden: could not record the failed ${request.trigger} trigger in D1 (${dbError instanceof Error ? dbError.name : "error"})`);
  }
  const slack = readSlackReportSettings(env);
  let slackOutcome: TriggerFailureOutcome["slack"] = "not configured";
  if (slack) {
    try {
      const delivery = await deliverRunReport(run, { slack, secrets }, 1, undefined);
      slackOutcome = delivery.status;
      if (recorded) await history.recordDelivery(run.id, delivery);
    } catch {
      slackOutcome = "failed";
    }
  }
  log.error(`keywarden ${run.id} failed: ${request.trigger} trigger could not start a run (recorded: ${recorded}, Slack: ${slackOutcome})`);
  return { run_id: run.id, recorded, slack: slackOutcome };
}

/**
 * Tells the Slack channel about a run that a later trigger found abandoned or hung (it is recorded
 * as failed already), and records the delivery on it. Never throws.
 */
export async function reportEndedRun(env: Env, runId: string): Promise<void> {
  const slack = readSlackReportSettings(env);
  const history = services(env).runs;
  try {
    const run = await history.get(runId);
    if (run?.status === "failed") log.error(`keywarden ${runId} failed: ${run.failure?.reason ?? "abandoned"}`);
    else log.error(`keywarden ${runId} (${run?.status ?? "unknown"}): its durable run ended before it was reported; reporting it now`);
    // A report already delivered is not posted again; one that failed part-way is resumed.
    if (!slack || !run || run.status === "running" || run.delivery?.status === "delivered") return;
    const delivery = await deliverRunReport(run as AuditRun, { slack, secrets: secretValues(env) }, (run.delivery?.attempts ?? 0) + 1, run.delivery);
    await history.recordDelivery(runId, delivery);
  } catch (error) {
    log.error(`keywarden ${runId}: could not report the abandoned run (${error instanceof Error ? error.name : "error"})`);
  }
}
