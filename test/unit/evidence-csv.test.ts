import { describe, expect, it } from "vitest";
import { type CsvCell, toCsv } from "../../src/evidence/csv.js";
import { buildEvidenceFiles } from "../../src/evidence/files.js";
import { FINDINGS_CSV_COLUMNS } from "../../src/evidence/tables.js";
import { renderFindingsCsv } from "../../src/slack/csv.js";
import { redact } from "../../src/util/redact.js";
import { makeFinding, makeRun } from "../sim/slack-run-factory.js";
import { parseCsv } from "../support/csv-parse.js";

describe("toCsv", () => {
  it("writes a header row and CRLF-terminated records, unquoted when nothing needs quotes", () => {
    expect(toCsv(["a", "b", "c"], [["x", 1, true], [null, 0, false]])).toBe("a,b,c\r\nx,1,true\r\n,0,false\r\n");
  });

  it("quotes fields holding a comma, a quote, CR, LF or edge spaces, doubling quotes", () => {
    const csv = toCsv(["v"], [["a,b"], ['say "hi"'], ["line1\nline2"], ["cr\rhere"], ["crlf\r\nhere"], [" lead"], ["trail "], ["in side"]]);
    expect(csv).toBe(
      'v\r\n"a,b"\r\n"say ""hi"""\r\n"line1\nline2"\r\n"cr\rhere"\r\n"crlf\r\nhere"\r\n" lead"\r\n"trail "\r\nin side\r\n',
    );
  });

  it("neutralizes cells a spreadsheet would read as a formula", () => {
    const csv = toCsv(["v"], [['=HYPERLINK("x")'], ["+1"], ["-2"], ["@x"], ["\tx"], ["\rx"], ["\nx"], [-3]]);
    expect(csv).toBe(`v\r\n"'=HYPERLINK(""x"")"\r\n'+1\r\n'-2\r\n'@x\r\n'\tx\r\n"'\rx"\r\n"'\nx"\r\n'-3\r\n`);
    expect(parseCsv(csv).slice(1).map((r) => r[0])).toEqual([`'=HYPERLINK("x")`, "'+1", "'-2", "'@x", "'\tx", "'\rx", "'\nx", "'-3"]);
  });

  it("leaves harmless cells alone: inner = + - @, an existing apostrophe, UTF-8", () => {
    expect(toCsv(["v"], [["a=b"], ["1+1"], ["x-y@z"], ["'=already"], ["Zoë 🔑 ключ"]])).toBe("v\r\na=b\r\n1+1\r\nx-y@z\r\n'=already\r\nZoë 🔑 ключ\r\n");
  });

  it("round-trips any text through an RFC 4180 reader, formula starts prefixed with '", () => {
    const alphabet = ['a', 'Z', '0', ',', '"', "\r", "\n", " ", "\t", "=", "+", "-", "@", "'", "é", "🔑"];
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    const rows: CsvCell[][] = [];
    for (let r = 0; r < 300; r++) {
      const row: string[] = [];
      for (let c = 0; c < 4; c++) {
        let cell = "";
        const length = random() % 8;
        for (let k = 0; k < length; k++) cell += alphabet[random() % alphabet.length];
        row.push(cell);
      }
      rows.push(row);
    }
    const parsed = parseCsv(toCsv(["a", "b", "c", "d"], rows));
    expect(parsed[0]).toEqual(["a", "b", "c", "d"]);
    const expected = rows.map((row) => row.map((cell) => (/^[=+\-@\t\r\n]/.test(String(cell)) ? `'${cell}` : String(cell))));
    expect(parsed.slice(1)).toEqual(expected);
  });
});

describe("control characters in CSV cells (findings.csv is also uploaded to Slack)", () => {
  const ESC_RED = "\u001b[31m";
  const RLO = "\u202e";
  const run = makeRun({
    findings: [makeFinding(1, { key: { ...makeFinding(1).key, name: `${ESC_RED}prod${RLO}txt.exe` }, sentence: `reason\u0007 with a bell${RLO}` })],
  });
  const findingsCsv = () => {
    const file = buildEvidenceFiles({ run, inventory: null, policyText: "version: 1" }).find((f) => f.name === "findings.csv");
    return new TextDecoder().decode(file?.content);
  };

  it.each([
    ["findings.csv", findingsCsv],
    ["the CSV uploaded to Slack", () => renderFindingsCsv(run)],
  ])("%s shows an ESC sequence, a bell and a bidi override as visible escapes, never raw", (_, csv) => {
    const text = csv();
    expect(text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
    const row = parseCsv(text)[1] ?? [];
    expect(row[FINDINGS_CSV_COLUMNS.indexOf("key_name")]).toBe("\\x1b[31mprod\\u202etxt.exe");
    expect(row[FINDINGS_CSV_COLUMNS.indexOf("sentence")]).toBe("reason\\x07 with a bell\\u202e");
  });

  it("a secret right after an escaped character is redacted in the Slack copy as in findings.csv: the same bytes", () => {
    const leak = "sk-proj-LEAKLEAKLEAKLEAKLEAK0123456789";
    const leaky = makeRun({ findings: [makeFinding(1, { key: { ...makeFinding(1).key, name: `ci\u200e${leak}` } })] });
    const evidence = new TextDecoder().decode(buildEvidenceFiles({ run: leaky, inventory: null, policyText: "version: 1" }).find((f) => f.name === "findings.csv")?.content);
    // What deliverReport uploads: the rendered CSV, redacted whole.
    const slack = redact(renderFindingsCsv(leaky));
    expect(slack).not.toContain("LEAKLEAK");
    expect(slack).toBe(evidence);
  });

  it("still neutralizes a formula behind the escapes, and keeps tab, CR and LF inside the quoted cell", () => {
    expect(parseCsv(toCsv(["v"], [["=1+1\u001b"], ["\u001b=1+1"], ["a\tb\r\nc"]])).slice(1).map((r) => r[0])).toEqual(["'=1+1\\x1b", "\\x1b=1+1", "a\tb\r\nc"]);
  });
});
