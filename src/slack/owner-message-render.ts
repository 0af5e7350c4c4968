import { SLACK_LIMITS, type SlackBlock, mrkdwn, section } from "./blocks.js";
import { acceptRiskButton, findingBlockId } from "./finding-actions.js";
import { findingText, plural } from "./format.js";
import { keyProvider } from "../model/key-facts.js";
import { PROVIDER_TITLE } from "../report/accounts.js";
import { clip, inlineCode, safe } from "./mrkdwn.js";
import { sortFindings } from "./order.js";
import { type NotifyReason, OWNER_FINDINGS_PER_MESSAGE, type OwnerGroup, type OwnerMessage, type OwnerMessageFinding, type OwnerMessageRun, type OwnerMessagesOptions, type OwnerSlackMessage } from "./owner-message-types.js";

const HEADER_RESERVE = 1200;
const MESSAGE_BUDGET = SLACK_LIMITS.messageText - 1000;

/**
 * One owner's message: a header and an intro, then their findings (worst first), each with its
 * Accept-risk button; when the list is long, the rest in thread replies of at most
 * OWNER_FINDINGS_PER_MESSAGE findings and within Slack's size for a message.
 */
export function renderOwnerMessage(
  group: OwnerGroup,
  run: OwnerMessageRun,
  opts: OwnerMessagesOptions & { maxFindingsPerOwner: number; byAccount: boolean },
): OwnerMessage {
  const why = new Map(group.due.map((d) => [d.finding.fingerprint, d.why]));
  const sorted = sortFindings(group.due.map((d) => d.finding)) as OwnerMessageFinding[];
  const listed = sorted.slice(0, opts.maxFindingsPerOwner);
  const notListed = sorted.length - listed.length;
  const items = listed.map((f) => ({ fingerprint: f.fingerprint, text: findingSectionText(f, why.get(f.fingerprint) === "reminder", opts.byAccount) }));

  const pages: (typeof items)[] = [];
  let page: typeof items = [];
  let chars = HEADER_RESERVE;
  for (const item of items) {
    if (page.length > 0 && (page.length >= OWNER_FINDINGS_PER_MESSAGE || chars + item.text.length > MESSAGE_BUDGET)) {
      pages.push(page);
      page = [];
      chars = HEADER_RESERVE;
    }
    page.push(item);
    chars += item.text.length;
  }
  pages.push(page);

  const report = channelRef(opts.reportChannel);
  const isUser = group.owner.kind === "user";
  const runId = inlineCode(clip(run.id, 100));
  const findingsWord = plural(sorted.length, "finding");
  const whose = isUser ? "your API keys" : "your projects' API keys";
  const counts = { new: 0, reminder: 0, listed: 0 };
  for (const d of group.due) counts[d.why]++;

  let from = 1;
  const messages = pages.map((items, i): OwnerSlackMessage => {
    const to = from + items.length - 1;
    const range = `${from === to ? `Finding ${from}` : `Findings ${from}–${to}`} of ${listed.length}`;
    from = to + 1;
    const blocks: SlackBlock[] = [];
    let text: string;
    if (i === 0) {
      const title = `Keywarden: ${findingsWord} on ${whose}`;
      text = `${title} (run ${safe(run.id, 100)})`;
      blocks.push({ type: "header", text: { type: "plain_text", text: clip(title, SLACK_LIMITS.headerText), emoji: false } });
      const routes = [...group.routes].map((r) => inlineCode(clip(r, 100))).join(", ");
      const assigned = `the policy's owners list assigns to ${isUser ? "you" : "this channel"}${routes ? ` (${routes})` : ""}`;
      const keys = `${providersOf(sorted)} API keys`;
      const where = !isUser ? `${keys} of projects ${assigned}` : routes ? `${keys} you own or ${assigned}` : `${keys} you own`;
      blocks.push(
        section(
          `The audit ${runId} (policy ${inlineCode(clip(run.policy.name, 100))}) found ${summary(counts, opts.remindAfterDays)} on ${where}. ` +
            `Fix each key, or press *Accept risk* to record why it stays. The full report is in ${report}.`,
          "intro",
        ),
      );
    } else {
      text = `${range} (Keywarden ${safe(run.id, 100)})`;
      blocks.push(section(`*${range}*`, "range"));
    }
    for (const item of items) blocks.push({ ...section(item.text, findingBlockId(item.fingerprint)), accessory: acceptRiskButton({ runId: run.id, fingerprint: item.fingerprint }) });
    if (i === pages.length - 1 && notListed > 0) {
      blocks.push({
        type: "context",
        block_id: "more",
        elements: [mrkdwn(`${plural(notListed, "more finding")} on ${whose} ${notListed === 1 ? "is" : "are"} not listed here: see the report in ${report}.`)],
      });
    }
    return { text: clip(text, SLACK_LIMITS.fallbackText), blocks };
  });

  return { owner: group.owner, findings: listed.map((f) => f.fingerprint), messages, not_listed: notListed };
}

/** "OpenAI", "Anthropic", "OpenAI and Anthropic": whose keys the findings are on. */
function providersOf(findings: readonly OwnerMessageFinding[]): string {
  const providers = [...new Set(findings.map((f) => keyProvider(f.key)))].sort().map((p) => PROVIDER_TITLE[p]);
  return providers.length > 1 ? `${providers.slice(0, -1).join(", ")} and ${providers.at(-1)}` : (providers[0] ?? PROVIDER_TITLE.openai);
}

function findingSectionText(f: OwnerMessageFinding, reminder: boolean, byAccount: boolean): string {
  const text = findingText(f, { account: byAccount });
  if (!reminder) return clip(text, SLACK_LIMITS.sectionText);
  const since = `:alarm_clock: Reminder: open since ${firstSeenDay(f.first_seen ?? "")}\n`;
  return since + clip(text, SLACK_LIMITS.sectionText - since.length);
}

function firstSeenDay(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : safe(iso, 40);
}

function summary(counts: Record<NotifyReason, number>, remindAfterDays: number | undefined): string {
  const parts: string[] = [];
  if (counts.new > 0) parts.push(plural(counts.new, "new finding"));
  if (counts.reminder > 0) parts.push(`${plural(counts.reminder, "finding")} still open after ${remindAfterDays ?? 0} days or more`);
  if (counts.listed > 0) parts.push(plural(counts.listed, "open finding"));
  return parts.length > 1 ? `${parts.slice(0, -1).join(", ")} and ${parts.at(-1)}` : (parts[0] ?? "no findings");
}

/** `<#C…>` for a channel id (Slack shows its name); anything else as inline code. */
function channelRef(channel: string): string {
  return /^[CG][A-Z0-9]+$/.test(channel) ? `<#${channel}>` : inlineCode(clip(channel, 100));
}
