/**
 * The controls over a period: for each control, how often the period's runs tested it and how
 * it fared. Pure; the period export (the ZIP and `GET /evidence`) calls it with the runs it holds.
 *
 *   controlsPeriodSummary(runs: readonly PeriodRun[]): ControlsPeriodSummary
 *
 *   PeriodRun = { run_id, started_at, status: "complete" | "incomplete" | "failed", controls?: RunControl[] }
 *     (AuditRun.controls, or the `controls` of a run's controls.json; absent for failed runs and
 *     runs recorded before controls existed)
 *   ControlsPeriodSummary = { runs: number, controls: PeriodControl[] }
 *     `controls`: one entry per control any run carries, in catalogue order
 *     (the export writes them as CSV too: ../evidence/controls-summary-csv.ts).
 */
import type { RunStatus } from "../model/run.js";
import { compareControls, compareText } from "./catalogue.js";
import type { ControlStatus, RunControl } from "../model/controls.js";

export interface PeriodRun {
  run_id: string;
  started_at: string;
  status: RunStatus;
  controls?: readonly RunControl[] | undefined;
}

export interface PeriodControl {
  framework: string;
  control_id: string;
  title: string;
  /** Runs in which the control was pass, fail or incomplete. */
  runs_tested: number;
  runs_passed: number;
  runs_failed: number;
  runs_incomplete: number;
  /** Runs of the period that did not test it: failed runs, runs without controls, runs whose policy maps no rule to it. */
  runs_not_tested: number;
  /** Its status in the period's latest run (by start, then id); not_tested when that run has no controls (it failed). */
  last_status: ControlStatus;
  last_run_id: string;
  /** Unexempted findings of its rules, added up over the runs: a finding still open in three runs counts three times. */
  findings_total: number;
}

export interface ControlsPeriodSummary {
  /** Every run given, tested or not. */
  runs: number;
  controls: PeriodControl[];
}

const TESTED: ReadonlySet<ControlStatus> = new Set(["pass", "fail", "incomplete"]);

export function controlsPeriodSummary(runs: readonly PeriodRun[]): ControlsPeriodSummary {
  const ordered = [...runs].sort((a, b) => compareText(a.started_at, b.started_at) || compareText(a.run_id, b.run_id));
  const latest = ordered.at(-1);
  const byControl = new Map<string, PeriodControl>();
  for (const run of ordered) {
    for (const control of run.controls ?? []) {
      const key = `${control.framework} ${control.control_id}`;
      const entry = byControl.get(key) ?? emptyEntry(control, runs.length);
      byControl.set(key, entry);
      // A failed run tests nothing, whatever it carries.
      const status: ControlStatus = run.status === "failed" ? "not_tested" : control.status;
      entry.title = control.title;
      if (TESTED.has(status)) {
        entry.runs_tested++;
        entry.runs_not_tested--;
      }
      if (status === "pass") entry.runs_passed++;
      if (status === "fail") entry.runs_failed++;
      if (status === "incomplete") entry.runs_incomplete++;
      entry.findings_total += run.status === "failed" ? 0 : control.findings;
      if (run === latest) entry.last_status = status;
    }
  }
  const controls = [...byControl.values()].sort(compareControls).map((entry) => ({ ...entry, last_run_id: latest?.run_id ?? "" }));
  return { runs: runs.length, controls };
}

function emptyEntry(control: RunControl, runs: number): PeriodControl {
  return {
    framework: control.framework,
    control_id: control.control_id,
    title: control.title,
    runs_tested: 0,
    runs_passed: 0,
    runs_failed: 0,
    runs_incomplete: 0,
    runs_not_tested: runs,
    last_status: "not_tested",
    last_run_id: "",
    findings_total: 0,
  };
}
