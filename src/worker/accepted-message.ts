import { findingBlockId } from "../report/slack/finding-actions.js";
import { clip, safe } from "../report/slack/mrkdwn.js";

const SECTION_TEXT_MAX = 3000;

interface MessageLike {
  text: string;
  blocks: unknown[];
}

/**
 * The message an Accept-risk button was on, after the risk was accepted: the finding's block loses
 * its button and says who accepted it, until when and why. Every other block stays as Slack sent it.
 */
export function markAccepted(
  message: MessageLike,
  fingerprint: string,
  acceptance: { accepted_by_name: string; expires: string; reason: string },
): MessageLike {
  const id = findingBlockId(fingerprint);
  const note = `:white_check_mark: accepted by ${safe(acceptance.accepted_by_name, 100)} until ${safe(acceptance.expires, 10)}: ${safe(acceptance.reason, 500)}`;
  const blocks = message.blocks.map((block) => {
    const section = block as { type?: string; block_id?: string; text?: { type: string; text: string }; accessory?: unknown };
    if (section.type !== "section" || section.block_id !== id || !section.text) return block;
    const { accessory: _button, ...rest } = section;
    const text = `${section.text.text}\n${note}`;
    return { ...rest, text: { ...section.text, text: text.length > SECTION_TEXT_MAX ? `${clip(section.text.text, SECTION_TEXT_MAX - note.length - 1)}\n${note}` : text } };
  });
  return { text: message.text || "Keywarden finding", blocks };
}
