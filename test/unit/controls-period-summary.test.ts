/** The controls over a period: per control, how many runs tested it and how it fared, with a CSV for the period export. */
import { describe, expect, it } from "vitest";
import { type PeriodRun, controlsPeriodSummary } from "../../src/controls/period-summary.js";
import { CONTROLS_PERIOD_CSV_COLUMNS, controlsSummaryCsv } from "../../src/evidence/controls-summary-csv.js";
import type { ControlStatus, RunControl } from "../../src/model/controls.js";
import { parseCsv } from "../support/csv-parse.js";

function control(control_id: string, status: ControlStatus, findings = 0, framework = "cis"): RunControl {
  const title = { "5.1": "Establish and Maintain an Inventory of Accounts", "5.3": "Disable Dormant Accounts" }[control_id] ?? "Some control";
  return { framework, control_id, title, rules: status === "not_tested" ? [] : ["unused-90d"], keys_tested: 4, findings, exempted: 0, accepted: 0, status };
}

function run(day: number, status: PeriodRun["status"], controls?: RunControl[]): PeriodRun {
  const date = `2026-11-${String(day).padStart(2, "0")}`;
  return { run_id: `run_${date.replaceAll("-", "")}T060000Z_x`, started_at: `${date}T06:00:00.000Z`, status, controls };
}

const RUNS: PeriodRun[] = [
  // Given out of order: the latest run is the one started last.
  run(16, "complete", [control("5.3", "fail", 2), control("5.1", "pass"), control("CC6.2", "fail", 2, "soc2")]),
  run(2, "complete", [control("5.3", "pass"), control("5.1", "pass"), control("CC6.2", "pass", 0, "soc2")]),
  run(9, "incomplete", [control("5.3", "fail", 1), control("5.1", "incomplete"), control("CC6.2", "fail", 1, "soc2")]),
  run(23, "failed"),
  // Recorded before controls existed.
  run(1, "complete"),
];

describe("controlsPeriodSummary", () => {
  it("counts, per control, the runs that tested it and how it fared, and gives its status in the latest run", () => {
    const summary = controlsPeriodSummary(RUNS);
    expect(summary.runs).toBe(5);
    expect(summary.controls.find((c) => c.control_id === "5.3")).toEqual({
      framework: "cis",
      control_id: "5.3",
      title: "Disable Dormant Accounts",
      runs_tested: 3,
      runs_passed: 1,
      runs_failed: 2,
      runs_incomplete: 0,
      runs_not_tested: 2,
      last_status: "not_tested",
      last_run_id: "run_20261123T060000Z_x",
      findings_total: 3,
    });
    expect(summary.controls.find((c) => c.control_id === "5.1")).toMatchObject({ runs_tested: 3, runs_passed: 2, runs_incomplete: 1, runs_failed: 0, findings_total: 0 });
  });

  it("says how a control fared in the latest run when that run tested it", () => {
    const summary = controlsPeriodSummary(RUNS.filter((r) => r.status !== "failed"));
    expect(summary.controls.map((c) => `${c.framework} ${c.control_id} ${c.last_status} ${c.last_run_id}`)).toEqual([
      "soc2 CC6.2 fail run_20261116T060000Z_x",
      "cis 5.1 pass run_20261116T060000Z_x",
      "cis 5.3 fail run_20261116T060000Z_x",
    ]);
  });

  it("lists controls in catalogue order, not in the order runs carry them", () => {
    expect(controlsPeriodSummary(RUNS).controls.map((c) => c.control_id)).toEqual(["CC6.2", "5.1", "5.3"]);
  });

  it("never counts a failed run as a test, whatever it carries", () => {
    const summary = controlsPeriodSummary([run(2, "failed", [control("5.3", "fail", 5)])]);
    expect(summary.controls).toEqual([expect.objectContaining({ control_id: "5.3", runs_tested: 0, runs_failed: 0, runs_not_tested: 1, findings_total: 0, last_status: "not_tested" })]);
  });

  it("has no controls for a period without runs, or whose runs carry none", () => {
    expect(controlsPeriodSummary([])).toEqual({ runs: 0, controls: [] });
    expect(controlsSummaryCsv([])).toBe(`${CONTROLS_PERIOD_CSV_COLUMNS.join(",")}\r\n`);
    expect(controlsPeriodSummary([run(1, "complete")]).controls).toEqual([]);
  });

  it("gives the same table as CSV, one row per control", () => {
    const summary = controlsPeriodSummary(RUNS);
    const rows = parseCsv(controlsSummaryCsv(summary.controls));
    expect(rows[0]).toEqual([...CONTROLS_PERIOD_CSV_COLUMNS]);
    expect(rows.slice(1)).toEqual(summary.controls.map((c) => CONTROLS_PERIOD_CSV_COLUMNS.map((column) => String(c[column]))));
    expect(rows[3]).toEqual(["cis", "5.3", "Disable Dormant Accounts", "not_tested", "run_20261123T060000Z_x", "3", "1", "2", "0", "2", "3"]);
  });
});
