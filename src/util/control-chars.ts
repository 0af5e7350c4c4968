/** C0 and C1 control characters and DEL: what lets a name clear a screen or start a forged line. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * Makes text from the API safe for a log line or a terminal: every control character becomes a
 * visible escape (`\n`, `\x1b`), so a name can neither move the cursor nor start a line of its own.
 */
export function neutralizeControlChars(text: string): string {
  return text.replace(CONTROL, (ch) => {
    if (ch === "\n") return "\\n";
    if (ch === "\r") return "\\r";
    if (ch === "\t") return "\\t";
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}
