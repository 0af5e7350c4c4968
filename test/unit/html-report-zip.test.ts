/**
 * The report in the period export: report.html next to index.json in every ZIP (and, when the runs
 * recorded controls, controls-summary.json and .csv), and what `keywarden verify` makes of them:
 * accepted there and checked against period-manifest.json; anywhere else they fail like any stray
 * file (evidence-verify-period.test.ts tests the period manifest itself).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvidence } from "../../src/evidence/index.js";
import { renderPeriodReport } from "../../src/report/html/period-report.js";
import { NOVEMBER_2026, buildEvidenceChain, buildPeriod, extractEntries, periodZipOf, runVerify, storedRun } from "../support/evidence-fixture.js";
import { hasClass, parseReport, periodAuditRun, tableRows } from "./html-report-support.js";

let dir: string;
let evidence: RunEvidence[];
let entries: Record<string, Uint8Array>;
let zips = 0;
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const periodNote = (files: string) => `  note: period 2026-11-01 to 2026-11-30: ${files} match period-manifest.json\n`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-html-report-zip-"));
  ({ evidence, entries } = await buildPeriod({ runs: 3 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verifyEntries(files: Record<string, Uint8Array>) {
  const file = join(dir, `period-${zips++}.zip`);
  writeFileSync(file, zipSync(files));
  return runVerify(file);
}

describe("report.html in the period export", () => {
  it("is the report of the export's own runs, next to the index", () => {
    expect(Object.keys(entries).filter((name) => !name.startsWith("runs/")).sort()).toEqual(["index.csv", "index.json", "period-manifest.json", "report.html"]);
    expect(text(entries["report.html"])).toBe(renderPeriodReport({ period: NOVEMBER_2026, runs: evidence.map(storedRun) }));
    const rows = tableRows(parseReport(text(entries["report.html"])).byId("runs"), (r) => hasClass(r, "run"));
    expect(rows.map((r) => r.Run)).toEqual(evidence.map((e) => e.manifest.run.id));
  });

  it("comes with controls-summary.json and .csv when the runs recorded controls, with the same figures as the report", async () => {
    const withControls = await buildEvidenceChain({ runs: 4, auditRun: (i) => periodAuditRun(i) });
    const files = unzipSync(await periodZipOf(withControls));
    const summary = JSON.parse(text(files["controls-summary.json"])) as { format: string; period: unknown; runs: number; controls: Record<string, unknown>[] };
    expect({ format: summary.format, period: summary.period, runs: summary.runs }).toEqual({ format: "keywarden-controls-summary/1", period: NOVEMBER_2026, runs: 4 });
    expect(summary.controls.map((c) => [c.framework, c.control_id, c.last_status, c.runs_passed, c.runs_failed, c.runs_incomplete, c.runs_not_tested])).toEqual([
      ["soc2", "CC6.1", "fail", 1, 1, 1, 1],
      ["soc2", "CC6.2", "pass", 1, 2, 0, 1],
      ["pcidss", "8.6.2", "not_tested", 0, 0, 0, 4],
    ]);
    const csv = text(files["controls-summary.csv"]).split("\r\n");
    expect(csv[0]).toBe("framework,control_id,title,last_status,last_run_id,runs_tested,runs_passed,runs_failed,runs_incomplete,runs_not_tested,findings_total");
    expect(csv[1]).toMatch(/^soc2,CC6\.1,Logical access security,fail,run_\w+,3,1,1,1,1,1$/);
    const report = tableRows(parseReport(text(files["report.html"])).byId("controls"), (r) => hasClass(r, "control"));
    expect(report.map((r) => r["Runs passed / failed / incomplete / not tested"])).toEqual(summary.controls.map((c) => `${c.runs_passed} / ${c.runs_failed} / ${c.runs_incomplete} / ${c.runs_not_tested}`));

    const result = await verifyEntries(files);
    expect(result.out).toContain(periodNote("controls-summary.csv, controls-summary.json, index.csv, index.json, report.html"));
    expect(result.code).toBe(0);
  });
});

describe("keywarden verify on a period export with its report", () => {
  it("verifies the ZIP and the extracted folder, report.html checked against the period manifest", async () => {
    const zip = await verifyEntries(entries);
    expect(zip.out).toMatch(/^VERIFIED: 3 runs, /);
    expect(zip.out).toContain(periodNote("index.csv, index.json, report.html"));
    expect(zip.code).toBe(0);
    const folder = join(dir, "extracted");
    extractEntries(folder, entries);
    const extracted = await runVerify(folder);
    expect(extracted.out).toContain(periodNote("index.csv, index.json, report.html"));
    expect(extracted.code).toBe(0);
  });

  it("fails on an edited report.html, naming it", async () => {
    const edited = text(entries["report.html"]).replace("OpenAI API key audit", "Nothing to see here");
    const result = await verifyEntries({ ...entries, "report.html": new TextEncoder().encode(edited) });
    expect(result.code).toBe(1);
    expect(result.out).toContain("\n  report.html: altered: ");
  });

  it.each([
    ["in a folder of runs", "runs/2026/11/report.html", "  runs/2026/11/report.html: not verified: a file derived from the runs is accepted only next to the period index, at ./"],
    ["in a run's folder", "RUN/report.html", "report.html: not listed in the manifest"],
    ["another file next to it", "README.txt", "  README.txt: not verified: verify checks only the files of runs"],
    ["another spelling", "./report.html", "  ./report.html: another spelling of report.html"],
  ])("fails on report.html or a stray file elsewhere: %s", async (_, path, message) => {
    const run = evidence[1]!;
    const name = path.replace("RUN/", run.prefix);
    const result = await verifyEntries({ ...entries, [name]: entries["report.html"]! });
    expect(result.code).toBe(1);
    expect(result.out).toContain(message.replace("report.html: not listed", `run ${run.manifest.run.id}, report.html: not listed`));
  });

  it("fails on report.html when there is no index or period manifest for it to sit next to", async () => {
    const { "index.json": _json, "index.csv": _csv, "period-manifest.json": _manifest, ...withoutIndex } = entries;
    const result = await verifyEntries(withoutIndex);
    expect(result.code).toBe(1);
    expect(result.out).toContain(
      "  report.html: not verified: a file derived from the runs is accepted only next to the period index and manifest (index.json, period-manifest.json), and there is none",
    );
  });
});
