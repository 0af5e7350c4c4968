import type { TerminalStream } from "./io.js";

/** One status line that rewrites itself in place on a terminal (and writes nothing elsewhere). */
export interface ProgressLine {
  show(text: string): void;
  /** Erases the line, leaving the cursor at its start. */
  clear(): void;
}

const ERASE_LINE = "\r\x1b[2K";

/** Whether `stream` is a terminal that understands the escape code that erases a line. */
export function isInteractive(stream: TerminalStream, env: Record<string, string | undefined> = {}): boolean {
  return stream.isTTY === true && env.TERM !== "dumb";
}

/** A line on `stream` when it is interactive; otherwise one that stays silent. */
export function progressLine(stream: TerminalStream, env: Record<string, string | undefined> = {}): ProgressLine {
  if (!isInteractive(stream, env)) return { show() {}, clear() {} };
  let shown = false;
  return {
    show(text) {
      // Never wider than the terminal: a wrapped line can no longer be rewritten in place.
      const width = Math.max((stream.columns ?? 80) - 1, 20);
      stream.write(`${ERASE_LINE}${fitWidth(printable(text), width)}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write(ERASE_LINE);
      shown = false;
    },
  };
}

/** Names come from the API: control characters (escape sequences) are not passed to the terminal. */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

function fitWidth(text: string, width: number): string {
  const chars = [...text];
  return chars.length <= width ? text : `${chars.slice(0, width - 1).join("")}…`;
}
