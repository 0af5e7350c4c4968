import { actionsFor } from "../decide/actions.js";
import type { RunFinding } from "../model/run.js";
import { SLACK_LIMITS, type SlackBlock, type SlackMessage, section } from "./blocks.js";
import { findingBlockId } from "./finding-actions.js";
import { findingText, plural } from "./format.js";
import { clip, inlineCode, safe } from "./mrkdwn.js";
import { sortFindings } from "./order.js";
import { findingAccessory } from "./remediation-blocks.js";

/**
 * What the hourly watch (issue 20) says in the report channel: one compact message for the new
 * findings of a firing, each with the Accept / Revoke actions of the report's thread (their value
 * names the firing, as a report's names its run), and a one-line notice when an account's audit log
 * cannot be read. No inventory, no counts of the organization: a firing sees only what changed.
 */
export interface WatchMessageOptions {
  channel: string;
  /** Accept-risk buttons only when Keywarden can verify the click (SLACK_SIGNING_SECRET). */
  acceptButtons: boolean;
  /** The Revoke… option too (REMEDIATION is not off). */
  revokeMenu: boolean;
}

/** Findings per message: a screen of reading, far below Slack's 50 blocks. */
const FINDINGS_PER_MESSAGE = 20;
const MESSAGE_BUDGET = SLACK_LIMITS.messageText - 1000;

/** The firing's new findings, worst first, in as few messages as Slack's limits allow (one, nearly always). */
export function renderWatchMessages(firingId: string, findings: readonly RunFinding[], opts: WatchMessageOptions): SlackMessage[] {
  const sorted = sortFindings(findings);
  const pages: RunFinding[][] = [];
  let page: RunFinding[] = [];
  let chars = 0;
  for (const finding of sorted) {
    const size = Math.min(findingText(finding).length, SLACK_LIMITS.sectionText);
    if (page.length > 0 && (page.length >= FINDINGS_PER_MESSAGE || chars + size > MESSAGE_BUDGET)) {
      pages.push(page);
      page = [];
      chars = 0;
    }
    page.push(finding);
    chars += size;
  }
  if (page.length > 0) pages.push(page);

  const id = inlineCode(clip(firingId, 100));
  return pages.map((items, index) => {
    const part = pages.length > 1 ? ` (part ${index + 1} of ${pages.length})` : "";
    const intro = `:eyes: *Keywarden watch*: ${plural(sorted.length, "new finding")} on keys created or changed since the last audit${part}. Checked at once, between audits (${id}); the weekly audit still checks every key.`;
    const blocks: SlackBlock[] = [section(intro, "watch-intro")];
    for (const f of items) {
      const text = clip(findingText(f), SLACK_LIMITS.sectionText);
      const accessory = opts.acceptButtons ? { accessory: findingAccessory({ runId: firingId, fingerprint: f.fingerprint }, opts.revokeMenu && actionsFor(f, []).length > 0) } : {};
      blocks.push({ ...section(text, findingBlockId(f.fingerprint)), ...accessory });
    }
    const named = items.map((f) => `${f.severity} ${f.rule_id} on ${f.key.name ?? f.key.id}`).join("; ");
    return { channel: opts.channel, text: clip(`Keywarden watch: ${plural(sorted.length, "new finding")}${part}: ${safe(named, 3000)}`, SLACK_LIMITS.fallbackText), blocks };
  });
}

/** A sentence about one account, said once in the channel (its audit log cannot be read). */
export function renderWatchNotice(text: string, channel: string): SlackMessage {
  const line = `:warning: *Keywarden watch*: ${safe(text, 2500)}`;
  return { channel, text: clip(`Keywarden watch: ${safe(text, 2500)}`, SLACK_LIMITS.fallbackText), blocks: [section(line, "watch-notice")] };
}
