/**
 * RFC 4180 CSV that is safe to open in a spreadsheet: CRLF line ends, fields
 * quoted when they hold `,` `"` CR LF or leading/trailing spaces, quotes
 * doubled; and any cell whose text would start a formula is prefixed with `'`
 * (OWASP "CSV injection"). Every line, the last one included, ends with CRLF.
 */
export type CsvCell = string | number | boolean | null;

/** First characters a spreadsheet may read as the start of a formula (LF added to the OWASP list: some importers strip it). */
const FORMULA_START = new Set(["=", "+", "-", "@", "\t", "\r", "\n"]);
const NEEDS_QUOTES = /[",\r\n]|^ | $/;

export function toCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(formatCell).join(","));
  return lines.map((line) => `${line}\r\n`).join("");
}

export function formatCell(cell: CsvCell): string {
  const text = neutralize(cell === null ? "" : String(cell));
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function neutralize(text: string): string {
  return FORMULA_START.has(text.charAt(0)) ? `'${text}` : text;
}
