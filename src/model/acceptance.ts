/**
 * A risk accepted from Slack, as every layer sees it: an exemption of one rule on one key until a
 * day, by whom and why (store/ keeps it, decide/ makes it, evidence/ and the HTTP API show it).
 */

/** What was accepted: one rule on one key until a day, by whom and why. */
export interface AcceptanceTerms {
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
}

export interface Acceptance extends AcceptanceTerms {
  id: string;
  source: "slack";
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
}

/**
 * A decision on an acceptance, with the acceptance's terms: `accepted` and `revoked` as recorded,
 * `expired` at the end (UTC) of its last day unless it was revoked before.
 */
export interface AcceptanceEvent extends AcceptanceTerms {
  at: string;
  event: "accepted" | "revoked" | "expired";
  acceptance_id: string;
  /** Accepted: the Slack user; revoked: the name the API caller gave (or "api"); expired: nobody. */
  by_id: string | null;
  by_name: string | null;
  via: "slack" | "api" | null;
  revoke_reason: string | null;
}

/** An acceptance as it is made: not revoked yet, from Slack. */
export type NewAcceptance = Omit<Acceptance, "source" | "revoked_at" | "revoked_by" | "revoke_reason">;

export type AcceptanceStatus = "active" | "expired" | "revoked";

/** The message an Accept-risk form was opened from, kept until the form is submitted. */
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
