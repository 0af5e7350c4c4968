import { resolvedSummary } from "../model/lifecycle.js";
import type { AuditRun } from "../model/run.js";

export interface SqlStatement {
  sql: string;
  params: (string | number | null)[];
}

/**
 * D1 caps a bound string at 2,000,000 bytes; findings go in as JSON arrays of about this many
 * characters each, so a 20,000-finding run is a few dozen statements, not thousands (D1 also counts
 * queries per invocation).
 */
export const FINDINGS_JSON_CHUNK = 900_000;

/**
 * The statements that store a finished run (lifecycle applied) in one batch: its findings, each
 * finding's state across runs, the resolved ones, and the run row last. Pure, so its size is
 * measured by the benchmark and its SQL tested against SQLite in Node.
 */
export function recordStatements(run: AuditRun, policyName: string): SqlStatement[] {
  const { findings, ...summary } = run;
  const statements: SqlStatement[] = [];
  const rows = findings.map((finding, position) => ({ f: finding, p: position, s: resolvedSummary(finding) }));
  for (const chunk of jsonChunks(rows, FINDINGS_JSON_CHUNK)) {
    statements.push({
      sql: `INSERT OR REPLACE INTO run_findings (run_id, fingerprint, rule_id, severity, key_id, lifecycle, position, finding_json)
            SELECT ?1, json_extract(value, '$.f.fingerprint'), json_extract(value, '$.f.rule_id'), json_extract(value, '$.f.severity'),
                   json_extract(value, '$.f.key.id'), coalesce(json_extract(value, '$.f.lifecycle'), 'new'), json_extract(value, '$.p'), json_extract(value, '$.f')
            FROM json_each(?2)`,
      params: [run.id, chunk],
    });
    statements.push({
      // `WHERE true`: SQLite needs it to read ON CONFLICT after INSERT … SELECT.
      sql: `INSERT INTO finding_state (policy_name, fingerprint, status, first_seen_run, last_seen_run, resolved_run, summary_json)
            SELECT ?1, json_extract(value, '$.f.fingerprint'), 'open', ?2, ?2, NULL, json_extract(value, '$.s') FROM json_each(?3) WHERE true
            ON CONFLICT (policy_name, fingerprint) DO UPDATE SET
              first_seen_run = CASE WHEN finding_state.status = 'resolved' THEN excluded.first_seen_run ELSE finding_state.first_seen_run END,
              status = 'open', last_seen_run = excluded.last_seen_run, resolved_run = NULL, summary_json = excluded.summary_json`,
      params: [policyName, run.id, chunk],
    });
  }
  for (const chunk of jsonChunks((run.lifecycle?.resolved_findings ?? []).map((r) => r.fingerprint), FINDINGS_JSON_CHUNK)) {
    statements.push({
      sql: "UPDATE finding_state SET status = 'resolved', resolved_run = ?1 WHERE policy_name = ?2 AND fingerprint IN (SELECT value FROM json_each(?3))",
      params: [run.id, policyName, chunk],
    });
  }
  statements.push({
    sql: "UPDATE runs SET status = ?, finished_at = ?, summary_json = ? WHERE id = ?",
    params: [run.status, run.finished_at, JSON.stringify(summary), run.id],
  });
  return statements;
}

/** JSON arrays of the items, each at most `max` characters (an item larger than that goes alone). */
function jsonChunks(items: readonly unknown[], max: number): string[] {
  const chunks: string[] = [];
  let current: string[] = [];
  let length = 2;
  for (const item of items) {
    const json = JSON.stringify(item);
    if (current.length > 0 && length + json.length + 1 > max) {
      chunks.push(`[${current.join(",")}]`);
      current = [];
      length = 2;
    }
    current.push(json);
    length += json.length + 1;
  }
  if (current.length > 0) chunks.push(`[${current.join(",")}]`);
  return chunks;
}
