import type { AuditRun } from "../model/run.js";
import { toCsv } from "../evidence/csv.js";
import { FINDINGS_CSV_COLUMNS, findingsRows } from "../evidence/tables.js";

/**
 * The CSV uploaded into the report's thread: the same bytes as the run's
 * evidence `findings.csv` (same columns, order and spreadsheet-safe cells),
 * so a file downloaded from Slack can be checked against the manifest.
 */
export function renderFindingsCsv(run: AuditRun): string {
  return toCsv(FINDINGS_CSV_COLUMNS, findingsRows(run));
}
