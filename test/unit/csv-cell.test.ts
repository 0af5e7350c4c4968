import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatCell, toCsv } from "../../src/evidence/csv.js";
import { parseCsv } from "../support/csv-parse.js";

/** What a spreadsheet may evaluate: a formula character (ASCII or full-width) once whitespace and separators are dropped, or a leading tab/CR/LF. */
const FORMULA = /^[\s;,]*[=+\-@＝＋－＠]|^[\t\r\n]/u;

/** The cell as a spreadsheet reads it, in either kind of locale; it must be one cell. */
function readBack(cell: string): { comma: string; semicolon: string } {
  const csv = toCsv(["v"], [[cell]]);
  const comma = parseCsv(csv, ",");
  const semicolon = parseCsv(csv, ";");
  expect(comma.map((r) => r.length)).toEqual([1, 1]);
  expect(semicolon.map((r) => r.length), `a ; locale splits ${JSON.stringify(csv)}`).toEqual([1, 1]);
  return { comma: comma[1]![0]!, semicolon: semicolon[1]![0]! };
}

describe("formatCell: formula injection past the first character", () => {
  it.each([
    [";=HYPERLINK(\"http://x\")", `"';=HYPERLINK(""http://x"")"`],
    [";;=1+1", `"';;=1+1"`],
    [",=1+1", `"',=1+1"`],
    [" =1+1", "' =1+1"],
    ["  +1", "'  +1"],
    [" \t-1", "' \t-1"],
    ["\u00a0@SUM(A1)", "'\u00a0@SUM(A1)"],
    ["\u3000=1", "'\u3000=1"],
    ["; =1", `"'; =1"`],
  ])("prefixes %j, whose formula starts after whitespace or a separator", (cell, written) => {
    expect(formatCell(cell)).toBe(written);
    expect(readBack(cell)).toEqual({ comma: `'${cell}`, semicolon: `'${cell}` });
  });

  it.each(["＝1+1", "＋1", "－1", "＠SUM(A1)", " ＝1", ";＋1", "\t＠x"])("prefixes %j, which starts with a full-width formula character", (cell) => {
    expect(formatCell(cell)).toMatch(/^"?'/);
    expect(readBack(cell).comma).toBe(`'${cell}`);
  });

  it("quotes a cell holding a semicolon, so a semicolon locale keeps it one cell", () => {
    expect(formatCell("a;b")).toBe('"a;b"');
    expect(formatCell("never used; created 120 days ago")).toBe('"never used; created 120 days ago"');
    expect(toCsv(["a", "b"], [["x;=1", "y"]])).toBe('a,b\r\n"x;=1",y\r\n');
    expect(readBack("x;=1+1")).toEqual({ comma: "x;=1+1", semicolon: "x;=1+1" });
  });

  it("leaves harmless text alone: formula characters inside, separators or spaces without a formula after them", () => {
    for (const cell of ["a=b", "x ＝ y", "1+1", "key-1", "bob@example.com", "'=already", "Zoë 🔑 ключ", ""]) {
      expect(formatCell(cell), cell).toBe(cell);
    }
    expect(formatCell(";")).toBe('";"');
    expect(formatCell(" x")).toBe('" x"');
    expect(formatCell("; x")).toBe('"; x"');
  });
});

/** Strings rich in what matters here: separators, whitespace of every kind, formula characters of both widths, quotes, line breaks. */
const risky = fc.string({
  unit: fc.oneof(
    fc.constantFrom("=", "+", "-", "@", "＝", "＋", "－", "＠", ";", ",", " ", "\t", "\r", "\n", "\u00a0", "\u3000", "\ufeff", '"', "'", "a", "1"),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  ),
  maxLength: 12,
});

/** The documented escapes: control characters but tab, CR and LF as `\xNN`, bidi controls and other invisible layout characters as `\uNNNN`. */
function shown(text: string): string {
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
const RAW_INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/;

describe("formatCell, for any text", () => {
  it("reads back, in a comma or a semicolon locale, as one cell that no spreadsheet evaluates and that shows every control character: the text itself, or after one added ', with visible escapes", () => {
    fc.assert(
      fc.property(fc.oneof(risky, fc.string({ unit: "binary" })), (cell) => {
        const { comma, semicolon } = readBack(cell);
        expect(semicolon).toBe(comma);
        expect(FORMULA.test(comma), JSON.stringify(comma)).toBe(false);
        expect(RAW_INVISIBLE.test(comma), JSON.stringify(comma)).toBe(false);
        // The only changes are the documented ones, and only where they are needed.
        expect(comma).toBe(shown(FORMULA.test(cell) ? `'${cell}` : cell));
      }),
      { numRuns: 3_000 },
    );
  });

  it("keeps rows and columns intact: each record has as many fields as cells, each read back the same way", () => {
    fc.assert(
      fc.property(fc.array(fc.array(risky, { minLength: 3, maxLength: 3 }), { maxLength: 6 }), (rows) => {
        const parsed = parseCsv(toCsv(["a", "b", "c"], rows));
        expect(parsed).toEqual([["a", "b", "c"], ...rows.map((row) => row.map((cell) => shown(FORMULA.test(cell) ? `'${cell}` : cell)))]);
      }),
      { numRuns: 500 },
    );
  });
});
