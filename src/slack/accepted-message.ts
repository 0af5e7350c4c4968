import type { AuditRun, RunFinding } from "../model/run.js";
import { section } from "./blocks.js";
import { findingBlockId } from "./finding-actions.js";
import { findingText } from "./format.js";
import { DEFAULT_ACCOUNT, keyAccount } from "../model/key-facts.js";
import { clip, safe } from "./mrkdwn.js";
import { type RenderSlackOptions, renderSlackReport } from "./render.js";

const SECTION_TEXT_MAX = 3000;

interface MessageLike {
  text: string;
  blocks: unknown[];
}

export interface ShownAcceptance {
  fingerprint: string;
  accepted_by_name: string;
  expires: string;
  reason: string;
}

function acceptedNote(acceptance: Omit<ShownAcceptance, "fingerprint">): string {
  return `:white_check_mark: accepted by ${safe(acceptance.accepted_by_name, 100)} until ${safe(acceptance.expires, 10)}: ${safe(acceptance.reason, 500)}`;
}

/**
 * A message Keywarden rendered, after a risk was accepted: the finding's block loses its button and
 * says who accepted it, until when and why. Every other block stays as it is.
 */
export function markAccepted(message: MessageLike, fingerprint: string, acceptance: Omit<ShownAcceptance, "fingerprint">): MessageLike {
  const id = findingBlockId(fingerprint);
  const note = acceptedNote(acceptance);
  const blocks = message.blocks.map((block) => {
    const section = block as { type?: string; block_id?: string; text?: { type: string; text: string }; accessory?: unknown };
    if (section.type !== "section" || section.block_id !== id || !section.text) return block;
    const { accessory: _button, ...rest } = section;
    const text = `${section.text.text}\n${note}`;
    return { ...rest, text: { ...section.text, text: text.length > SECTION_TEXT_MAX ? `${clip(section.text.text, SECTION_TEXT_MAX - note.length - 1)}\n${note}` : text } };
  });
  return { text: message.text || "Keywarden finding", blocks };
}

/**
 * The message of a run's channel report (a thread reply) that lists a finding, rendered again from the
 * stored run, with every acceptance in force shown on its findings: what Keywarden posted, never what
 * a click says was posted. Null when no thread message lists the finding.
 */
export function reportPageWithAcceptances(run: AuditRun, fingerprint: string, acceptances: readonly ShownAcceptance[], options: RenderSlackOptions): { index: number; message: MessageLike } | null {
  const thread = renderSlackReport(run, options).thread;
  const index = thread.findIndex((m) => m.blocks.some((b) => b.block_id === findingBlockId(fingerprint)));
  const page = thread[index];
  if (!page) return null;
  return { index, message: acceptances.reduce<MessageLike>((message, a) => markAccepted(message, a.fingerprint, a), { text: page.text, blocks: page.blocks }) };
}

/** A new message saying a finding's risk was accepted, built from the stored finding and acceptance (for messages Keywarden cannot rebuild). */
export function acceptanceNotice(finding: RunFinding, acceptance: Omit<ShownAcceptance, "fingerprint">): MessageLike {
  const note = acceptedNote(acceptance);
  return {
    text: clip(`Risk accepted: ${safe(finding.rule_id, 100)} on ${safe(finding.key.name ?? finding.key.id, 150)}`, 3000),
    // Standing alone, the notice names the finding's account unless it is the one default account.
    blocks: [section(`${clip(findingText(finding, { account: keyAccount(finding.key) !== DEFAULT_ACCOUNT }), SECTION_TEXT_MAX - note.length - 1)}\n${note}`, findingBlockId(finding.fingerprint))],
  };
}
