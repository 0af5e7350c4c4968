/**
 * Accepting a risk, the rules: who may accept it (never the owner of a critical finding's key, and
 * nobody while that owner cannot be established), and what a submitted form must hold.
 */
import type { RunFinding } from "../model/run.js";
import { parseCalendarDate } from "../util/calendar-date.js";
import { visibleLength } from "../util/visible-length.js";
import { EXPIRES_BLOCK, MIN_REASON_LENGTH, REASON_BLOCK, TICKET_BLOCK, type ViewValues, fieldOf } from "./form.js";
import type { OwnerInSlack } from "./ports.js";
import type { Refusal } from "./refusal.js";

const DAY_MS = 86_400_000;

export interface AcceptancePolicy {
  /** Slack user ids allowed by SLACK_ALLOWED_USERS (empty: nobody is allowed by the setting). */
  allowedUsers: readonly string[];
  /** The policy's `approvers:`. */
  approvers: readonly string[];
  maxAcceptanceDays: number;
}

/**
 * Who may accept a risk: a user of SLACK_ALLOWED_USERS or of the policy's `approvers`; never the
 * owner of the key behind a critical finding, and nobody when that owner could not be established in
 * Slack (or was not looked up: `owner` undefined), where being wrong is not acceptable.
 */
export function mayAccept(userId: string, finding: Pick<RunFinding, "severity">, policy: AcceptancePolicy, owner: OwnerInSlack | undefined): { ok: true } | Refusal<"acceptor" | "key-owner"> {
  if (!policy.allowedUsers.includes(userId) && !policy.approvers.includes(userId)) {
    return { ok: false, guard: "acceptor", message: "You may not accept risks in Keywarden: you are neither in SLACK_ALLOWED_USERS nor among the policy's approvers. Nothing was stored." };
  }
  if (finding.severity === "critical") {
    if (owner === undefined) return { ok: false, guard: "key-owner", message: "This finding is critical and Keywarden could not establish its key's owner in Slack, so it cannot tell whether you own it. Nothing was stored." };
    if (owner.kind === "unknown") return { ok: false, guard: "key-owner", message: `This finding is critical and Keywarden could not establish its key's owner in Slack, so nobody may accept it: ${owner.why}. Nothing was stored.` };
    if (owner.kind === "found" && owner.id === userId) return { ok: false, guard: "key-owner", message: "This finding is critical and the key is yours: someone else must accept it. Nothing was stored." };
  }
  return { ok: true };
}

export interface AcceptanceInput {
  reason: string;
  expires: string;
  ticket: string | null;
}

/** The submitted modal, checked: the values, or an error per input block for `response_action: errors`. */
export function readAcceptanceForm(values: ViewValues, now: Date, maxDays: number): { ok: true; input: AcceptanceInput } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const field = (block: string) => fieldOf(values, block);
  const reason = (field(REASON_BLOCK)?.value ?? "").trim();
  if (visibleLength(reason) < MIN_REASON_LENGTH) errors[REASON_BLOCK] = `Say why the risk is acceptable, in at least ${MIN_REASON_LENGTH} characters (spaces and invisible characters do not count).`;
  const expires = field(EXPIRES_BLOCK)?.selected_date ?? "";
  const day = parseCalendarDate(expires);
  const today = now.toISOString().slice(0, 10);
  const latest = new Date(Date.parse(`${today}T00:00:00Z`) + maxDays * DAY_MS).toISOString().slice(0, 10);
  if (!day.ok) errors[EXPIRES_BLOCK] = "Choose the last day the acceptance holds.";
  else if (expires <= today) errors[EXPIRES_BLOCK] = "The expiry must be in the future.";
  else if (expires > latest) errors[EXPIRES_BLOCK] = `At most ${maxDays} days ahead (the policy's max_acceptance_days): ${latest} or earlier.`;
  const ticketText = (field(TICKET_BLOCK)?.value ?? "").trim();
  let ticket: string | null = null;
  if (ticketText) {
    try {
      const url = new URL(ticketText);
      if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http");
      ticket = url.toString();
    } catch {
      errors[TICKET_BLOCK] = "A ticket must be an http(s) URL, or left empty.";
    }
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input: { reason, expires, ticket } };
}

/**
 * Whom to tell about their key, from what Slack said of its owner: their Slack user id; null when the
 * key has no user owner or Slack has no account for the email; undefined when the look-up failed.
 */
export function ownerToTell(owner: OwnerInSlack): string | null | undefined {
  if (owner.kind === "found") return owner.id;
  return owner.kind === "unknown" && owner.cause === "lookup-failed" ? undefined : null;
}
