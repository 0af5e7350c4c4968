/**
 * RFC 4180 CSV that is safe to open in a spreadsheet: CRLF line ends, fields
 * quoted when they hold `,` `;` `"` CR LF or leading/trailing spaces, quotes
 * doubled; any cell whose text could start a formula is prefixed with `'`
 * (OWASP "CSV injection"); and control characters other than tab, CR and LF,
 * and bidi overrides, are written as visible escapes (`\x1b`, `\u202e`), as in
 * the text and HTML reports. Every line, the last one included, ends with CRLF.
 */
import { neutralizeForCsvCell } from "../util/control-chars.js";

export type CsvCell = string | number | boolean | null;

/**
 * Text a spreadsheet may read as a formula: `=` `+` `-` `@`, or their full-width
 * forms `＝` `＋` `－` `＠` (an IME types those, and some spreadsheets take them as
 * operators), at the start or after whitespace (which importers trim) and `;`/`,`
 * (cell boundaries in one locale or another: `;=cmd` is an empty cell then a
 * formula where `;` separates); or a leading tab, CR or LF (OWASP's list, plus
 * LF: some importers strip it).
 */
const FORMULA_START = /^[\s;,]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|^[\t\r\n]/u;
/** `;` is quoted too, so a spreadsheet that splits on `;` keeps the cell whole. */
const NEEDS_QUOTES = /[",;\r\n]|^ | $/;

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(formatCell).join(","));
  return lines.map((line) => `${line}\r\n`).join("");
}

export function formatCell(cell: CsvCell): string {
  // Escapes start with `\`, never a formula character: applied after the formula check, they cannot hide or make one.
  const text = neutralizeForCsvCell(neutralize(cell === null ? "" : String(cell)));
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The text, or the text after a `'` when a spreadsheet could evaluate it (the JSON files keep it as it was). */
export function neutralize(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}
