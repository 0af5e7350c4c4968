/** controls-summary.csv of a period export: the period summary of the controls (../controls/period-summary.ts), one row per control. */
import type { PeriodControl } from "../controls/period-summary.js";
import { toCsv } from "./csv.js";

export const CONTROLS_PERIOD_CSV_COLUMNS = [
  "framework",
  "control_id",
  "title",
  "last_status",
  "last_run_id",
  "runs_tested",
  "runs_passed",
  "runs_failed",
  "runs_incomplete",
  "runs_not_tested",
  "findings_total",
] as const;

/** RFC 4180 with CRLF line ends, spreadsheet-safe (csv.ts); the header row even when there is no control. */
export function controlsSummaryCsv(controls: readonly PeriodControl[]): string {
  return toCsv(
    CONTROLS_PERIOD_CSV_COLUMNS,
    controls.map((c) => CONTROLS_PERIOD_CSV_COLUMNS.map((column) => c[column])),
  );
}
