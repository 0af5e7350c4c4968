/** The keys a remediation affects, as its modal and request message list them: by name up to KEYS_SHOWN, then by id. */
import type { AffectedKey } from "../model/remediation.js";
import { packLines, safe } from "./mrkdwn.js";

/** Keys listed by name in a modal or message; the rest are counted. */
const KEYS_SHOWN = 20;

function keyLine(key: AffectedKey, now: Date): string {
  if (key.last_used_unknown !== undefined) {
    return `• ${key.name ? `*${safe(key.name, 100)}* ` : ""}\`${safe(key.id, 80)}\` ${safe(key.redacted_value, 40)} · :warning: *last use unknown*: ${safe(key.last_used_unknown, 300)}`;
  }
  const used = key.last_used_at ? `last used ${safe(key.last_used_at.slice(0, 16).replace("T", " "), 20)} UTC${recent(key.last_used_at, now) ? " :warning: *in the last 24 h*" : ""}` : "never used";
  return `• ${key.name ? `*${safe(key.name, 100)}* ` : ""}\`${safe(key.id, 80)}\` ${safe(key.redacted_value, 40)} · ${used}`;
}

function recent(iso: string, now: Date): boolean {
  const at = Date.parse(iso);
  return Number.isNaN(at) || now.getTime() - at < 24 * 3_600_000;
}

export function keyList(keys: readonly AffectedKey[], now: Date): string {
  const lines = keys.slice(0, KEYS_SHOWN).map((key) => keyLine(key, now));
  if (keys.length > KEYS_SHOWN) lines.push(`…and ${keys.length - KEYS_SHOWN} more, by id below`);
  return lines.join("\n");
}

/** Sections naming, by id, every key past the first KEYS_SHOWN: whoever confirms or approves sees every key that goes. */
export function remainingKeyIds(keys: readonly AffectedKey[], maxSections: number): Record<string, unknown>[] {
  const rest = keys.slice(KEYS_SHOWN).map((key) => `\`${safe(key.id, 80)}\``);
  if (rest.length === 0) return [];
  const chunks = packLines(rest, 2_900).map((chunk) => chunk.replaceAll("\n", " "));
  const shown = chunks.slice(0, maxSections);
  const blocks = shown.map((text) => ({ type: "section", text: { type: "mrkdwn", verbatim: true, text } }));
  if (chunks.length > shown.length) {
    // Only an account with thousands of keys gets here; GET /remediations lists them all.
    blocks.push({ type: "section", text: { type: "mrkdwn", verbatim: true, text: `…more key ids than a Slack message holds: GET /remediations lists all ${keys.length}.` } });
  }
  return blocks;
}

