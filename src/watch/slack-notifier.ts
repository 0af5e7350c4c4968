import type { Config } from "../config.js";
import type { RunFinding } from "../model/run.js";
import type { Policy } from "../policy/schema.js";
import { deliverOwnerMessages } from "../slack/owner-delivery.js";
import { createOwnerDirectory } from "../slack/owner-directory.js";
import { planOwnerMessages } from "../slack/owner-messages.js";
import { createSlackClient } from "../slack/send.js";
import { renderWatchMessages, renderWatchNotice } from "../slack/watch-message.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import type { WatchNotifier } from "./ports.js";

type NotifierSettings = Pick<Config, "slackSigningSecret" | "remediation" | "notifyOwners" | "ownerMessagesMax" | "secrets"> & { slack: NonNullable<Config["slack"]> };

/**
 * The watch's Slack: its compact message and notices in the report channel, and, with
 * SLACK_NOTIFY_OWNERS, each owner's message about their new findings (the run's owner messages,
 * their Accept-risk buttons naming the firing). A channel post that fails throws (the firing then
 * keeps its place for the next one); an owner message that fails is logged.
 */
export function slackWatchNotifier(settings: NotifierSettings, policy: Policy | undefined, fetchImpl?: typeof fetch): WatchNotifier {
  const { slack, secrets } = settings;
  const client = createSlackClient({ token: slack.botToken, apiUrl: slack.apiUrl, secrets, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  const post = async (message: { channel: string; text: string; blocks: unknown[] }) => {
    await client.chat.postMessage({ channel: message.channel, text: message.text, blocks: message.blocks as never, unfurl_links: false, unfurl_media: false });
  };
  return {
    async postFindings(firingId, findings) {
      const options = { channel: slack.channel, acceptButtons: settings.slackSigningSecret !== undefined, revokeMenu: settings.remediation.mode !== "off" };
      for (const message of renderWatchMessages(firingId, findings, options)) await post(message);
    },
    postNotice: (text) => post(renderWatchNotice(text, slack.channel)),
    async tellOwners(firingId, policyName, findings, at) {
      if (!settings.notifyOwners) return;
      try {
        const resolutions = await createOwnerDirectory(client, { routes: policy?.owners ?? [], secrets }).resolveAll(findings);
        const run = { id: firingId, finished_at: at, policy: { name: policyName }, findings: findings as RunFinding[] };
        const plan = planOwnerMessages(run, resolutions, { reportChannel: slack.channel, now: at, maxMessages: settings.ownerMessagesMax });
        const result = await deliverOwnerMessages(client, plan, { secrets });
        if (result.failed > 0) log.error(`keywarden ${firingId}: ${result.failed} owner message(s) of the watch not delivered`);
      } catch (error) {
        log.error(`keywarden ${firingId}: the watch's owner messages failed: ${redact(error instanceof Error ? error.message : String(error), secrets)}`);
      }
    },
  };
}
