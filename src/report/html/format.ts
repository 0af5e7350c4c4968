/** Small, locale-free formatting for the report: the same evidence always gives the same page. */
import { type Html, type HtmlValue, html, joined } from "./markup.js";

export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "info"] as const;
export type SeverityName = (typeof SEVERITY_ORDER)[number];

/** `2026-11-23T06:00:00.000Z` → `2026-11-23 06:00 UTC` (without ` UTC` where a heading says so); anything else is shown as it is. */
export function when(iso: string | null | undefined, utc = true): Html {
  if (!iso) return html``;
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(iso);
  return match ? html`<time datetime="${iso}">${match[1]} ${match[2]}${utc ? " UTC" : ""}</time>` : html`${iso}`;
}

/** The date part of an ISO time, or the text as it is. */
export function day(iso: string | null | undefined): Html {
  if (!iso) return html``;
  const match = /^\d{4}-\d{2}-\d{2}/.exec(iso);
  return match ? html`<time datetime="${match[0]}">${match[0]}</time>` : html`${iso}`;
}

/** Ids longer than this (none that Keywarden or the API writes) are cut, visibly: an id is kept on one line. */
const MAX_ID_LENGTH = 80;

/** An id (run, key, rule, control, Slack user) as code, on one line. */
export function ident(value: string | null | undefined): Html {
  if (!value) return html``;
  const clipped = value.length > MAX_ID_LENGTH ? html`${value.slice(0, MAX_ID_LENGTH)}…` : html`${value}`;
  return html`<code class="id">${clipped}</code>`;
}

/** `1 run`, `3 runs`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A status word as a labelled badge (colour and the word itself, so it prints in grey too). */
export function badge(status: string | null | undefined): Html {
  const word = status ?? "unknown";
  const kind = /^[a-z_]+$/.test(word) ? word : "other";
  return html`<span class="badge b-${kind}">${word.replaceAll("_", " ")}</span>`;
}

/** A table cell holding a value that may be missing: an em dash says "not recorded". */
export function orDash(value: Html | string | null | undefined): Html {
  return value === null || value === undefined || `${value}` === "" ? html`<span class="none" title="not recorded">—</span>` : html`${value}`;
}

/**
 * A table from a header row and rows of cells. With `widths` (percentages, one per column), the
 * columns are fixed: what the evidence holds, however long, wraps inside them instead of squeezing
 * the others (and an email or an id is not cut while there is room).
 */
export function table(className: string, headers: readonly string[], rows: readonly (readonly HtmlValue[])[], widths?: readonly number[]): Html {
  const head = headers.map((h) => html`<th scope="col">${h}</th>`);
  const body = joined(
    rows.map((cells) => html`<tr>${cells.map((c) => html`<td>${c}</td>`)}</tr>`),
    html`\n`,
  );
  return html`<table class="${className}${widths ? " fixed" : ""}">\n${widths ? colgroup(widths) : ""}<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** Column widths of a fixed table, in percent. */
export function colgroup(widths: readonly number[]): Html {
  return html`<colgroup>${widths.map((w) => html`<col class="w${w}">`)}</colgroup>\n`;
}
