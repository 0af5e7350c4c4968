import type { AnyBlock, Button, ContextBlock, DividerBlock, HeaderBlock, KnownBlock, MrkdwnElement, Overflow, PlainTextOption, SectionBlock } from "@slack/types";

/**
 * A button Keywarden's interactivity endpoint can act on: it dispatches on `action_id`, and
 * `value` (at most 2,000 characters) names the finding or request.
 */
export type ButtonElement = Button & { action_id: string; value: string };
/** A "…" menu: 2 to 5 options, each value (at most 150 characters) naming what was chosen. */
export type OverflowElement = Omit<Overflow, "options"> & { action_id: string; options: (PlainTextOption & { value: string })[] };

/**
 * The blocks Keywarden emits: a subset of Block Kit (types from @slack/types, so what is
 * rendered is exactly what chat.postMessage accepts), with the limits Slack enforces
 * (https://docs.slack.dev/reference/block-kit/blocks).
 */
export type SlackBlock = HeaderBlock | SectionBlock | ContextBlock | DividerBlock;

/** A message's content, wherever it goes: its fallback text and its blocks (remediation requests use the whole of Block Kit). */
export interface MessageBody<B extends AnyBlock = KnownBlock> {
  text: string;
  blocks: B[];
}

export interface SlackMessage {
  channel: string;
  /** Notification and screen-reader fallback; always set. */
  text: string;
  blocks: SlackBlock[];
}

export const SLACK_LIMITS = {
  blocksPerMessage: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 3000,
  blockId: 255,
  /** chat.postMessage: "limit the number of characters in the text field to 4,000". */
  fallbackText: 4000,
  /**
   * Not documented: Slack has been seen to reject messages whose blocks hold
   * ~13k characters in total (`msg_blocks_too_long`, bolt-js#2509). We stay below.
   */
  messageText: 12_000,
} as const;

/** Mrkdwn that Slack shows verbatim: no auto-linking of URLs, channel names or mentions. */
export function mrkdwn(text: string): MrkdwnElement {
  return { type: "mrkdwn", text, verbatim: true };
}

export function section(text: string, blockId?: string): SectionBlock {
  return blockId === undefined ? { type: "section", text: mrkdwn(text) } : { type: "section", block_id: blockId, text: mrkdwn(text) };
}

/** Every text of a block, for budgeting and checks. */
export function blockTexts(block: SlackBlock): string[] {
  switch (block.type) {
    case "header":
      return [block.text.text];
    case "section":
      return [...(block.text ? [block.text.text] : []), ...(block.fields ?? []).map((f) => f.text)];
    case "context":
      return block.elements.flatMap((e) => (e.type === "image" ? [] : [e.text]));
    case "divider":
      return [];
  }
}

export function blockChars(block: SlackBlock): number {
  return blockTexts(block).reduce((n, t) => n + t.length, 0);
}

/** What Slack would refuse (or we promise not to send) in a message; empty when it is within every limit. */
export function messageProblems(message: SlackMessage): string[] {
  const problems: string[] = [];
  const L = SLACK_LIMITS;
  if (!message.text) problems.push("fallback text is empty");
  if (message.text.length > L.fallbackText) problems.push(`fallback text has ${message.text.length} > ${L.fallbackText} characters`);
  if (message.blocks.length > L.blocksPerMessage) problems.push(`${message.blocks.length} > ${L.blocksPerMessage} blocks`);
  const ids = new Set<string>();
  let total = 0;
  message.blocks.forEach((block, i) => {
    total += blockChars(block);
    if (block.block_id !== undefined) {
      if (block.block_id.length > L.blockId) problems.push(`block ${i}: block_id too long`);
      if (ids.has(block.block_id)) problems.push(`block ${i}: duplicate block_id ${block.block_id}`);
      ids.add(block.block_id);
    }
    switch (block.type) {
      case "header":
        if (block.text.text.length > L.headerText) problems.push(`block ${i}: header has ${block.text.text.length} > ${L.headerText} characters`);
        if (block.text.text.length === 0) problems.push(`block ${i}: empty header`);
        break;
      case "section":
        if (!block.text && !block.fields?.length) problems.push(`block ${i}: section without text or fields`);
        if (block.text && (block.text.text.length === 0 || block.text.text.length > L.sectionText)) problems.push(`block ${i}: section text has ${block.text.text.length} characters`);
        if ((block.fields?.length ?? 0) > L.sectionFields) problems.push(`block ${i}: more than ${L.sectionFields} fields`);
        for (const field of block.fields ?? []) if (field.text.length > L.fieldText) problems.push(`block ${i}: field has ${field.text.length} > ${L.fieldText} characters`);
        break;
      case "context":
        if (block.elements.length === 0 || block.elements.length > L.contextElements) problems.push(`block ${i}: context has ${block.elements.length} elements`);
        for (const element of block.elements) if (element.type !== "image" && element.text.length > L.contextText) problems.push(`block ${i}: context element too long`);
        break;
      case "divider":
        break;
    }
  });
  if (total > L.messageText) problems.push(`blocks hold ${total} > ${L.messageText} characters`);
  return problems;
}
