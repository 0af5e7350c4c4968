/**
 * Everything the report shows from evidence goes through `text()`: key, project and owner names,
 * reasons, ids come from the OpenAI API or from people typing in Slack, so any of them may hold
 * markup (`<script>`), quotes that would close an attribute, terminal control characters, or
 * bidirectional overrides that make a name read backwards. They are shown, never interpreted.
 */
import { neutralizeControlChars, neutralizeInvisibleLayout } from "../../util/control-chars.js";
import { redact } from "../../util/redact.js";

const HTML_SPECIAL: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes the five characters that mean something in HTML text and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_SPECIAL[ch] as string);
}

/**
 * What a reader may see of a value from the evidence: anything that looks like a full OpenAI or Slack
 * secret removed (configured secrets are removed when the evidence is read: read-run.ts), control and
 * invisible layout characters shown as escapes, then HTML-escaped. Safe in element content and in
 * double-quoted attributes.
 */
export function text(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const shown = neutralizeInvisibleLayout(neutralizeControlChars(redact(String(value))));
  return escapeHtml(shown);
}
