import type { SlackDelivery } from "../model/run.js";
import { checked, slackDeliverySchema } from "../model/run-schema.js";
import { answerSlashCommand, deliverRunReport } from "../slack/notify.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import { type AuditContext, errorMessage } from "./context.js";
import { loadRun } from "./load-run.js";
import type { AttemptInfo, StepOutcome } from "./step-outcome.js";

/**
 * "report to slack": the channel report, continuing a delivery that failed part-way. The delivery is
 * recorded at once (an isolate lost after posting must find it on replay), and is also this step's
 * durable result, carried to the next attempt and stored again by "record delivery": D1 refusing the
 * record never makes a retry post the report a second time.
 */
export async function reportToSlack(ctx: AuditContext, { attempt, last, carried }: AttemptInfo): Promise<StepOutcome<{ status: string; delivery?: SlackDelivery }>> {
  const { run_id: runId } = ctx.params;
  const config = ctx.settings();
  if (!config.slack) return { done: { status: "not configured" } };
  const run = await loadRun(ctx);
  const previous = carried === undefined ? run.delivery : checked(slackDeliverySchema, carried, "the delivery carried from the previous attempt");
  if (previous?.status === "delivered") return { done: { status: "delivered" } };
  const delivery = await deliverRunReport(run, { ...config, revokeMenu: config.remediation.mode !== "off" }, attempt, previous);
  await ctx.history.recordDelivery(runId, delivery).catch((error: unknown) => {
    log.error(`keywarden ${runId}: the Slack delivery could not be recorded yet: ${redact(errorMessage(error), config.secrets)}`);
  });
  if (delivery.status === "failed" && !last) return { retry: `Slack delivery failed at ${delivery.stage}: ${delivery.error}`, carry: delivery };
  if (delivery.status === "failed") log.error(`keywarden ${runId}: Slack delivery failed for good at ${delivery.stage}: ${delivery.error}`);
  return { done: { status: delivery.status, delivery } };
}

/** "record delivery": the outcome of the Slack report on the run (GET /runs/:id, the report's own retries). */
export async function recordDelivery(ctx: AuditContext, delivery: SlackDelivery): Promise<null> {
  await ctx.history.recordDelivery(ctx.params.run_id, delivery);
  return null;
}

/** "answer slash command": one answer on the response_url of the command that asked for the run, if any. */
export async function answerCommand(ctx: AuditContext): Promise<{ answered: boolean }> {
  const { run_id: runId } = ctx.params;
  const responseUrl = await ctx.history.responseUrl(runId);
  if (!responseUrl) return { answered: false };
  const answer = await answerSlashCommand(await loadRun(ctx), responseUrl, ctx.settings());
  // A response_url expires after 30 minutes: an answer that fails is logged, not retried forever.
  if (!answer.ok) log.error(`keywarden ${runId}: could not answer the slash command: ${answer.error}`);
  return { answered: answer.ok };
}
