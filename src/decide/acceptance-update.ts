import type { WebClient } from "@slack/web-api";
import type { AuditRun, RunFinding } from "../model/run.js";
import type { Config } from "../config.js";
import { type AcceptancePrompt, type NewAcceptance, AcceptanceStore, acceptanceStatus } from "../store/acceptances.js";
import { RunHistory } from "../store/run-history.js";
import { acceptanceNotice, reportPageWithAcceptances } from "../slack/accepted-message.js";
import { reportRenderOptions } from "../slack/notify.js";

/**
 * After an acceptance, shows it where the button was, from stored state only (the run, its findings,
 * the acceptances in D1): a click's payload can carry any message, and whoever holds the signing
 * secret must not be able to make Keywarden post it. A reply of the run's channel report is rendered
 * again and updated in place; any other message (an owner's) gets a new reply in its thread instead,
 * since Keywarden keeps no record to rebuild it from.
 */
export async function showAcceptance(env: Env, config: Config, client: WebClient, prompt: AcceptancePrompt, runId: string, finding: RunFinding, acceptance: NewAcceptance, now: Date): Promise<void> {
  if (!config.slack || prompt.fingerprint !== finding.fingerprint) return;
  const run = (await new RunHistory(env.DB).get(runId)) as AuditRun | null;
  if (run) {
    const inForce = (await new AcceptanceStore(env.DB).forPolicy(acceptance.policy_name)).filter((a) => acceptanceStatus(a, now) === "active");
    const options = reportRenderOptions({ ...config, slack: config.slack, revokeMenu: config.remediation.mode !== "off" });
    const page = reportPageWithAcceptances(run, finding.fingerprint, inForce, options);
    if (page && isDeliveredReply(run, page.index, prompt)) {
      await client.chat.update({ channel: prompt.channel, ts: prompt.message_ts, text: page.message.text, blocks: page.message.blocks as never });
      return;
    }
  }
  const notice = acceptanceNotice(finding, acceptance);
  await client.chat.postMessage({ channel: prompt.channel, thread_ts: prompt.message_ts, text: notice.text, blocks: notice.blocks as never, unfurl_links: false, unfurl_media: false });
}

/**
 * The clicked message is the very reply the run's delivery posted the finding's page as (recorded
 * when it was posted): only then is it updated in place. A click naming any other message (the main
 * report, a remediation request, another run's page) gets a new reply instead.
 */
function isDeliveredReply(run: AuditRun, pageIndex: number, prompt: AcceptancePrompt): boolean {
  const delivery = run.delivery;
  if (delivery?.status !== "delivered" || delivery.channel !== prompt.channel) return false;
  const ts = delivery.thread_ts?.[pageIndex];
  return ts !== undefined && ts !== "" && ts === prompt.message_ts;
}
