import type { WebClient } from "@slack/web-api";
import type { RunFinding } from "../model/run.js";
import { findingRefValue } from "../slack/finding-actions.js";
import { safe } from "../slack/mrkdwn.js";
import { describeSlackError } from "../slack/send.js";
import { parseCalendarDate } from "../util/calendar-date.js";
import { redact } from "../util/redact.js";
import { visibleLength } from "../util/visible-length.js";

/** The modal's callback id and its inputs' block ids (the ids `response_action: errors` names). */
export const ACCEPT_MODAL = "accept_risk_modal";
export const REASON_BLOCK = "reason";
export const EXPIRES_BLOCK = "expires";
export const TICKET_BLOCK = "ticket";
export const MIN_REASON_LENGTH = 10;
const DAY_MS = 86_400_000;

export interface AcceptancePolicy {
  /** Slack user ids allowed by SLACK_ALLOWED_USERS (empty: nobody is allowed by the setting). */
  allowedUsers: readonly string[];
  /** The policy's `approvers:`. */
  approvers: readonly string[];
  maxAcceptanceDays: number;
}

export type Refusal = { ok: false; message: string };

/**
 * The key's owner as Slack knows them, for the "not your own critical key" rule. `none`: no person
 * owns the key (a service account's). `unknown`: a person owns it but Slack could not say who they are
 * (`why` says what went wrong and who can fix it).
 */
export type OwnerInSlack = { kind: "none" } | { kind: "found"; id: string } | { kind: "unknown"; cause: "no-email" | "not-in-slack" | "lookup-failed"; why: string };

/**
 * Who may accept a risk: a user of SLACK_ALLOWED_USERS or of the policy's `approvers`; never the
 * owner of the key behind a critical finding, and nobody when that owner could not be established in
 * Slack (or was not looked up: `owner` undefined), where being wrong is not acceptable.
 */
export function mayAccept(userId: string, finding: Pick<RunFinding, "severity">, policy: AcceptancePolicy, owner: OwnerInSlack | undefined): { ok: true } | Refusal {
  if (!policy.allowedUsers.includes(userId) && !policy.approvers.includes(userId)) {
    return { ok: false, message: "You may not accept risks in Keywarden: you are neither in SLACK_ALLOWED_USERS nor among the policy's approvers. Nothing was stored." };
  }
  if (finding.severity === "critical") {
    if (owner === undefined) return { ok: false, message: "This finding is critical and Keywarden could not establish its key's owner in Slack, so it cannot tell whether you own it. Nothing was stored." };
    if (owner.kind === "unknown") return { ok: false, message: `This finding is critical and Keywarden could not establish its key's owner in Slack, so nobody may accept it: ${owner.why}. Nothing was stored.` };
    if (owner.kind === "found" && owner.id === userId) return { ok: false, message: "This finding is critical and the key is yours: someone else must accept it. Nothing was stored." };
  }
  return { ok: true };
}

/** The modal's values as Slack sends them in `view.state.values[block_id][action_id]`. */
export type ViewValues = Record<string, Record<string, { value?: string | null; selected_date?: string | null }>>;

export interface AcceptanceInput {
  reason: string;
  expires: string;
  ticket: string | null;
}

/** The submitted modal, checked: the values, or an error per input block for `response_action: errors`. */
export function readAcceptanceForm(values: ViewValues, now: Date, maxDays: number): { ok: true; input: AcceptanceInput } | { ok: false; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const field = (block: string) => Object.values(values[block] ?? {})[0];
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

/** The Accept-risk modal for one finding of one run (`private_metadata` carries only those two: `<run id>:<fingerprint>`). */
export function acceptanceModal(finding: RunFinding, runId: string, maxDays: number, now: Date): Record<string, unknown> {
  const tomorrow = new Date(now.getTime() + DAY_MS).toISOString().slice(0, 10);
  const keyName = safe(finding.key.name ?? finding.key.id, 150);
  const where = finding.project ? `project ${safe(finding.project.name ?? finding.project.id, 100)}` : "organization admin key";
  return {
    type: "modal",
    callback_id: ACCEPT_MODAL,
    private_metadata: findingRefValue({ runId, fingerprint: finding.fingerprint }),
    title: { type: "plain_text", text: "Accept risk" },
    submit: { type: "plain_text", text: "Accept" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: { type: "mrkdwn", text: `*${finding.severity.toUpperCase()}* · \`${safe(finding.rule_id, 100)}\`\n*${keyName}* · ${where}\n${safe(finding.sentence, 500)}`, verbatim: true },
      },
      {
        type: "input",
        block_id: REASON_BLOCK,
        label: { type: "plain_text", text: "Why is this risk acceptable?" },
        element: { type: "plain_text_input", action_id: "value", multiline: true, min_length: MIN_REASON_LENGTH, max_length: 1000 },
      },
      {
        type: "input",
        block_id: EXPIRES_BLOCK,
        label: { type: "plain_text", text: `Accepted until (at most ${maxDays} days)` },
        element: { type: "datepicker", action_id: "value", initial_date: tomorrow },
      },
      {
        type: "input",
        block_id: TICKET_BLOCK,
        optional: true,
        label: { type: "plain_text", text: "Ticket URL" },
        element: { type: "url_text_input", action_id: "value" },
      },
    ],
  };
}

/**
 * Who owns the finding's key in Slack, looked up now (never taken from an earlier look-up): found by
 * the owner's OpenAI email (users.lookupByEmail), or why it cannot be said. Any error is `unknown`.
 */
export async function ownerInSlack(client: WebClient, finding: RunFinding): Promise<OwnerInSlack> {
  if (finding.owner.type !== "user") return { kind: "none" };
  const email = finding.owner.email;
  if (!email) {
    return {
      kind: "unknown",
      cause: "no-email",
      why: `OpenAI gave no email for the key's owner (user ${finding.owner.id}), so there is nothing to look up in Slack; an OpenAI organization owner can check who that user is`,
    };
  }
  try {
    const found = await client.users.lookupByEmail({ email });
    if (found.user?.id) return { kind: "found", id: found.user.id };
    return { kind: "unknown", cause: "lookup-failed", why: `Slack answered the look-up of ${email} without a user; try again later` };
  } catch (error) {
    const code = redact(describeSlackError(error).error, [client.token]);
    if (code === "users_not_found") {
      return {
        kind: "unknown",
        cause: "not-in-slack",
        why: `Slack has no active account with ${email}, the email OpenAI has for the key's owner. A Slack workspace admin can give the owner's Slack account that email (or an OpenAI organization owner can change the owner's OpenAI email to their Slack one), then try again`,
      };
    }
    return { kind: "unknown", cause: "lookup-failed", why: `Slack did not say who has ${email} (${code}); try again in a minute` };
  }
}

/**
 * The Slack user id of the key's owner, for telling them something: null when the key has no user
 * owner or Slack has no account for the email; undefined when the look-up failed for another reason.
 */
export async function ownerSlackId(client: WebClient, finding: RunFinding): Promise<string | null | undefined> {
  const owner = await ownerInSlack(client, finding);
  if (owner.kind === "found") return owner.id;
  return owner.kind === "unknown" && owner.cause === "lookup-failed" ? undefined : null;
}
