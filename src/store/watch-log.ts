import { z } from "zod";
import type { RunFinding } from "../model/run.js";
import type { WatchFiring } from "../model/watch.js";
import { checked, runFindingSchema } from "../model/run-schema.js";

/**
 * The hourly watch in D1 (migrations/0008_watch.sql): its firings, the findings they reported, and
 * where each account's watch stands (the audit-log cursor, the last key list, whether the audit log
 * can be read). Nothing here touches a run.
 */

/** Where an account's audit log was read up to (see providers/openai/watch-events.ts AuditCursor). */
export interface StoredCursor {
  at: number;
  ids: string[];
  /** What was judged since `at` when changes were held back (see watch/openai-selection.ts). */
  judged?: Record<string, number>;
}

export interface WatchAccountState {
  cursor: StoredCursor | null;
  /** Why its audit log cannot be read, while it cannot; null when it can (or was never tried). */
  auditLogUnavailable: string | null;
  unavailableSince: string | null;
  /** When its key list was last stored; null when never. */
  listedAt: string | null;
}

/** Rows per INSERT of the key list: 3 bound parameters each, under D1's 100. */
const KEYS_PER_INSERT = 30;

interface AccountRow {
  cursor_at: number | null;
  cursor_ids: string;
  cursor_judged: string | null;
  listed_at: string | null;
  audit_log_unavailable: string | null;
  unavailable_since: string | null;
}

export class WatchLog {
  constructor(private readonly db: D1Database) {}

  async accountState(account: string): Promise<WatchAccountState> {
    const row = await this.db.prepare("SELECT * FROM watch_accounts WHERE account = ?").bind(account).first<AccountRow>();
    return {
      cursor: row?.cursor_at == null ? null : { at: row.cursor_at, ids: JSON.parse(row.cursor_ids) as string[], ...judgedOf(row.cursor_judged) },
      auditLogUnavailable: row?.audit_log_unavailable ?? null,
      unavailableSince: row?.unavailable_since ?? null,
      listedAt: row?.listed_at ?? null,
    };
  }

  async saveCursor(account: string, cursor: StoredCursor): Promise<void> {
    await this.db
      .prepare(
        "INSERT INTO watch_accounts (account, cursor_at, cursor_ids, cursor_judged) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account) DO UPDATE SET cursor_at = ?2, cursor_ids = ?3, cursor_judged = ?4",
      )
      .bind(account, cursor.at, JSON.stringify(cursor.ids), cursor.judged ? JSON.stringify(cursor.judged) : null)
      .run();
  }

  /** Records that the account's audit log cannot be read; true when it could until now (the one time to say so). */
  async markAuditLogUnavailable(account: string, reason: string, at: string): Promise<boolean> {
    const result = await this.db
      .prepare(
        "INSERT INTO watch_accounts (account, audit_log_unavailable, unavailable_since) VALUES (?1, ?2, ?3) ON CONFLICT (account) DO UPDATE SET audit_log_unavailable = ?2, unavailable_since = ?3 WHERE audit_log_unavailable IS NULL",
      )
      .bind(account, reason, at)
      .run();
    return (result.meta.changes ?? 0) > 0;
  }

  async markAuditLogAvailable(account: string): Promise<void> {
    await this.db.prepare("UPDATE watch_accounts SET audit_log_unavailable = NULL, unavailable_since = NULL WHERE account = ? AND audit_log_unavailable IS NOT NULL").bind(account).run();
  }

  /** Every account whose audit log cannot be read now, for /healthz. */
  async unavailableAuditLogs(): Promise<{ account: string; reason: string; since: string }[]> {
    const { results } = await this.db
      .prepare("SELECT account, audit_log_unavailable AS reason, unavailable_since AS since FROM watch_accounts WHERE audit_log_unavailable IS NOT NULL ORDER BY account")
      .all<{ account: string; reason: string; since: string }>();
    return results;
  }

  /** The key list last stored for the account (key id → digest); null when none ever was. */
  async keyList(account: string): Promise<Map<string, string> | null> {
    const state = await this.accountState(account);
    if (state.listedAt === null) return null;
    const { results } = await this.db.prepare("SELECT key_id, digest FROM watch_keys WHERE account = ?").bind(account).all<{ key_id: string; digest: string }>();
    return new Map(results.map((r) => [r.key_id, r.digest]));
  }

  /** Stores what changed in the account's key list (only the rows that changed are written). */
  async saveKeyList(account: string, change: { upsert: readonly [string, string][]; remove: readonly string[] }, at: string): Promise<void> {
    const statements: D1PreparedStatement[] = [];
    for (let i = 0; i < change.upsert.length; i += KEYS_PER_INSERT) {
      const rows = change.upsert.slice(i, i + KEYS_PER_INSERT);
      statements.push(
        this.db
          .prepare(`INSERT INTO watch_keys (account, key_id, digest) VALUES ${rows.map(() => "(?, ?, ?)").join(", ")} ON CONFLICT (account, key_id) DO UPDATE SET digest = excluded.digest`)
          .bind(...rows.flatMap(([id, digest]) => [account, id, digest])),
      );
    }
    for (const id of change.remove) statements.push(this.db.prepare("DELETE FROM watch_keys WHERE account = ? AND key_id = ?").bind(account, id));
    statements.push(this.db.prepare("INSERT INTO watch_accounts (account, listed_at) VALUES (?1, ?2) ON CONFLICT (account) DO UPDATE SET listed_at = ?2").bind(account, at));
    await this.db.batch(statements);
  }

  /** The firing and the findings it reported, in one batch. */
  async recordFiring(firing: WatchFiring, reported: readonly RunFinding[]): Promise<void> {
    await this.db.batch([
      this.db
        .prepare("INSERT INTO watch_firings (id, started_at, finished_at, requests, keys_seen, findings_posted, firing_json) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(firing.id, firing.started_at, firing.finished_at, firing.requests, firing.keys_seen, firing.findings_posted, JSON.stringify(firing)),
      ...reported.map((finding) =>
        this.db
          .prepare("INSERT OR IGNORE INTO watch_findings (firing_id, fingerprint, policy_name, reported_at, finding_json) VALUES (?, ?, ?, ?, ?)")
          .bind(firing.id, finding.fingerprint, firing.policy, firing.finished_at, JSON.stringify(finding)),
      ),
    ]);
  }

  /** Fingerprints some firing reported at or after `since` (ISO 8601; null: ever). */
  async reportedSince(since: string | null): Promise<Set<string>> {
    const { results } = await this.db.prepare("SELECT DISTINCT fingerprint FROM watch_findings WHERE reported_at >= ?").bind(since ?? "").all<{ fingerprint: string }>();
    return new Set(results.map((r) => r.fingerprint));
  }

  /** A finding as a firing reported it, with the policy it was judged by: what its Accept / Revoke buttons name. */
  async findingOfFiring(firingId: string, fingerprint: string): Promise<{ finding: RunFinding; policy_name: string } | null> {
    const row = await this.db
      .prepare("SELECT finding_json, policy_name FROM watch_findings WHERE firing_id = ? AND fingerprint = ?")
      .bind(firingId, fingerprint)
      .first<{ finding_json: string; policy_name: string }>();
    return row ? { finding: checked(runFindingSchema, JSON.parse(row.finding_json), `finding ${fingerprint} of ${firingId} as recorded`), policy_name: row.policy_name } : null;
  }

  /** The latest firings, newest first; `before` (a started_at, id) pages on. */
  async recent(limit: number, before?: { started_at: string; id: string }): Promise<WatchFiring[]> {
    const statement = before
      ? this.db
          .prepare("SELECT firing_json FROM watch_firings WHERE (started_at < ?1 OR (started_at = ?1 AND id < ?2)) ORDER BY started_at DESC, id DESC LIMIT ?3")
          .bind(before.started_at, before.id, limit)
      : this.db.prepare("SELECT firing_json FROM watch_firings ORDER BY started_at DESC, id DESC LIMIT ?").bind(limit);
    const { results } = await statement.all<{ firing_json: string }>();
    return results.map((r) => JSON.parse(r.firing_json) as WatchFiring);
  }

  /** The firings that started in (`after`, `until`] (ISO 8601; `after` null: from the first), oldest first: what a run's evidence lists. */
  async between(after: string | null, until: string): Promise<WatchFiring[]> {
    const { results } = await this.db
      .prepare("SELECT firing_json FROM watch_firings WHERE started_at > ? AND started_at <= ? ORDER BY started_at, id")
      .bind(after ?? "", until)
      .all<{ firing_json: string }>();
    return results.map((r) => JSON.parse(r.firing_json) as WatchFiring);
  }
}

/** The judged changes of a held cursor, as stored; none when the column is empty or cannot be read (the firing then judges them again). */
function judgedOf(column: string | null): { judged?: Record<string, number> } {
  if (column === null) return {};
  const parsed = z.record(z.string(), z.number()).safeParse(safeJson(column));
  return parsed.success ? { judged: parsed.data } : {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
