/**
 * controls-summary.json and controls-summary.csv of a period export: per control, over the runs of
 * the period (controlsPeriodSummary, from each run's controls.json). Like index.json and report.html
 * they are derived from the runs, not evidence; the export's period-manifest.json fixes their bytes (docs/report.md).
 */
import { controlsSummaryCsv } from "../../evidence/controls-summary-csv.js";
import { periodControls } from "./section-controls.js";
import { type StoredRunFiles, readRuns } from "./read-run.js";

export const CONTROLS_SUMMARY_JSON = "controls-summary.json";
export const CONTROLS_SUMMARY_CSV = "controls-summary.csv";
export const CONTROLS_SUMMARY_FORMAT = "keywarden-controls-summary/1";

/** Both files, or null when no run of the period recorded controls.json (there is nothing to sum). */
export function controlsSummaryFiles(runs: readonly StoredRunFiles[], period: { from: string; to: string }): { json: string; csv: string } | null {
  const summary = periodControls(readRuns(runs));
  if (!summary) return null;
  const json = { format: CONTROLS_SUMMARY_FORMAT, period: { from: period.from, to: period.to }, runs: summary.runs, controls: summary.controls };
  return { json: `${JSON.stringify(json, null, 2)}\n`, csv: controlsSummaryCsv(summary.controls) };
}
