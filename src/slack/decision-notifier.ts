/**
 * Slack as the decisions use it (decide/ports.ts `Notifier`): forms opened (Revoke…, Re-enable), request messages posted
 * and updated, owners looked up and told, and an acceptance shown where its button was. Rendering is
 * remediation-blocks.ts, accept-modal.ts and accepted-message.ts; this only delivers.
 */
import type { WebClient } from "@slack/web-api";
import type { AcceptanceShown, Notifier } from "../decide/ports.js";
import type { AcceptancePrompt } from "../model/acceptance.js";
import type { AuditRun } from "../model/run.js";
import { redact } from "../util/redact.js";
import { acceptanceModal } from "./accept-modal.js";
import { acceptanceNotice, reportPageWithAcceptances } from "./accepted-message.js";
import { ownerInSlack } from "./key-owner.js";
import { reenableModal } from "./reenable-blocks.js";
import { requestMessage, revokeModal } from "./remediation-blocks.js";
import type { RenderSlackOptions } from "./render.js";

export interface DecisionNotifierOptions {
  client: WebClient;
  /** The report channel: where requests are posted. */
  channel: string;
  /** Every configured secret: none reaches Slack. */
  secrets: readonly string[];
  /** How the channel report is rendered, to rebuild one of its messages after an acceptance. */
  report: RenderSlackOptions;
}

/** What the owner is told happened to their key, by action (a deletion or demotion: "revoked"). */
const OWNER_TOLD: Partial<Record<string, string>> = { disable_key: "disabled", reenable_key: "re-enabled" };

export function slackDecisionNotifier({ client, channel, secrets, report }: DecisionNotifierOptions): Notifier {
  return {
    ownerInSlack: (finding) => ownerInSlack(client, finding),
    async openRevokeForm(triggerId, form) {
      // Names come fresh from the API: a secret a key's name holds goes before Slack sees it.
      await client.views.open({ trigger_id: triggerId, view: JSON.parse(redact(JSON.stringify(revokeModal(form)), secrets)) as never });
    },
    async openReenableForm(triggerId, form) {
      await client.views.open({ trigger_id: triggerId, view: JSON.parse(redact(JSON.stringify(reenableModal(form)), secrets)) as never });
    },
    async postRequest(request) {
      const posted = await client.chat.postMessage({ channel, ...requestMessage(request) } as never);
      return posted.channel && posted.ts ? { channel: posted.channel, ts: posted.ts } : null;
    },
    async updateRequest(message, request) {
      const rendered = requestMessage(request);
      await client.chat.update({ channel: message.channel, ts: message.ts, text: rendered.text, blocks: rendered.blocks as never });
    },
    async tellOwnerRevoked(ownerId, request) {
      const message = requestMessage(request);
      const intro = `A key of yours was ${OWNER_TOLD[request.action.kind] ?? "revoked"} by Keywarden:`;
      await client.chat.postMessage({ channel: ownerId, text: `${intro} ${message.text}`, blocks: [{ type: "section", text: { type: "mrkdwn", text: intro } }, ...message.blocks] as never });
    },
    async openAcceptForm(triggerId, form) {
      const opened = await client.views.open({ trigger_id: triggerId, view: acceptanceModal(form.finding, form.runId, form.maxDays, form.now) as never });
      return opened.view?.id;
    },
    showAcceptance: (shown) => showAcceptance(client, shown, report),
  };
}

/**
 * A reply of the run's channel report is rendered again from the stored run and updated in place;
 * any other message (an owner's) gets a new reply in its thread instead, since Keywarden keeps no
 * record to rebuild it from.
 */
async function showAcceptance(client: WebClient, { prompt, run, finding, acceptance, inForce }: AcceptanceShown, report: RenderSlackOptions): Promise<void> {
  const page = run ? reportPageWithAcceptances(run, finding.fingerprint, inForce, report) : null;
  if (run && page && isDeliveredReply(run, page.index, prompt)) {
    await client.chat.update({ channel: prompt.channel, ts: prompt.message_ts, text: page.message.text, blocks: page.message.blocks as never });
    return;
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
