import type { AcceptedExemption } from "../policy/exemptions.js";
import type { Acceptance, AcceptanceEvent, AcceptancePrompt, NewAcceptance } from "../model/acceptance.js";

/**
 * Risks accepted from Slack (D1, migrations/0004). Each is an exemption of one rule on one key until
 * a day; revoking one records who, when and why and keeps the row. Each decision is also appended to
 * acceptance_events (migrations/0006) in the same batch, for the evidence of the next run.
 */

/** An acceptance as the evaluator takes it (it exempts exactly like a policy exemption). */
export function toAcceptedExemption(a: Acceptance): AcceptedExemption {
  return {
    id: a.id,
    rule: a.rule_id,
    key: a.key_id,
    reason: a.reason,
    expires: a.expires,
    ...(a.ticket ? { ticket: a.ticket } : {}),
    accepted_by: { id: a.accepted_by_id, name: a.accepted_by_name },
    accepted_at: a.accepted_at,
  };
}

export class AcceptanceStore {
  constructor(private readonly db: D1Database) {}

  async add(acceptance: NewAcceptance): Promise<void> {
    await this.db.batch([
      this.db
        .prepare(
          `INSERT INTO accepted_exemptions (id, policy_name, rule_id, key_id, fingerprint, severity, reason, expires, ticket, accepted_by_id, accepted_by_name, accepted_at, source)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'slack')`,
        )
        .bind(
          acceptance.id,
          acceptance.policy_name,
          acceptance.rule_id,
          acceptance.key_id,
          acceptance.fingerprint,
          acceptance.severity,
          acceptance.reason,
          acceptance.expires,
          acceptance.ticket,
          acceptance.accepted_by_id,
          acceptance.accepted_by_name,
          acceptance.accepted_at,
        ),
      this.db
        .prepare("INSERT INTO acceptance_events (acceptance_id, at, kind, by_id, by_name, via, reason) VALUES (?, ?, 'accepted', ?, ?, 'slack', ?)")
        .bind(acceptance.id, acceptance.accepted_at, acceptance.accepted_by_id, acceptance.accepted_by_name, acceptance.reason),
    ]);
  }

  /** Every acceptance, newest first (revoked and expired ones included: the record of decisions). */
  async list(): Promise<Acceptance[]> {
    const { results } = await this.db.prepare("SELECT * FROM accepted_exemptions ORDER BY accepted_at DESC, id DESC").all<Acceptance>();
    return results;
  }

  async get(id: string): Promise<Acceptance | null> {
    return this.db.prepare("SELECT * FROM accepted_exemptions WHERE id = ?").bind(id).first<Acceptance>();
  }

  /** The policy's acceptances not revoked (expired ones included: the run reports them as expired). */
  async forPolicy(policyName: string): Promise<Acceptance[]> {
    const { results } = await this.db
      .prepare("SELECT * FROM accepted_exemptions WHERE policy_name = ? AND revoked_at IS NULL ORDER BY accepted_at, id")
      .bind(policyName)
      .all<Acceptance>();
    return results;
  }

  /** Marks an acceptance revoked, with its event; false when there is none with this id or it was revoked already. */
  async revoke(id: string, by: string, at: string, reason: string | null = null): Promise<boolean> {
    const [updated] = await this.db.batch([
      this.db.prepare("UPDATE accepted_exemptions SET revoked_at = ?, revoked_by = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL").bind(at, by, reason, id),
      // From the row as the update left it: when two revocations race, the event is the winner's.
      this.db
        .prepare(
          `INSERT INTO acceptance_events (acceptance_id, at, kind, by_id, by_name, via, reason)
           SELECT id, revoked_at, 'revoked', NULL, revoked_by, 'api', revoke_reason FROM accepted_exemptions
           WHERE id = ?1 AND revoked_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM acceptance_events WHERE acceptance_id = ?1 AND kind = 'revoked')`,
        )
        .bind(id),
    ]);
    return (updated?.meta.changes ?? 0) === 1;
  }

  /**
   * The decisions in (`after`, `until`] (ISO 8601; `after` null: from the first), oldest first: what
   * a run's evidence records. An acceptance expires at the end of its last day (the next day's
   * 00:00Z), unless it was revoked before.
   */
  async eventsBetween(after: string | null, until: string): Promise<AcceptanceEvent[]> {
    const terms = "a.policy_name, a.rule_id, a.key_id, a.fingerprint, a.severity, a.reason, a.expires, a.ticket, a.accepted_by_id, a.accepted_by_name, a.accepted_at";
    const { results } = await this.db
      .prepare(
        `SELECT e.at, e.kind AS event, e.acceptance_id, e.by_id, e.by_name, e.via, CASE WHEN e.kind = 'revoked' THEN e.reason END AS revoke_reason, ${terms}
         FROM acceptance_events e JOIN accepted_exemptions a ON a.id = e.acceptance_id
         WHERE e.at > ?1 AND e.at <= ?2
         UNION ALL
         SELECT x.ended_at, 'expired', a.id, NULL, NULL, NULL, NULL, ${terms}
         FROM (SELECT id, date(expires, '+1 day') || 'T00:00:00.000Z' AS ended_at FROM accepted_exemptions) x JOIN accepted_exemptions a ON a.id = x.id
         WHERE x.ended_at > ?1 AND x.ended_at <= ?2 AND (a.revoked_at IS NULL OR a.revoked_at >= x.ended_at)
         ORDER BY 1, 2, 3`,
      )
      .bind(after ?? "", until)
      .all<AcceptanceEvent>();
    return results;
  }

  async savePrompt(prompt: AcceptancePrompt): Promise<void> {
    await this.db
      .prepare("INSERT OR REPLACE INTO acceptance_prompts (view_id, fingerprint, channel, message_ts, message_json, opened_by, opened_at) VALUES (?, ?, ?, ?, ?, ?, ?)")
      .bind(prompt.view_id, prompt.fingerprint, prompt.channel, prompt.message_ts, prompt.message_json, prompt.opened_by, prompt.opened_at)
      .run();
  }

  async prompt(viewId: string): Promise<AcceptancePrompt | null> {
    return this.db.prepare("SELECT * FROM acceptance_prompts WHERE view_id = ?").bind(viewId).first<AcceptancePrompt>();
  }
}
