/**
 * acceptances.json / acceptances.csv: every decision on a risk accepted in Slack since the previous
 * run with evidence — accepted, revoked, expired — with who, when and why, one entry per decision.
 * exemptions.json says what held during the run; this says what was decided in between, so an
 * acceptance made and revoked between two runs is in the chain too. Covered by the run's manifest.
 */
import type { AcceptanceEvent } from "../model/acceptance.js";
import type { CsvCell } from "./csv.js";
import { type KeyAccountOf, unknownAccount } from "./key-accounts.js";
import { compareText } from "./layout.js";
import type { RemediationsWindow } from "./remediations.js";

/** The decisions' window: the same as remediations.json's (after the previous run's start, up to this run's). */
export type AcceptancesWindow = RemediationsWindow;

/** Oldest first; decisions at the same instant by kind, then acceptance id. */
function sorted(events: readonly AcceptanceEvent[]): AcceptanceEvent[] {
  return [...events].sort((a, b) => compareText(a.at, b.at) || compareText(a.event, b.event) || compareText(a.acceptance_id, b.acceptance_id));
}

function eventView(e: AcceptanceEvent, accountOf: KeyAccountOf) {
  return {
    at: e.at,
    event: e.event,
    acceptance_id: e.acceptance_id,
    by: e.by_id === null && e.by_name === null ? null : { id: e.by_id, name: e.by_name },
    via: e.via,
    revoke_reason: e.revoke_reason,
    policy: e.policy_name,
    rule_id: e.rule_id,
    key_id: e.key_id,
    fingerprint: e.fingerprint,
    severity: e.severity,
    reason: e.reason,
    expires: e.expires,
    ticket: e.ticket,
    accepted_by: { id: e.accepted_by_id, name: e.accepted_by_name },
    accepted_at: e.accepted_at,
    ...accountOf(e.key_id),
  };
}

export function acceptancesDocument(runId: string, window: AcceptancesWindow, events: readonly AcceptanceEvent[], accountOf: KeyAccountOf = unknownAccount): unknown {
  return { run_id: runId, decided_after: window.after, decided_until: window.until, events: sorted(events).map((e) => eventView(e, accountOf)) };
}

export const ACCEPTANCES_CSV_COLUMNS = [
  "run_id",
  "at",
  "event",
  "acceptance_id",
  "by_id",
  "by_name",
  "via",
  "revoke_reason",
  "policy",
  "rule_id",
  "key_id",
  "fingerprint",
  "severity",
  "reason",
  "expires",
  "ticket",
  "accepted_by_id",
  "accepted_by_name",
  "accepted_at",
  "provider",
  "account",
] as const;

export function acceptancesRows(runId: string, events: readonly AcceptanceEvent[], accountOf: KeyAccountOf = unknownAccount): CsvCell[][] {
  return sorted(events).map((e) => [
    runId,
    e.at,
    e.event,
    e.acceptance_id,
    e.by_id,
    e.by_name,
    e.via,
    e.revoke_reason,
    e.policy_name,
    e.rule_id,
    e.key_id,
    e.fingerprint,
    e.severity,
    e.reason,
    e.expires,
    e.ticket,
    e.accepted_by_id,
    e.accepted_by_name,
    e.accepted_at,
    accountOf(e.key_id).provider,
    accountOf(e.key_id).account,
  ]);
}
