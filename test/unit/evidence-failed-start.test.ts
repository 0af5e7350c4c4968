/**
 * A run that failed before it could write evidence (a broken setting: the trigger recorded it as
 * failed and nothing ran) is a known state, not a gap in the record: the export's index says so,
 * `keywarden verify` names it in a note, and the report counts it once, as failed. Any other run
 * without evidence — complete, incomplete, or failed after it started — still fails verification.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunEvidence, type StoredRun, buildEvidenceZip } from "../../src/evidence/index.js";
import type { RunWithoutEvidence } from "../../src/evidence/archive.js";
import { NOVEMBER_2026, buildEvidenceChain, runVerify, storedRun } from "../support/evidence-fixture.js";
import { attr, hasClass, parseReport, tableRows, textOf } from "./html-report-support.js";

const FAILED_START: RunWithoutEvidence = {
  id: "run_20261105T060000Z_broken",
  started_at: "2026-11-05T06:00:00.000Z",
  status: "failed",
  reason: "the run could not start: invalid configuration",
  failed_before_evidence: true,
};

let dir: string;
let evidence: RunEvidence[];
let stored: StoredRun[];
let written = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-failed-start-"));
  evidence = await buildEvidenceChain({ runs: 2 });
  stored = evidence.map(storedRun);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verifyPeriodWith(gaps: RunWithoutEvidence[]) {
  const file = join(dir, `period-${written++}.zip`);
  writeFileSync(file, await buildEvidenceZip(stored, NOVEMBER_2026, gaps));
  return runVerify(file);
}

describe("a period with a run that failed on its settings before writing evidence", () => {
  it("verifies, naming the run in a note", async () => {
    const result = await verifyPeriodWith([FAILED_START]);
    expect(result.out).toMatch(/^VERIFIED: 2 runs, /);
    expect(result.out).toContain(`  note: run ${FAILED_START.id} failed before it could write evidence (recorded so, not a gap): the run could not start: invalid configuration\n`);
    expect(result.code).toBe(0);
  });

  it("is listed in index.json as failed without evidence", async () => {
    const index = JSON.parse(new TextDecoder().decode(unzipSync(await buildEvidenceZip(stored, NOVEMBER_2026, [FAILED_START]))["index.json"])) as { runs_without_evidence: unknown[] };
    expect(index.runs_without_evidence).toEqual([{ ...FAILED_START }]);
  });

  it("is counted once in the report, as failed: in its summary and in its table", async () => {
    const html = new TextDecoder().decode(unzipSync(await buildEvidenceZip(stored, NOVEMBER_2026, [FAILED_START]))["report.html"]);
    const page = parseReport(html);
    const stat = (id: string) => textOf(page.byId(`stat-${id}`));
    expect([stat("runs-total"), stat("runs-complete"), stat("runs-failed"), stat("runs-without-evidence")]).toEqual(["3 Runs", "2 Complete", "1 Failed", "0 Without evidence"]);
    const rows = tableRows(page.byId("runs"), (row) => hasClass(row, "run") || hasClass(row, "gap"));
    const listed = rows.filter((row) => attr(row.element, "data-run") === FAILED_START.id);
    expect(listed).toHaveLength(1);
    expect(textOf(listed[0]!.element)).toContain("failed");
    expect(textOf(listed[0]!.element)).toContain("Failed before it could write evidence: the run could not start: invalid configuration");
    expect(textOf(listed[0]!.element)).not.toContain("No stored evidence");
    expect(html).toContain("from the evidence of 2 runs and 1 run that failed before it could write evidence.");
  });
});

describe("a run without evidence that is not recorded as failed before evidence", () => {
  it.each([
    ["a complete run whose evidence could not be stored", { ...FAILED_START, status: "complete", reason: "R2 refused the write", failed_before_evidence: false }],
    ["an incomplete run", { ...FAILED_START, status: "incomplete", reason: "R2 refused the write", failed_before_evidence: false }],
    ["a run that failed after it started, its evidence not stored", { ...FAILED_START, reason: "R2 refused the write", failed_before_evidence: false }],
    ["a complete run said to have failed before evidence", { ...FAILED_START, status: "complete" }],
  ])("still fails verify: %s", async (_, gap) => {
    const result = await verifyPeriodWith([gap]);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  run ${gap.id}, index.json: run ${gap.id} (${gap.status}) has no stored evidence`);
  });
});
