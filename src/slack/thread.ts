import { type ButtonElement, type OverflowElement, SLACK_LIMITS, type SlackBlock, type SlackMessage, section } from "./blocks.js";
import { clip, safe } from "./mrkdwn.js";

/**
 * Packs list items (findings, resolved findings, …) into as many thread
 * messages as needed. Every item lands in exactly one message, each message
 * stays within Slack's limits, and each item is its own section whose
 * block_id says what it is (`f-<fingerprint>` for a finding).
 */
export type ThreadItemKind = "not_seen" | "failure" | "finding" | "resolved" | "exempted" | "notice";

export interface ThreadItem {
  kind: ThreadItemKind;
  blockId: string;
  /** mrkdwn, already escaped. */
  text: string;
  /** A button beside the item (a finding's Accept risk). */
  accessory?: ButtonElement | OverflowElement;
  /** mrkdwn, already escaped: the group the item is listed under (a finding's account, when a run has several), with its own heading and numbering. */
  group?: string;
}

const KIND_TITLE: Record<ThreadItemKind, string> = {
  not_seen: "Not seen",
  failure: "Failure details",
  finding: "Findings",
  resolved: "Resolved since the last run",
  exempted: "Exempted",
  notice: "Exemption notices",
};

/** Most items per message: keeps one message about a screen of reading. */
export const MAX_ITEMS_PER_THREAD_MESSAGE = 40;
const HEADING_RESERVE = 200;
/** Longer items are clipped (a finding never is: FINDING_TEXT_MAX is below it, so its link stays whole). */
const ITEM_MAX = SLACK_LIMITS.sectionText - 100;
const MESSAGE_BUDGET = SLACK_LIMITS.messageText - 1000;

export interface PackedThread {
  messages: SlackMessage[];
  /** Findings listed in each message, in the same order. */
  findingCounts: number[];
}

/** Items of one kind and group are listed under one heading and numbered together. */
function listOf(item: { kind: ThreadItemKind; group?: string | undefined }): string {
  return item.group === undefined ? item.kind : `${item.kind}\u0000${item.group}`;
}

export function packThread(items: readonly ThreadItem[], opts: { channel: string; runId: string }): PackedThread {
  const totals = new Map<string, number>();
  for (const item of items) totals.set(listOf(item), (totals.get(listOf(item)) ?? 0) + 1);

  const ids = new Set<string>();
  const prepared = items.map((item) => ({ ...item, text: clip(item.text, ITEM_MAX), blockId: uniqueId(item.blockId, ids) }));

  const pages: (typeof prepared)[] = [];
  let page: typeof prepared = [];
  let blocks = 1;
  let chars = HEADING_RESERVE;
  for (const item of prepared) {
    const last = page[page.length - 1];
    const kindChange = last !== undefined && listOf(last) !== listOf(item);
    const addBlocks = kindChange ? 2 : 1;
    const addChars = item.text.length + (kindChange ? HEADING_RESERVE : 0);
    if (
      page.length > 0 &&
      (blocks + addBlocks > SLACK_LIMITS.blocksPerMessage || chars + addChars > MESSAGE_BUDGET || page.length >= MAX_ITEMS_PER_THREAD_MESSAGE)
    ) {
      pages.push(page);
      page = [item];
      blocks = 2;
      chars = HEADING_RESERVE + item.text.length;
      continue;
    }
    page.push(item);
    blocks += addBlocks;
    chars += addChars;
  }
  if (page.length > 0) pages.push(page);

  const seen = new Map<string, number>();
  const messages: SlackMessage[] = [];
  const findingCounts: number[] = [];
  for (const items of pages) {
    const runs = kindRuns(items);
    const ranges = runs.map((run) => {
      const list = listOf(run);
      const from = (seen.get(list) ?? 0) + 1;
      const to = from + run.items.length - 1;
      seen.set(list, to);
      const total = totals.get(list) ?? to;
      return `${run.group === undefined ? "" : `${run.group} — `}${KIND_TITLE[run.kind]} ${from === to ? from : `${from}–${to}`} of ${total}`;
    });
    const blocks: SlackBlock[] = [];
    runs.forEach((run, i) => {
      blocks.push(section(`*${ranges[i]}*`));
      for (const item of run.items) blocks.push(item.accessory ? { ...section(item.text, item.blockId), accessory: item.accessory } : section(item.text, item.blockId));
    });
    messages.push({ channel: opts.channel, text: clip(`Keywarden ${safe(opts.runId, 100)}: ${ranges.join("; ")}`, SLACK_LIMITS.fallbackText), blocks });
    findingCounts.push(items.filter((item) => item.kind === "finding").length);
  }
  return { messages, findingCounts };
}

function kindRuns<T extends { kind: ThreadItemKind; group?: string | undefined }>(items: readonly T[]): { kind: ThreadItemKind; group?: string | undefined; items: T[] }[] {
  const runs: { kind: ThreadItemKind; group?: string | undefined; items: T[] }[] = [];
  for (const item of items) {
    const last = runs[runs.length - 1];
    if (last && listOf(last) === listOf(item)) last.items.push(item);
    else runs.push({ kind: item.kind, ...(item.group === undefined ? {} : { group: item.group }), items: [item] });
  }
  return runs;
}

/** Slack refuses a message with two equal block_ids; they must also stay ≤ 255 characters. */
function uniqueId(raw: string, ids: Set<string>): string {
  const base = raw.replace(/[^A-Za-z0-9_.:-]/g, "_").slice(0, SLACK_LIMITS.blockId - 8);
  let id = base;
  for (let n = 2; ids.has(id); n++) id = `${base}~${n}`;
  ids.add(id);
  return id;
}
