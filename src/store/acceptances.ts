import type { AcceptedExemption } from "../policy/exemptions.js";

/**
 * Risks accepted from Slack (D1, migrations/0004). Each is an exemption of one rule on one key until
 * a day; revoking one records who and when and keeps the row.
 */
export interface Acceptance {
  id: string;
  policy_name: string;
  rule_id: string;
  key_id: string;
  fingerprint: string;
  severity: string;
  reason: string;
  /** Last day it holds, YYYY-MM-DD (UTC, inclusive). */
  expires: string;
  ticket: string | null;
  accepted_by_id: string;
  accepted_by_name: string;
  accepted_at: string;
  source: "slack";
  revoked_at: string | null;
  revoked_by: string | null;
}

export type AcceptanceStatus = "active" | "expired" | "revoked";

export interface AcceptancePrompt {
  view_id: string;
  fingerprint: string;
  channel: string;
  message_ts: string;
  /**
   * No longer used ("{}"): it held the message as the click's payload said it was, and a message is
   * now rebuilt from stored state. The column stays until a migration drops it.
   */
  message_json: string;
  opened_by: string;
  opened_at: string;
}

/** An acceptance holds through the end (UTC) of its `expires` day, until revoked. */
export function acceptanceStatus(acceptance: Pick<Acceptance, "expires" | "revoked_at">, now: Date): AcceptanceStatus {
  if (acceptance.revoked_at) return "revoked";
  return now.toISOString().slice(0, 10) > acceptance.expires ? "expired" : "active";
}

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

  async add(acceptance: Omit<Acceptance, "source" | "revoked_at" | "revoked_by">): Promise<void> {
    await this.db
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
      )
      .run();
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

  /** Marks an acceptance revoked; false when there is none with this id or it was revoked already. */
  async revoke(id: string, by: string, at: string): Promise<boolean> {
    const result = await this.db.prepare("UPDATE accepted_exemptions SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL").bind(at, by, id).run();
    return (result.meta.changes ?? 0) === 1;
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
