/**
 * Re-enable from Slack: a carried-out Disable's message offers it to an allowed user for 7 days. The
 * button opens a form (the key, the exact request, a required reason); its submission is a request
 * like any other (recorded, posted with Approve / Reject, approved by another allowed user, executed
 * under the day's cap and confirmed by reading the key again). Every guard is in ./guards.ts.
 */
import { z } from "zod";
import type { RemediationRow } from "../model/remediation.js";
import type { RunFinding } from "../model/run.js";
import { redact } from "../util/redact.js";
import { visibleLength } from "../util/visible-length.js";
import { reenableActionFor } from "./disable-actions.js";
import { MIN_REVOKE_REASON, REASON_BLOCK, type ViewValues, fieldOf } from "./form.js";
import { type Allowed, approvalsNeeded, checkRequest, reenableOfferedUntil } from "./guards.js";
import type { Answer, DecideDeps, SlackUser } from "./ports.js";
import { recordRequest } from "./request-record.js";
import { refreshMessage } from "./revoke-execution.js";
import { PLAN_LISTING_DEADLINE_MS, guardContext, withDeadline } from "./revoke-plan.js";
import { type SubmitOutcome, clipError } from "./revoke-request.js";
import { StoredRequestError, storedAction, storedFinding } from "./stored-request.js";

/** What the form carries to its submission: the Disable request it undoes. */
const reenableMetadata = z.object({ u: z.string().min(1).max(64) });

/** The Disable request a Re-enable button names, checked from scratch: every guard of a Re-enable requested by `user` now. */
async function checkedReenable(deps: DecideDeps, user: SlackUser, disableId: string): Promise<{ row: RemediationRow; finding: RunFinding; checked: Allowed } | { message: string }> {
  const row = await deps.remediations.get(disableId);
  if (!row) return { message: `There is no remediation request ${disableId}.` };
  if (row.action_kind !== "disable_key") return { message: `Request ${row.id} did not disable a key: there is nothing to re-enable.` };
  if (reenableOfferedUntil(row) === null) return { message: `Request ${row.id} (${row.status}, REMEDIATION=${row.mode}) is not a Disable carried out: there is nothing Keywarden re-enables.` };
  let finding: RunFinding;
  let disable: ReturnType<typeof storedAction>;
  try {
    finding = storedFinding(row);
    disable = storedAction(row);
  } catch (error) {
    if (error instanceof StoredRequestError) return { message: `${error.message}: nothing was requested.` };
    throw error;
  }
  const open = await deps.remediations.openFor(row.fingerprint);
  if (open) return { message: `Request ${open.id} for this finding is already ${open.status}: approve or reject it in the channel first. Nothing was requested.` };
  const listed = await withDeadline(deps.keys.freshKeysFor(finding, { timeoutMs: PLAN_LISTING_DEADLINE_MS }), PLAN_LISTING_DEADLINE_MS);
  if (listed === "timeout") return { message: "The Admin API took too long to read the key; try again. Nothing was requested." };
  if (!listed.ok) return { message: redact(`Keywarden could not read the key: ${listed.message}. Nothing was requested.`, deps.settings.secrets) };
  const now = deps.clock.now();
  const action = reenableActionFor(disable, row.id, listed.items.find((k) => k.id === disable.target.id));
  if ("why" in action) return { message: `Nothing was requested: ${action.why}` };
  const context = await guardContext(deps, undefined, listed.items, now, { finding, action });
  const checked = checkRequest({ finding, action, requestedBy: user.id, acknowledgedInUse: false }, context);
  if (!checked.ok) return { message: checked.message };
  return { row, finding, checked };
}

/** Re-enable was clicked on Disable request `disableId`'s message: check every guard, then open the form. A refusal is returned for an ephemeral answer. */
export async function openReenableForm(deps: DecideDeps, user: SlackUser, triggerId: string, disableId: string): Promise<Answer> {
  const settings = deps.settings.remediation;
  if (settings.mode === "off") return { ok: false, message: "Remediation is off (REMEDIATION=off): Keywarden changes no key." };
  if (!deps.settings.slackAllowedUsers.includes(user.id)) return { ok: false, message: "You may not request remediations: you are not in SLACK_ALLOWED_USERS." };
  const { notifier } = deps;
  if (!notifier) return { ok: false, message: "Keywarden cannot open the form: SLACK_BOT_TOKEN is off." };
  const result = await checkedReenable(deps, user, disableId);
  if ("message" in result) {
    // The message may still offer what is no longer offered (the 7 days are over): show it as it is now.
    await refreshMessage(deps, disableId, deps.clock.now());
    return { ok: false, message: result.message };
  }
  await notifier.openReenableForm(triggerId, {
    finding: result.finding,
    action: result.checked.action,
    mode: result.checked.mode,
    approvalsNeeded: approvalsNeeded(settings),
    privateMetadata: JSON.stringify({ u: disableId }),
    now: deps.clock.now(),
  });
  return { ok: true };
}

/** The form's submission: checked again from scratch, recorded as a pending Re-enable request and posted; executed at once only when REMEDIATION_APPROVALS=1. */
export async function submitReenable(deps: DecideDeps, user: SlackUser, privateMetadata: string, values: ViewValues): Promise<SubmitOutcome> {
  const fail = (message: string) => ({ ok: false as const, errors: { [REASON_BLOCK]: clipError(message) } });
  const metadata = readMetadata(privateMetadata);
  if (!metadata) return fail("This form cannot be read; open it again from the Disable's message.");
  const reason = (fieldOf(values, REASON_BLOCK)?.value ?? "").trim();
  if (visibleLength(reason) < MIN_REVOKE_REASON) return fail(`Say why it must work again, in at least ${MIN_REVOKE_REASON} characters (spaces and invisible characters do not count).`);
  if (deps.settings.remediation.mode === "off") return fail("Remediation is off (REMEDIATION=off): Keywarden changes no key.");
  const result = await checkedReenable(deps, user, metadata.u);
  if ("message" in result) return fail(result.message);
  const { row, finding, checked } = result;
  const recorded = await recordRequest(deps, {
    user,
    fingerprint: row.fingerprint,
    policyName: row.policy_name,
    finding,
    action: checked.action,
    mode: checked.mode,
    reason,
    acknowledgedInUse: false,
    ready: checked.ready,
    now: deps.clock.now(),
  });
  if (!recorded.ok) return fail(`Request ${recorded.open.id} for this finding is already ${recorded.open.status}: approve or reject it in the channel first. Nothing was requested.`);
  return { ok: true, after: recorded.after };
}

function readMetadata(privateMetadata: string): z.infer<typeof reenableMetadata> | null {
  try {
    const parsed = reenableMetadata.safeParse(JSON.parse(privateMetadata));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
