// Over 250 lines: every query on the `runs` table is here, so the run lifecycle in D1 reads in one place.
import type { OpenFindingState } from "../model/lifecycle.js";
import { type AuditRun, type RunFinding, type SlackDelivery, type Trigger, failedRun } from "../model/run.js";
import { recordStatements } from "./record-statements.js";

/**
 * Run history in D1 (migrations/). A run row is inserted as `running` when a run
 * is triggered; a partial unique index makes that insert the single-flight lock.
 */
export interface RunRequest {
  id: string;
  trigger: Trigger;
  policy_name: string;
  notify: boolean;
  started_at: string;
  response_url?: string | null;
  requested_by?: string | null;
}

/** A run as stored: `running` until its durable execution records the result. */
export type StoredRun = Omit<Partial<AuditRun>, "status"> & { id: string; status: AuditRun["status"] | "running" };

export type StartResult = { started: true; id: string } | { started: false; id: string };

export interface RunListItem {
  id: string;
  trigger: string;
  policy_name: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  findings: number | null;
  lifecycle: AuditRun["lifecycle"] extends infer L ? (L extends object ? Omit<L, "resolved_findings"> : null) : null;
}

interface RunRow {
  id: string;
  trigger: string;
  policy_name: string;
  notify: number;
  status: string;
  started_at: string;
  finished_at: string | null;
  summary_json: string | null;
  response_url: string | null;
}

/** A finished run of a period with no stored evidence, and the reason recorded for it. */
export interface RunWithoutEvidence {
  id: string;
  started_at: string;
  status: string;
  reason: string;
  /** Recorded as failed before it could write evidence (FAILED_BEFORE_EVIDENCE): a known state, not a gap. */
  failed_before_evidence: boolean;
}

const ORG = "default";

/** The record of a run that failed before it could write evidence: a period export lists it as such, and verify names it in a note. */
export const FAILED_BEFORE_EVIDENCE: NonNullable<AuditRun["evidence"]> = { stored: false, prefix: "", failed_before_evidence: true };

export class RunHistory {
  constructor(private readonly db: D1Database) {}

  /** Inserts a running run, or returns the run already active for this organization. */
  async start(request: RunRequest): Promise<StartResult> {
    try {
      await this.db
        .prepare("INSERT INTO runs (id, org, trigger, policy_name, notify, status, active, started_at, response_url, requested_by) VALUES (?, ?, ?, ?, ?, 'running', 1, ?, ?, ?)")
        .bind(request.id, ORG, request.trigger, request.policy_name, request.notify ? 1 : 0, request.started_at, request.response_url ?? null, request.requested_by ?? null)
        .run();
      return { started: true, id: request.id };
    } catch (error) {
      const active = await this.active();
      if (active) return { started: false, id: active.id };
      throw error;
    }
  }

  /** The run holding the lock: running, or recorded but its evidence not yet stored. */
  async active(): Promise<{ id: string; started_at: string; status: string } | null> {
    return this.db.prepare("SELECT id, started_at, status FROM runs WHERE org = ? AND active = 1").bind(ORG).first<{ id: string; started_at: string; status: string }>();
  }

  /** Lets the next run start (after this one's evidence is stored or given up). */
  async release(id: string): Promise<void> {
    await this.db.prepare("UPDATE runs SET active = 0 WHERE id = ?").bind(id).run();
  }

  async row(id: string): Promise<RunRow | null> {
    return this.db.prepare("SELECT * FROM runs WHERE id = ?").bind(id).first<RunRow>();
  }

  /** The stored run JSON with its findings, or a `running` stub, or null. */
  async get(id: string): Promise<StoredRun | null> {
    const row = await this.row(id);
    if (!row) return null;
    if (row.status === "running" || !row.summary_json) {
      return { id: row.id, trigger: row.trigger as Trigger, status: row.status as StoredRun["status"], started_at: row.started_at, policy: { name: row.policy_name, file: "", sha256: "" } };
    }
    const summary = JSON.parse(row.summary_json) as AuditRun;
    const { results } = await this.db.prepare("SELECT finding_json FROM run_findings WHERE run_id = ? ORDER BY position").bind(id).all<{ finding_json: string }>();
    return { ...summary, findings: results.map((r) => JSON.parse(r.finding_json) as RunFinding) };
  }

  async list(limit: number, cursor?: { started_at: string; id: string }): Promise<RunListItem[]> {
    const statement = cursor
      ? this.db
          .prepare("SELECT * FROM runs WHERE (started_at < ?1 OR (started_at = ?1 AND id < ?2)) ORDER BY started_at DESC, id DESC LIMIT ?3")
          .bind(cursor.started_at, cursor.id, limit)
      : this.db.prepare("SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?").bind(limit);
    const { results } = await statement.all<RunRow>();
    return results.map((row) => {
      const summary = row.summary_json ? (JSON.parse(row.summary_json) as AuditRun) : null;
      const lifecycle = summary?.lifecycle ? { new: summary.lifecycle.new, open: summary.lifecycle.open, resolved: summary.lifecycle.resolved } : null;
      return {
        id: row.id,
        trigger: row.trigger,
        policy_name: row.policy_name,
        status: row.status,
        started_at: row.started_at,
        finished_at: row.finished_at,
        findings: summary ? summary.counts.findings.total : null,
        lifecycle,
      } as RunListItem;
    });
  }

  /** The last run of a policy that reached an end (complete or incomplete), for the slash command. */
  async latest(status: "complete" | "any" = "any"): Promise<RunRow | null> {
    const filter = status === "complete" ? "status = 'complete'" : "status != 'running'";
    return this.db.prepare(`SELECT * FROM runs WHERE ${filter} ORDER BY started_at DESC, id DESC LIMIT 1`).first<RunRow>();
  }

  async openFindings(policyName: string): Promise<Map<string, OpenFindingState>> {
    const { results } = await this.db
      .prepare("SELECT fingerprint, last_seen_run, summary_json FROM finding_state WHERE policy_name = ? AND status = 'open'")
      .bind(policyName)
      .all<{ fingerprint: string; last_seen_run: string; summary_json: string }>();
    return new Map(results.map((r) => [r.fingerprint, { fingerprint: r.fingerprint, last_seen_run: r.last_seen_run, summary: JSON.parse(r.summary_json) }]));
  }

  /**
   * Stores a finished run (lifecycle already applied) atomically: its findings,
   * the finding states, and the run row. Recording the same run twice is a no-op.
   */
  async record(run: AuditRun, policyName: string): Promise<void> {
    const existing = await this.row(run.id);
    if (existing && existing.status !== "running") return;
    const statements = recordStatements(run, policyName).map(({ sql, params }) => this.db.prepare(sql).bind(...params));
    await this.db.batch(statements);
  }

  /** Records the outcome of a Slack delivery on the stored run (shown by GET /runs/:id). */
  async recordDelivery(id: string, delivery: SlackDelivery): Promise<void> {
    await this.db.prepare("UPDATE runs SET summary_json = json_set(summary_json, '$.delivery', json(?)) WHERE id = ?").bind(JSON.stringify(delivery), id).run();
  }

  /** When each open finding of a policy was first seen: the start of the run that first saw it. */
  async firstSeen(policyName: string): Promise<Map<string, string>> {
    const { results } = await this.db
      .prepare("SELECT s.fingerprint, r.started_at FROM finding_state s JOIN runs r ON r.id = s.first_seen_run WHERE s.policy_name = ? AND s.status = 'open'")
      .bind(policyName)
      .all<{ fingerprint: string; started_at: string }>();
    return new Map(results.map((r) => [r.fingerprint, r.started_at]));
  }

  /** Records what the owner messages of the run came to (who, which findings, delivered or failed). */
  async recordOwnerMessages(id: string, outcome: unknown): Promise<void> {
    await this.db.prepare("UPDATE runs SET summary_json = json_set(summary_json, '$.owner_messages', json(?)) WHERE id = ?").bind(JSON.stringify(outcome), id).run();
  }

  /** Records where the run's evidence is (or why it could not be stored). */
  async recordEvidence(id: string, evidence: NonNullable<AuditRun["evidence"]>): Promise<void> {
    await this.db
      .prepare("UPDATE runs SET summary_json = json_set(summary_json, '$.evidence', json(?)), evidence_prefix = ?, evidence_manifest_sha256 = ? WHERE id = ?")
      .bind(JSON.stringify(evidence), evidence.stored ? evidence.prefix : null, evidence.stored ? (evidence.manifest_sha256 ?? null) : null, id)
      .run();
  }

  /** The manifest hash of the latest run started before `id` whose evidence was stored: the link of the chain. */
  async previousManifest(id: string, startedAt: string): Promise<string | null> {
    return (await this.previousWithEvidence(id, startedAt))?.sha ?? null;
  }

  /**
   * The start of the latest run begun before `id` whose evidence was stored, or null: a run without
   * evidence (it could not start, or its evidence step gave up) must not swallow a window of decisions.
   */
  async previousEvidenceStart(id: string, startedAt: string): Promise<string | null> {
    return (await this.previousWithEvidence(id, startedAt))?.started_at ?? null;
  }

  private previousWithEvidence(id: string, startedAt: string): Promise<{ sha: string; started_at: string } | null> {
    return this.db
      .prepare(
        "SELECT evidence_manifest_sha256 AS sha, started_at FROM runs WHERE evidence_manifest_sha256 IS NOT NULL AND id != ?1 AND (started_at < ?2 OR (started_at = ?2 AND id < ?1)) ORDER BY started_at DESC, id DESC LIMIT 1",
      )
      .bind(id, startedAt)
      .first<{ sha: string; started_at: string }>();
  }

  /** Runs with stored evidence that started in [from, to), oldest first. */
  async withEvidence(from: string, to: string): Promise<{ id: string; prefix: string }[]> {
    const { results } = await this.db
      .prepare("SELECT id, evidence_prefix AS prefix FROM runs WHERE evidence_prefix IS NOT NULL AND started_at >= ? AND started_at < ? ORDER BY started_at, id")
      .bind(from, to)
      .all<{ id: string; prefix: string }>();
    return results;
  }

  /**
   * Finished runs that started in [from, to) and have no stored evidence, with the recorded reason:
   * for a run recorded as failed before it could write evidence, why it failed.
   */
  async withoutEvidence(from: string, to: string): Promise<RunWithoutEvidence[]> {
    const { results } = await this.db
      .prepare(
        "SELECT id, started_at, status, json_extract(summary_json, '$.evidence.error') AS error, json_extract(summary_json, '$.evidence.failed_before_evidence') AS before, json_extract(summary_json, '$.failure.reason') AS failure FROM runs WHERE evidence_prefix IS NULL AND active = 0 AND started_at >= ? AND started_at < ? ORDER BY started_at, id",
      )
      .bind(from, to)
      .all<{ id: string; started_at: string; status: string; error: string | null; before: number | null; failure: string | null }>();
    return results.map((r) => {
      const before = r.before === 1;
      const reason = before ? (r.failure ?? "the run failed before it could write evidence") : (r.error ?? "no evidence was recorded for this run");
      return { id: r.id, started_at: r.started_at, status: r.status, reason, failed_before_evidence: before };
    });
  }

  /** A finding as one run recorded it, with that run's policy; null when the run has no such finding. */
  async findingOfRun(runId: string, fingerprint: string): Promise<{ finding: RunFinding; policy_name: string; run_id: string } | null> {
    const row = await this.db
      .prepare("SELECT f.finding_json, r.policy_name, r.id AS run_id FROM run_findings f JOIN runs r ON r.id = f.run_id WHERE f.run_id = ? AND f.fingerprint = ?")
      .bind(runId, fingerprint)
      .first<{ finding_json: string; policy_name: string; run_id: string }>();
    return row ? { finding: JSON.parse(row.finding_json) as RunFinding, policy_name: row.policy_name, run_id: row.run_id } : null;
  }

  async responseUrl(id: string): Promise<string | null> {
    return (await this.row(id))?.response_url ?? null;
  }

  /**
   * Records a run that could not even start (a broken setting, the Workflow refusing it) as failed,
   * without taking the lock, so the history and Slack show that the trigger fired and why nothing ran.
   * Mark it FAILED_BEFORE_EVIDENCE (failedStart does): it has no evidence, and none is expected.
   */
  async recordFailedStart(run: AuditRun): Promise<void> {
    const { findings: _none, ...summary } = run;
    await this.db
      .prepare("INSERT INTO runs (id, org, trigger, policy_name, notify, status, active, started_at, finished_at, summary_json) VALUES (?, ?, ?, ?, 1, 'failed', 0, ?, ?, ?)")
      .bind(run.id, ORG, run.trigger, run.policy.name, run.started_at, run.finished_at, JSON.stringify(summary))
      .run();
  }

  /**
   * Ends a run that will never record a result (its durable execution died), as failed with the reason.
   * `beforeEvidence`: it never ran (its durable run could not be created), so no evidence is expected of it.
   */
  async abandon(id: string, reason: string, options: { keepLock?: boolean; beforeEvidence?: boolean } = {}): Promise<void> {
    const row = await this.row(id);
    if (!row) return;
    if (row.status !== "running") return options.keepLock ? undefined : this.release(id);
    const now = new Date().toISOString();
    const { findings: _none, ...summary } = failedRun({
      id,
      trigger: row.trigger as Trigger,
      policy: { name: row.policy_name, file: "", sha256: "" },
      started_at: row.started_at,
      finished_at: now,
      reason,
      details: [],
    });
    if (options.beforeEvidence) summary.evidence = FAILED_BEFORE_EVIDENCE;
    await this.db
      .prepare("UPDATE runs SET status = 'failed', active = ?, finished_at = ?, summary_json = ? WHERE id = ? AND status = 'running'")
      .bind(options.keepLock ? 1 : 0, now, JSON.stringify(summary), id)
      .run();
  }
}

