import type { AuditRun, SlackDelivery } from "../model/run.js";
import type { Config } from "../config.js";
import { type RenderSlackOptions, renderSlackReport } from "./render.js";
import { createSlackClient } from "./client.js";
import { deliverReport } from "./deliver.js";
import { postToResponseUrl } from "./response-url.js";

type ReportSettings = Pick<Config, "slack"> & { slackSigningSecret?: string | undefined; revokeMenu?: boolean };

/** How the channel report is rendered: the same when it is posted and when one of its messages is rebuilt after an acceptance. */
export function reportRenderOptions(config: ReportSettings & { slack: NonNullable<Config["slack"]> }): RenderSlackOptions {
  // Accept-risk buttons only when Keywarden can verify the click (SLACK_SIGNING_SECRET is on).
  return { channel: config.slack.channel, acceptButtons: config.slackSigningSecret !== undefined, revokeMenu: config.revokeMenu === true };
}

/**
 * Delivers a run's report to the Slack channel, continuing a delivery that
 * failed part-way (`previous.posted`) instead of posting twice.
 */
export async function deliverRunReport(
  run: AuditRun,
  config: ReportSettings & Pick<Config, "secrets">,
  attempt: number,
  previous: SlackDelivery | undefined,
): Promise<SlackDelivery> {
  if (!config.slack) throw new Error("Slack is not configured");
  const rendered = renderSlackReport(run, reportRenderOptions({ ...config, slack: config.slack }));
  const client = createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets });
  const resume = previous?.status === "failed" ? previous.posted : undefined;
  const result = await deliverReport(client, rendered, { secrets: config.secrets, ...(resume ? { resume } : {}) });
  const at = new Date().toISOString();
  if (result.ok) {
    return {
      status: "delivered",
      attempts: attempt,
      at,
      channel: result.channel,
      ts: result.ts,
      thread_messages: result.thread_messages,
      thread_ts: result.thread_ts,
      findings_delivered: result.findings_delivered,
      ...(result.file_id ? { file_id: result.file_id } : {}),
    };
  }
  return { status: "failed", attempts: attempt, at, stage: result.stage, error: result.error, posted: result.posted };
}

/** The one-message answer to the `/keywarden run` that started this run. */
export async function answerSlashCommand(run: AuditRun, responseUrl: string, config: Config): Promise<{ ok: boolean; error?: string }> {
  const rendered = renderSlackReport(run, { channel: config.slack?.channel ?? "" });
  const where = config.slack ? ` The full report is in <#${config.slack.channel}>.` : "";
  const result = await postToResponseUrl(
    responseUrl,
    { response_type: "ephemeral", text: `${rendered.main.text}${where}`, blocks: rendered.main.blocks },
    { secrets: config.secrets },
  );
  return result.ok ? { ok: true } : { ok: false, error: result.error };
}
