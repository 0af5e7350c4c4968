import { checkPolicy } from "../policy/check.js";
import { safe } from "../slack/mrkdwn.js";
import { type OwnerDeliveryRecord, deliverOwnerMessages, ownerDeliveryRecordsSchema } from "../slack/owner-delivery.js";
import { createOwnerDirectory } from "../slack/owner-directory.js";
import { type OwnerMessagePlan, findingsDueForOwners, keyOwnerName, planOwnerMessages } from "../slack/owner-messages.js";
import { createSlackClient } from "../slack/send.js";
import { checked } from "../model/run-schema.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import { type AuditContext, errorMessage } from "./context.js";
import { loadRun } from "./load-run.js";
import type { AttemptInfo, StepOutcome } from "./step-outcome.js";

export interface OwnerMessagesOutcome {
  status: "off" | "sent";
  delivered: number;
  failed: number;
  records: OwnerDeliveryRecord[];
  not_sent: OwnerMessagePlan["notSent"];
  unreachable: OwnerMessagePlan["unreachable"];
}

/**
 * "tell owners" (SLACK_NOTIFY_OWNERS): after the channel report, one message per owner with only
 * their new findings (and, with the policy's remind_after_days, open ones due again). Owners are found
 * by email or the policy's `owners` routes; at most SLACK_OWNER_MESSAGES_MAX messages. What happened
 * to each owner is recorded on the run and carried to a retry, which never re-sends a delivered one.
 */
export async function tellOwners(ctx: AuditContext, { last, carried }: AttemptInfo): Promise<StepOutcome<OwnerMessagesOutcome>> {
  const off: OwnerMessagesOutcome = { status: "off", delivered: 0, failed: 0, records: [], not_sent: [], unreachable: [] };
  const config = ctx.settings();
  if (!config.notifyOwners || !config.slack) return { done: off };
  const { run_id: runId } = ctx.params;
  const run = await loadRun(ctx);
  const source = ctx.policy(ctx.params.policy);
  const checkedPolicy = source ? checkPolicy(source) : undefined;
  const policy = checkedPolicy?.ok ? checkedPolicy.policy : undefined;
  const remindAfterDays = policy?.remind_after_days;
  const now = run.finished_at;
  const firstSeen = remindAfterDays === undefined ? new Map<string, string>() : await ctx.history.firstSeen(ctx.params.policy);
  const findings = run.findings.map((f) => ({ ...f, first_seen: firstSeen.get(f.fingerprint) ?? null }));
  const due = findingsDueForOwners(findings, { newOnly: true, remindAfterDays, now });
  if (due.length === 0) return { done: { ...off, status: "sent" } };
  const client = createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets });
  const resolutions = await createOwnerDirectory(client, { routes: policy?.owners ?? [], secrets: config.secrets }).resolveAll(due);
  const plan = planOwnerMessages({ ...run, findings: due }, resolutions, {
    reportChannel: config.slack.channel,
    remindAfterDays,
    now,
    maxMessages: config.ownerMessagesMax,
  });
  const previous = carried === undefined ? run.owner_messages?.records : checked(ownerDeliveryRecordsSchema, carried, "the owner messages carried from the previous attempt");
  const result = await deliverOwnerMessages(client, plan, { previous: previous ?? [], secrets: config.secrets });
  const outcome: OwnerMessagesOutcome = { status: "sent", delivered: result.delivered, failed: result.failed, records: result.records, not_sent: plan.notSent, unreachable: plan.unreachable };
  await ctx.history.recordOwnerMessages(runId, outcome).catch((error: unknown) => {
    log.error(`keywarden ${runId}: the owner messages could not be recorded yet: ${redact(errorMessage(error), config.secrets)}`);
  });
  if (result.failed > 0 && !last) return { retry: `${result.failed} owner message(s) not delivered`, carry: result.records };
  if (result.failed > 0) log.error(`keywarden ${runId}: ${result.failed} owner message(s) not delivered for good`);
  return { done: outcome };
}

/**
 * "list owners in the report": a reply in the channel report's thread naming the owners who were not
 * messaged (beyond the cap, or unknown to Slack), so no finding's owner is left unmentioned.
 */
export async function listOwnersInReport(ctx: AuditContext, outcome: OwnerMessagesOutcome): Promise<{ posted: boolean }> {
  const config = ctx.settings();
  if (!config.slack || outcome.status !== "sent") return { posted: false };
  const { delivery } = await loadRun(ctx);
  if (delivery?.status !== "delivered" || !delivery.ts || !delivery.channel) return { posted: false };
  const text = ownerSummaryText(outcome, config.ownerMessagesMax);
  const client = createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets });
  await client.chat.postMessage({ channel: delivery.channel, thread_ts: delivery.ts, text, unfurl_links: false, unfurl_media: false });
  return { posted: true };
}

/** Owner messages in one reply: how many went out, and each owner not messaged, by name. */
export function ownerSummaryText(outcome: OwnerMessagesOutcome, cap: number): string {
  const lines = [`*Owner messages:* ${outcome.delivered} delivered${outcome.failed > 0 ? `, ${outcome.failed} failed` : ""}.`];
  if (outcome.not_sent.length > 0) {
    lines.push(`Not messaged (more than SLACK_OWNER_MESSAGES_MAX = ${cap} owners this run):`);
    for (const o of outcome.not_sent.slice(0, 50)) lines.push(`• ${o.owner.kind === "user" ? `<@${o.owner.id}>` : `<#${o.owner.id}>`}: ${o.findings} finding(s)`);
  }
  if (outcome.unreachable.length > 0) {
    lines.push("Not reachable in Slack (their findings are only in this report):");
    for (const u of outcome.unreachable.slice(0, 50)) {
      lines.push(`• ${safe(keyOwnerName(u.key_owner), 200)}: ${u.findings} finding(s) (${u.reason})`);
    }
  }
  return lines.join("\n").slice(0, 3900);
}
