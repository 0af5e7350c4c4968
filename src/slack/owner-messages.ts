import type { AuditRun, RunFinding } from "../model/run.js";
import type { KeyOwner } from "../model/inventory.js";
import { severityRank } from "../model/severity.js";
import { SLACK_LIMITS, type SlackBlock, mrkdwn, section } from "./blocks.js";
import { acceptRiskButton, findingBlockId } from "./finding-actions.js";
import { findingText, plural } from "./format.js";
import { clip, inlineCode, safe } from "./mrkdwn.js";
import { sortFindings } from "./order.js";
import type { OwnerResolution } from "./owner-directory.js";

/**
 * The direct messages that tell owners about their keys' findings: one message per owner
 * per run (with thread replies when the list is long), listing only that owner's findings,
 * each with its Accept-risk button. Pure: no I/O, no clock.
 */

/** Where an owner message goes: a Slack user (a DM) or a channel named by an owners route. */
export type OwnerAddress = { kind: "user"; id: string } | { kind: "channel"; id: string };

export function ownerKey(owner: OwnerAddress): string {
  return `${owner.kind}:${owner.id}`;
}

/**
 * A run's finding, optionally with when it was first seen (ISO 8601 date or time, e.g. from
 * the finding history). Without `first_seen` an open finding is never due for a reminder.
 */
export type OwnerMessageFinding = RunFinding & { first_seen?: string | null };

export interface OwnerNotifyOptions {
  /** Default true: only findings whose `lifecycle` is "new" (open ones were sent before). false: every finding. */
  newOnly?: boolean;
  /** Also send an open finding again once it was first seen at least this many days before `now`. */
  remindAfterDays?: number;
  /** ISO 8601; default (planOwnerMessages) the run's `finished_at`. Needed for reminders. */
  now?: string;
}

export interface OwnerMessagesOptions extends OwnerNotifyOptions {
  /** The report channel's id, which every message points to. */
  reportChannel: string;
  /** SLACK_OWNER_MESSAGES_MAX: owners messaged per run; the rest are in `notSent`. Default 50. */
  maxMessages?: number;
  /** Findings listed per owner; beyond it the message says how many more are in the report channel. Default 100. */
  maxFindingsPerOwner?: number;
}

export const DEFAULT_OWNER_MESSAGES_MAX = 50;
export const DEFAULT_MAX_FINDINGS_PER_OWNER = 100;
/** Findings per Slack message: about a screen of reading, far below 50 blocks. */
export const OWNER_FINDINGS_PER_MESSAGE = 20;

/** A message without its channel: a user's D… channel is known only once the conversation is opened. */
export interface OwnerSlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface OwnerMessage {
  owner: OwnerAddress;
  /** Fingerprints of the findings listed, in order. */
  findings: string[];
  /** `messages[0]` is the message; the others are replies in its thread. */
  messages: OwnerSlackMessage[];
  /** This owner's due findings left out (beyond maxFindingsPerOwner); the message says so. */
  not_listed: number;
}

/** An owner who had findings to hear about but is beyond `maxMessages`. */
export interface OwnerNotSent {
  owner: OwnerAddress;
  findings: number;
}

/** Key owners nobody could be told about (their findings are in the report channel only). */
export interface OwnerUnreachable {
  key_owner: KeyOwner;
  reason: "not reachable" | "no owner";
  detail: string;
  findings: number;
}

/**
 * A key owner nobody could be told about, by name, in plain text (escape it for where it goes): a
 * user's email (else name, else id), or `service account <name>`. The report thread's reply and
 * `npm run demo` name them this way.
 */
export function keyOwnerName(owner: KeyOwner): string {
  return owner.type === "user" ? (owner.email ?? owner.name ?? owner.id) : `service account ${owner.name ?? owner.id}`;
}

export interface OwnerMessagePlan {
  run_id: string;
  /** Worst first (severity, then number of findings, then owner id). */
  messages: OwnerMessage[];
  notSent: OwnerNotSent[];
  unreachable: OwnerUnreachable[];
}

export type OwnerMessageRun = Pick<AuditRun, "id" | "finished_at"> & { policy: { name: string }; findings: readonly OwnerMessageFinding[] };

type Why = "new" | "reminder" | "listed";
const DAY_MS = 86_400_000;

/** Why a finding is sent to its owner this run, or null when it is not. */
function whyNotify(f: OwnerMessageFinding, opts: OwnerNotifyOptions): Why | null {
  if (f.lifecycle === "new") return "new";
  if (f.lifecycle === "open" && reminderDue(f, opts)) return "reminder";
  return opts.newOnly === false ? "listed" : null;
}

function reminderDue(f: OwnerMessageFinding, opts: OwnerNotifyOptions): boolean {
  const days = opts.remindAfterDays;
  if (days === undefined || !Number.isFinite(days) || days < 0 || !f.first_seen || !opts.now) return false;
  const firstSeen = Date.parse(f.first_seen);
  const now = Date.parse(opts.now);
  return Number.isFinite(firstSeen) && Number.isFinite(now) && now - firstSeen >= days * DAY_MS;
}

/** The findings owners hear about this run (to look up only their owners). */
export function findingsDueForOwners<F extends OwnerMessageFinding>(findings: readonly F[], opts: OwnerNotifyOptions): F[] {
  return findings.filter((f) => whyNotify(f, opts) !== null);
}

interface Due {
  finding: OwnerMessageFinding;
  why: Why;
}

/**
 * Groups a run's due findings by owner and renders each owner's message. Findings whose
 * owner resolved to the report channel (or are missing from `resolutions`) go to `unreachable`.
 */
export function planOwnerMessages(run: OwnerMessageRun, resolutions: ReadonlyMap<string, OwnerResolution>, opts: OwnerMessagesOptions): OwnerMessagePlan {
  const notify: OwnerNotifyOptions = { ...opts, now: opts.now ?? run.finished_at };
  const seen = new Set<string>();
  const owners = new Map<string, { owner: OwnerAddress; due: Due[]; routes: Set<string> }>();
  const unreachable = new Map<string, OwnerUnreachable>();

  for (const finding of run.findings) {
    if (seen.has(finding.fingerprint)) continue;
    seen.add(finding.fingerprint);
    const why = whyNotify(finding, notify);
    if (why === null) continue;
    const resolution = resolutions.get(finding.fingerprint) ?? { kind: "report_channel", reason: "not reachable", detail: "not resolved" };
    if (resolution.kind === "report_channel") {
      const key = JSON.stringify([finding.owner.type, finding.owner.id, resolution.reason, resolution.detail]);
      const entry = unreachable.get(key) ?? { key_owner: finding.owner, reason: resolution.reason, detail: resolution.detail, findings: 0 };
      entry.findings++;
      unreachable.set(key, entry);
      continue;
    }
    const owner: OwnerAddress = { kind: resolution.kind, id: resolution.id };
    const group = owners.get(ownerKey(owner)) ?? { owner, due: [], routes: new Set<string>() };
    group.due.push({ finding, why });
    if (resolution.route !== undefined) group.routes.add(resolution.route);
    owners.set(ownerKey(owner), group);
  }

  const ordered = [...owners.values()].sort(
    (a, b) => worstRank(b.due) - worstRank(a.due) || b.due.length - a.due.length || compare(ownerKey(a.owner), ownerKey(b.owner)),
  );
  const cap = Math.max(0, Math.floor(opts.maxMessages ?? DEFAULT_OWNER_MESSAGES_MAX));
  const perOwner = Math.max(1, Math.floor(opts.maxFindingsPerOwner ?? DEFAULT_MAX_FINDINGS_PER_OWNER));
  return {
    run_id: run.id,
    messages: ordered.slice(0, cap).map((group) => renderOwnerMessage(group, run, { ...opts, ...notify, maxFindingsPerOwner: perOwner })),
    notSent: ordered.slice(cap).map((group) => ({ owner: group.owner, findings: group.due.length })),
    unreachable: [...unreachable.values()].sort((a, b) => b.findings - a.findings || compare(a.key_owner.id, b.key_owner.id) || compare(a.detail, b.detail)),
  };
}

function worstRank(due: readonly Due[]): number {
  return Math.max(...due.map((d) => severityRank(d.finding.severity)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const HEADER_RESERVE = 1200;
const MESSAGE_BUDGET = SLACK_LIMITS.messageText - 1000;

function renderOwnerMessage(
  group: { owner: OwnerAddress; due: Due[]; routes: Set<string> },
  run: OwnerMessageRun,
  opts: OwnerMessagesOptions & { maxFindingsPerOwner: number },
): OwnerMessage {
  const why = new Map(group.due.map((d) => [d.finding.fingerprint, d.why]));
  const sorted = sortFindings(group.due.map((d) => d.finding)) as OwnerMessageFinding[];
  const listed = sorted.slice(0, opts.maxFindingsPerOwner);
  const notListed = sorted.length - listed.length;
  const items = listed.map((f) => ({ fingerprint: f.fingerprint, text: findingSectionText(f, why.get(f.fingerprint) === "reminder") }));

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
      const where = !isUser ? `OpenAI API keys of projects ${assigned}` : routes ? `OpenAI API keys you own or ${assigned}` : "OpenAI API keys you own";
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

function findingSectionText(f: OwnerMessageFinding, reminder: boolean): string {
  const text = findingText(f);
  if (!reminder) return clip(text, SLACK_LIMITS.sectionText);
  const since = `:alarm_clock: Reminder: open since ${firstSeenDay(f.first_seen ?? "")}\n`;
  return since + clip(text, SLACK_LIMITS.sectionText - since.length);
}

function firstSeenDay(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms).toISOString().slice(0, 10) : safe(iso, 40);
}

function summary(counts: Record<Why, number>, remindAfterDays: number | undefined): string {
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
