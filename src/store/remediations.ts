// Over 250 lines on purpose: every statement on the remediation tables in one class, the claim beside the states it moves.
/**
 * Remediation requests (D1, migrations/0005): each request, who approved it, and every decision as
 * an event. The daily cap is enforced here, in one statement, so that two approvals at the same
 * moment cannot both execute (nor two requests overshoot the day's cap).
 */
import {
  EXECUTED_STATUSES,
  type NewRemediation,
  REQUEST_LIFETIME_MS,
  type RemediationApproval,
  type RemediationEvent,
  type RemediationEventKind,
  type RemediationFinish,
  type RemediationRow,
} from "../model/remediation.js";

/** An approved action runs within the approval's waitUntil (about 30 s): one still executing after this was lost. */
export const STUCK_EXECUTION_MS = 15 * 60_000;

const EXECUTED_LIST = EXECUTED_STATUSES.map((s) => `'${s}'`).join(", ");

export class RemediationStore {
  constructor(private readonly db: D1Database) {}

  /**
   * Records a new pending request, unless its finding has one open already (pending or executing):
   * the unique index of migrations/0006 decides, so of two requests made at once one is recorded.
   */
  async create(request: NewRemediation): Promise<{ ok: true } | { ok: false; open: RemediationRow }> {
    try {
      await this.insert(request);
      return { ok: true };
    } catch (error) {
      if (!/UNIQUE constraint failed/i.test(error instanceof Error ? error.message : String(error))) throw error;
      const open = await this.openFor(request.fingerprint);
      if (!open) throw error;
      return { ok: false, open };
    }
  }

  private async insert(request: NewRemediation): Promise<void> {
    await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO remediation_requests (id, fingerprint, policy_name, rule_id, key_id, action_kind, summary, action_json, finding_json, mode, reason,
             acknowledged_in_use, requested_by, requested_by_name, requested_at, status)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
        )
        .bind(
          request.id,
          request.fingerprint,
          request.policy_name,
          request.rule_id,
          request.key_id,
          request.action_kind,
          request.summary,
          request.action_json,
          request.finding_json,
          request.mode,
          request.reason,
          request.acknowledged_in_use,
          request.requested_by,
          request.requested_by_name,
          request.requested_at,
        ),
      this.eventStatement(request.id, "requested", request.requested_by, request.requested_at, request.reason),
    ]);
  }

  async get(id: string): Promise<RemediationRow | null> {
    return this.db.prepare("SELECT * FROM remediation_requests WHERE id = ?").bind(id).first<RemediationRow>();
  }

  /** Newest first. */
  async list(limit = 100): Promise<RemediationRow[]> {
    const { results } = await this.db.prepare("SELECT * FROM remediation_requests ORDER BY requested_at DESC, id DESC LIMIT ?").bind(limit).all<RemediationRow>();
    return results;
  }

  async approvals(id: string): Promise<RemediationApproval[]> {
    const { results } = await this.db.prepare("SELECT * FROM remediation_approvals WHERE request_id = ? ORDER BY approved_at, approver").bind(id).all<RemediationApproval>();
    return results;
  }

  async events(id: string): Promise<RemediationEvent[]> {
    const { results } = await this.db.prepare("SELECT * FROM remediation_events WHERE request_id = ? ORDER BY seq").bind(id).all<RemediationEvent>();
    return results;
  }

  async setMessage(id: string, channel: string, ts: string): Promise<void> {
    await this.db.prepare("UPDATE remediation_requests SET channel = ?, message_ts = ? WHERE id = ?").bind(channel, ts, id).run();
  }

  /** Records an approval of a pending request; false when this person had approved it already or it is no longer pending. */
  async approve(id: string, approval: Omit<RemediationApproval, "request_id">): Promise<boolean> {
    const [inserted] = await this.db.batch([
      this.db
        .prepare(
          "INSERT OR IGNORE INTO remediation_approvals (request_id, approver, approver_name, approved_at) SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM remediation_requests WHERE id = ? AND status = 'pending')",
        )
        .bind(id, approval.approver, approval.approver_name, approval.approved_at, id),
    ]);
    const added = (inserted?.meta.changes ?? 0) === 1;
    if (added) await this.event(id, "approved", approval.approver, approval.approved_at, null);
    return added;
  }

  /** Actions executed (or, in dry-run mode, described) on a UTC day, in one mode. */
  async executedOn(day: string, mode: "dry-run" | "on"): Promise<number> {
    const row = await this.db
      .prepare(`SELECT COUNT(*) AS n FROM remediation_requests WHERE executed_day = ? AND mode = ? AND status IN (${EXECUTED_LIST})`)
      .bind(day, mode)
      .first<{ n: number }>();
    return row?.n ?? 0;
  }

  /**
   * Takes a pending request for execution, in one statement: only while it is pending, was made in
   * `mode` (a dry-run request never turns into a real call), has not expired, and the day has room
   * under `maxPerDay`. `taken`: someone else took it (or decided it) first; `cap`: the day is full;
   * `stale`: made in another mode, or expired.
   */
  async claim(id: string, mode: "dry-run" | "on", day: string, at: string, maxPerDay: number): Promise<"claimed" | "taken" | "cap" | "stale"> {
    const notBefore = new Date(Date.parse(at) - REQUEST_LIFETIME_MS).toISOString();
    const result = await this.db
      .prepare(
        `UPDATE remediation_requests SET status = 'executing', executed_day = ?1, executed_at = ?2
         WHERE id = ?3 AND status = 'pending' AND mode = ?4 AND requested_at > ?6
           AND (SELECT COUNT(*) FROM remediation_requests WHERE executed_day = ?1 AND mode = ?4 AND status IN (${EXECUTED_LIST})) < ?5`,
      )
      .bind(day, at, id, mode, maxPerDay, notBefore)
      .run();
    if ((result.meta.changes ?? 0) === 1) return "claimed";
    const row = await this.get(id);
    if (row?.status !== "pending") return "taken";
    return row.mode !== mode || row.requested_at <= notBefore ? "stale" : "cap";
  }

  /**
   * Decides what time alone decides: requests pending for 24 hours expire, executions left running by
   * a lost isolate finish as unconfirmed. Returns their ids.
   */
  async settleDue(now: Date): Promise<string[]> {
    return [...(await this.expireDue(now)), ...(await this.finishStuck(now, STUCK_EXECUTION_MS))];
  }

  /** A request for this finding still pending or executing, if any: one at a time per finding. */
  async openFor(fingerprint: string): Promise<RemediationRow | null> {
    return this.db
      .prepare("SELECT * FROM remediation_requests WHERE fingerprint = ? AND status IN ('pending', 'executing') ORDER BY requested_at DESC LIMIT 1")
      .bind(fingerprint)
      .first<RemediationRow>();
  }

  /** The latest request that undoes request `id` (a Re-enable of a Disable: its action_json names it in `undoes`), other than `except`. */
  async undoOf(id: string, except = ""): Promise<RemediationRow | null> {
    return this.db
      .prepare("SELECT * FROM remediation_requests WHERE json_extract(action_json, '$.undoes') = ? AND id <> ? ORDER BY requested_at DESC, id DESC LIMIT 1")
      .bind(id, except)
      .first<RemediationRow>();
  }

  /**
   * Requests left `executing` longer than `afterMs` (the isolate running them was lost): finished as
   * unconfirmed, so they are decided, shown and in the evidence. Returns their ids.
   */
  async finishStuck(now: Date, afterMs: number): Promise<string[]> {
    const cutoff = new Date(now.getTime() - afterMs).toISOString();
    const { results } = await this.db
      .prepare("SELECT id, executed_at, action_kind FROM remediation_requests WHERE status = 'executing' AND executed_at <= ?")
      .bind(cutoff)
      .all<{ id: string; executed_at: string; action_kind: string }>();
    const finished: string[] = [];
    for (const row of results) {
      const outcome =
        row.action_kind === "disable_key" || row.action_kind === "reenable_key"
          ? `the execution started at ${row.executed_at} never reported back: the key's status may or may not have changed; check it in Anthropic's console (the next run lists its status).`
          : `the execution started at ${row.executed_at} never reported back: the key may or may not be gone; check it in the OpenAI dashboard (the next run lists it if it is still there).`;
      if (await this.finish(row.id, { status: "unconfirmed", http_status: null, outcome, at: now.toISOString(), actor: null })) finished.push(row.id);
    }
    return finished;
  }

  /** The outcome of an executed (or described) request; false when it was not executing (finished already). */
  async finish(id: string, outcome: RemediationFinish): Promise<boolean> {
    const result = await this.db
      .prepare("UPDATE remediation_requests SET status = ?, http_status = ?, outcome = ?, decided_at = ? WHERE id = ? AND status = 'executing'")
      .bind(outcome.status, outcome.http_status, outcome.outcome, outcome.at, id)
      .run();
    const changed = (result.meta.changes ?? 0) === 1;
    if (changed) await this.event(id, outcome.status === "dry_run" ? "dry_run" : "executed", outcome.actor, outcome.at, `${outcome.status}: ${outcome.outcome}`);
    return changed;
  }

  /** Ends a pending request without executing it; false when it was no longer pending. */
  async decide(id: string, status: "rejected" | "expired" | "refused", by: string | null, at: string, detail: string): Promise<boolean> {
    const result = await this.db
      .prepare("UPDATE remediation_requests SET status = ?, decided_at = ?, decided_by = ?, outcome = ? WHERE id = ? AND status = 'pending'")
      .bind(status, at, by, detail, id)
      .run();
    const changed = (result.meta.changes ?? 0) === 1;
    if (changed) await this.event(id, status, by, at, detail);
    return changed;
  }

  /**
   * Marks every request still pending 24 hours after it was made as expired, decided at that instant
   * (not when it was noticed: a run's evidence covers decisions by when they happened). Returns their ids.
   */
  async expireDue(now: Date): Promise<string[]> {
    const stale = await this.pendingBefore(new Date(now.getTime() - REQUEST_LIFETIME_MS).toISOString());
    const expired: string[] = [];
    for (const row of stale) {
      const at = new Date(Date.parse(row.requested_at) + REQUEST_LIFETIME_MS).toISOString();
      if (await this.decide(row.id, "expired", null, at, `no approval within 24 hours (expired at ${at})`)) expired.push(row.id);
    }
    return expired;
  }

  /** Pending requests made before `cutoff` (ISO 8601): expired, to be marked so. */
  async pendingBefore(cutoff: string): Promise<RemediationRow[]> {
    const { results } = await this.db.prepare("SELECT * FROM remediation_requests WHERE status = 'pending' AND requested_at <= ?").bind(cutoff).all<RemediationRow>();
    return results;
  }

  /** Requests decided in (`after`, `until`] (ISO 8601; `after` null: from the start), oldest first: what a run's evidence records. */
  async decidedBetween(after: string | null, until: string): Promise<RemediationRow[]> {
    const { results } = await this.db
      .prepare("SELECT * FROM remediation_requests WHERE decided_at IS NOT NULL AND decided_at > ? AND decided_at <= ? ORDER BY decided_at, id")
      .bind(after ?? "", until)
      .all<RemediationRow>();
    return results;
  }

  /** Approvals of many requests at once, by request id. */
  async approvalsOf(ids: readonly string[]): Promise<Map<string, RemediationApproval[]>> {
    const byId = new Map<string, RemediationApproval[]>();
    if (ids.length === 0) return byId;
    const { results } = await this.db
      .prepare("SELECT a.* FROM remediation_approvals a JOIN json_each(?) j ON a.request_id = j.value ORDER BY a.approved_at, a.approver")
      .bind(JSON.stringify(ids))
      .all<RemediationApproval>();
    for (const approval of results) byId.set(approval.request_id, [...(byId.get(approval.request_id) ?? []), approval]);
    return byId;
  }

  /**
   * Which executed request resolved each finding: a deletion or a Disable (done, or already gone)
   * resolves every finding on the keys it took; a demotion only the finding it was requested for (its
   * keys remain, so their other findings resolved for other reasons). A Re-enable carried out after a
   * Disable takes that back: the key works again. Keyed by fingerprint.
   */
  async resolvedBy(resolved: readonly { fingerprint: string; key_id: string }[]): Promise<Map<string, { id: string; executed_at: string | null }>> {
    const found = new Map<string, { id: string; executed_at: string | null }>();
    if (resolved.length === 0) return found;
    const { results } = await this.db
      .prepare(
        `SELECT r.id, r.executed_at, r.fingerprint, r.action_kind, json_extract(k.value, '$.id') AS key_id
         FROM remediation_requests r, json_each(r.action_json, '$.keysAffected') k
         WHERE r.status IN ('done', 'already_gone') AND json_extract(k.value, '$.id') IN (SELECT json_extract(value, '$.key_id') FROM json_each(?))
         ORDER BY r.executed_at`,
      )
      .bind(JSON.stringify(resolved))
      .all<{ id: string; executed_at: string | null; fingerprint: string; action_kind: string; key_id: string }>();
    for (const finding of resolved) {
      for (const row of results) {
        if (row.key_id !== finding.key_id) continue;
        if (row.action_kind === "demote_service_account" && row.fingerprint !== finding.fingerprint) continue;
        if (row.action_kind === "reenable_key") found.delete(finding.fingerprint);
        else found.set(finding.fingerprint, { id: row.id, executed_at: row.executed_at });
      }
    }
    return found;
  }

  private event(id: string, kind: RemediationEventKind, actor: string | null, at: string, detail: string | null): Promise<unknown> {
    return this.eventStatement(id, kind, actor, at, detail).run();
  }

  private eventStatement(id: string, kind: RemediationEventKind, actor: string | null, at: string, detail: string | null): D1PreparedStatement {
    return this.db.prepare("INSERT INTO remediation_events (request_id, at, kind, actor, detail) VALUES (?, ?, ?, ?, ?)").bind(id, at, kind, actor, detail);
  }
}
