/** Small, locale-free formatting for the report: the same evidence always gives the same page. */
import { text } from "./escape.js";

export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"] as const;
export type SeverityName = (typeof SEVERITY_ORDER)[number];

/** `2026-11-23T06:00:00.000Z` → `2026-11-23 06:00 UTC` (without ` UTC` where a heading says so); anything else is shown as it is (escaped). */
export function when(iso: string | null | undefined, utc = true): string {
  if (!iso) return "";
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? `<time datetime="${text(iso)}">${match[1]} ${match[2]}${utc ? " UTC" : ""}</time>` : text(iso);
}

/** The date part of an ISO time, or the text as it is (escaped). */
export function day(iso: string | null | undefined): string {
  if (!iso) return "";
  const match = /^\d{4}-\d{2}-\d{2}/.exec(iso);
  return match ? `<time datetime="${match[0]}">${match[0]}</time>` : text(iso);
}

/** Ids longer than this (none that Keywarden or the API writes) are cut, visibly: an id is kept on one line. */
const MAX_ID_LENGTH = 80;

/** An id (run, key, rule, control, Slack user) as code, on one line, escaped. */
export function ident(value: string | null | undefined): string {
  if (!value) return "";
  const clipped = value.length > MAX_ID_LENGTH ? `${text(value.slice(0, MAX_ID_LENGTH))}…` : text(value);
  return `<code class="id">${clipped}</code>`;
}

/** `1 run`, `3 runs`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A status word as a labelled badge (colour and the word itself, so it prints in grey too). */
export function badge(status: string | null | undefined): string {
  const word = status ?? "unknown";
  const kind = /^[a-z_]+$/.test(word) ? word : "other";
  return `<span class="badge b-${kind}">${text(word.replaceAll("_", " "))}</span>`;
}

/** A table cell holding a value that may be missing: an em dash says "not recorded". */
export function orDash(html: string): string {
  return html === "" ? `<span class="none" title="not recorded">—</span>` : html;
}

/**
 * A table from a header row and rows of cell HTML (already escaped). With `widths` (percentages,
 * one per column), the columns are fixed: what the evidence holds, however long, wraps inside them
 * instead of squeezing the others (and an email or an id is not cut while there is room).
 */
export function table(className: string, headers: readonly string[], rows: readonly (readonly string[])[], widths?: readonly number[]): string {
  const head = headers.map((h) => `<th scope="col">${h}</th>`).join("");
  const body = rows.map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table class="${className}${widths ? " fixed" : ""}">\n${widths ? colgroup(widths) : ""}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Column widths of a fixed table, in percent. */
export function colgroup(widths: readonly number[]): string {
  return `<colgroup>${widths.map((w) => `<col class="w${w}">`).join("")}</colgroup>\n`;
}
