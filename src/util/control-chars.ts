/** C0 and C1 control characters and DEL: what lets a name clear a screen or start a forged line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** The same, but tab, CR and LF: RFC 4180 keeps those inside a quoted CSV cell. */
const CONTROL_BUT_TAB_AND_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** Bidirectional controls and line/paragraph separators: invisible, and they reorder or break what a reader sees. */
const INVISIBLE_LAYOUT = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g;

/**
 * Makes text from the API safe for a log line or a terminal: every control character becomes a
 * visible escape (`\n`, `\x1b`), so a name can neither move the cursor nor start a line of its own.
 */
export function neutralizeControlChars(text: string): string {
  return text.replace(CONTROL, escapeControl);
}

/** Bidirectional overrides (U+202E) and other invisible layout characters as visible `\u202e` escapes: a name cannot read backwards. */
export function neutralizeInvisibleLayout(text: string): string {
  return text.replace(INVISIBLE_LAYOUT, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/**
 * A CSV cell's text, as shown to whoever opens the file (in a terminal, a spreadsheet, Slack):
 * ESC sequences, other control characters and bidi overrides as visible escapes; tab, CR and LF
 * kept, since the cell is quoted around them.
 */
export function neutralizeForCsvCell(text: string): string {
  return neutralizeInvisibleLayout(text.replace(CONTROL_BUT_TAB_AND_LINE_BREAKS, escapeControl));
}

function escapeControl(ch: string): string {
  if (ch === "\n") return "\\n";
  if (ch === "\r") return "\\r";
  if (ch === "\t") return "\\t";
  return `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
}
