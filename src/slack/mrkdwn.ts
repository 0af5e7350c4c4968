/**
 * Text helpers for Slack mrkdwn. Every string that comes from the
 * organization (key names, owner names, project names, sentences) is
 * attacker-influenced: escaping `&`, `<` and `>` stops it from forming
 * `<!channel>` mentions, `<url|links>` or user pings.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Backticks would close an inline code span early. */
export function inlineCode(text: string): string {
  return `\`${escapeMrkdwn(oneLine(text).replace(/`/g, "'"))}\``;
}

const ELLIPSIS = "…";

/**
 * Shortens already-escaped text to at most `max` UTF-16 units, ending in "…",
 * without cutting an `&amp;`-style entity or a surrogate pair in half.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let cut = text.slice(0, Math.max(0, max - ELLIPSIS.length));
  cut = cut.replace(/&[a-z]{0,3}$/, "");
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut + ELLIPSIS;
}

/**
 * Control characters (newlines included) and bidi overrides become spaces, so
 * a key named "x\n:white_check_mark: ALL CLEAR" cannot fake a line of the report.
 */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g, " ");
}

/** A user string made safe for mrkdwn: one line, escaped, clipped to `max`. */
export function safe(text: string, max: number): string {
  // Escaping only lengthens text, so past `max` characters of the line it is cut anyway. Cut after oneLine,
  // which shortens text: cut before it, ("\n\n\nproduction-old", 10) came out as " producti", with no "…".
  const line = oneLine(text);
  const head = line.length > max ? line.slice(0, max + 1) : line;
  return clip(escapeMrkdwn(head), max);
}

/**
 * Joins lines into chunks of at most `max` characters (newline-separated).
 * A line longer than `max` is clipped; no line is ever dropped.
 */
export function packLines(lines: readonly string[], max: number): string[] {
  const chunks: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = clip(raw, max);
    if (current && current.length + 1 + line.length > max) {
      chunks.push(current);
      current = line;
    } else {
      current = current ? `${current}\n${line}` : line;
    }
  }
  if (current) chunks.push(current);
  return chunks;
}

/** `<url|label>` for an http(s) URL; null for anything else (never a `javascript:` or mention). */
export function slackLink(url: string, label: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return null;
  const href = parsed.toString().replace(/&/g, "&amp;").replace(/</g, "%3C").replace(/>/g, "%3E").replace(/\|/g, "%7C");
  return `<${href}|${label}>`;
}
