/**
 * Revoke from Slack, the decision: a different allowed user approves the request on its message
 * (every guard checked again against keys listed fresh), or rejects it. Enough approvals execute it.
 */
import type { RemediationRow } from "../model/remediation.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import { checkApproval, checkRequest } from "./guards.js";
import type { Answer, DecideDeps, SlackUser } from "./ports.js";
import { guardContext, policyOf } from "./revoke-plan.js";
import { endRequest, executeApproved, expireIfDue, refreshMessage } from "./revoke-execution.js";
import { storedAction, storedFinding } from "./stored-request.js";

/** Guards that only turn this click away; every other refusal ends the request. */
const PERSONAL_GUARDS = new Set(["second-approver", "approvals"]);

/** The request a click decides, while it is pending and the clicking user is allowed; else what to tell them. */
async function pendingRequest(deps: DecideDeps, id: string, user: SlackUser): Promise<RemediationRow | { ok: false; message: string }> {
  const row = await deps.remediations.get(id);
  if (!row) return { ok: false, message: `There is no remediation request ${id}.` };
  if (row.status !== "pending") return { ok: false, message: `Request ${row.id} is already ${row.status}.` };
  if (!deps.settings.slackAllowedUsers.includes(user.id)) return { ok: false, message: "You may not decide remediations: you are not in SLACK_ALLOWED_USERS." };
  return row;
}

/** Approve on the request message. Returns what to tell the clicking user (ephemeral). */
export async function approveRemediation(deps: DecideDeps, user: SlackUser, requestId: string): Promise<Answer> {
  const now = deps.clock.now();
  const { settings, remediations: store } = deps;
  const row = await pendingRequest(deps, requestId, user);
  if ("message" in row) return row;
  if (await expireIfDue(deps, row.requested_at, now)) return { ok: false, message: `Request ${row.id} expired 24 hours after it was made; request it again.` };
  const mode = settings.remediation.mode;
  if (mode !== row.mode) {
    // What the approvers were shown (a dry run, or a real call) is what runs, or nothing does.
    const message = `Refused: the request was made with REMEDIATION=${row.mode} and REMEDIATION is now ${mode}; request it again.`;
    await endRequest(deps, row.id, "refused", user.id, message);
    return { ok: false, message };
  }
  // A Re-enable undoes what the policy allowed: its policy is not checked again (guards.ts `undoGuards`).
  const policy = row.action_kind === "reenable_key" ? null : policyOf(deps, row.policy_name);
  if (policy && !policy.ok) {
    await endRequest(deps, row.id, "refused", user.id, policy.message);
    return { ok: false, message: policy.message };
  }

  const finding = storedFinding(row);
  const action = storedAction(row);
  if (action.kind !== row.action_kind) {
    const message = `Refused: request ${row.id} is recorded as ${row.action_kind} but its action is ${action.kind}; request it again.`;
    await endRequest(deps, row.id, "refused", user.id, message);
    return { ok: false, message };
  }
  const listed = await deps.keys.freshKeysFor(finding);
  if (!listed.ok) return { ok: false, message: redact(`Keywarden could not list the keys to check the request again: ${listed.message}. Nothing was done; try again.`, settings.secrets) };
  // An earlier approver no longer allowed does not count any more.
  const approvedBy = (await store.approvals(row.id)).map((a) => a.approver).filter((id) => settings.slackAllowedUsers.includes(id));
  const context = await guardContext(deps, policy?.policy, listed.items, now, { finding, action, requestId: row.id });
  const pending = { finding, action, requestedBy: row.requested_by, acknowledgedInUse: row.acknowledged_in_use === 1, requestedAt: row.requested_at, approvedBy };
  const checked = checkApproval(pending, user.id, context);
  if (!checked.ok && checked.guard === "approvals" && user.id !== row.requested_by) {
    // Enough people approved already, yet it is still pending: the isolate that stored the last
    // approval was lost before it could run it. Every guard of the request is checked again, then it runs.
    const again = checkRequest(pending, context);
    if (!again.ok) {
      await endRequest(deps, row.id, "refused", user.id, again.message);
      return { ok: false, message: again.message };
    }
    return executeApproved(deps, row.id, again.action, user.id, now);
  }
  if (!checked.ok) {
    if (PERSONAL_GUARDS.has(checked.guard)) return { ok: false, message: checked.message };
    await endRequest(deps, row.id, "refused", user.id, checked.message);
    return { ok: false, message: checked.message };
  }
  if (!(await store.approve(row.id, { approver: user.id, approver_name: user.name, approved_at: deps.clock.now().toISOString() }))) {
    return { ok: false, message: `You have already approved ${row.id}, or it was decided meanwhile.` };
  }
  log.info(`keywarden: ${row.id}: approved by ${user.id}`);
  // Counted again after this approval was stored: two approvals at the same moment may together be enough.
  const approvals = 1 + (await store.approvals(row.id)).filter((a) => settings.slackAllowedUsers.includes(a.approver) && a.approver !== row.requested_by).length;
  if (approvals < checked.approvalsNeeded) {
    await refreshMessage(deps, row.id, now);
    return { ok: true, message: `Approved: ${row.id} needs ${checked.approvalsNeeded - approvals} more approval(s).` };
  }
  return executeApproved(deps, row.id, checked.action, user.id, now);
}

/** Reject on the request message: any allowed user but the requester. */
export async function rejectRemediation(deps: DecideDeps, user: SlackUser, requestId: string): Promise<Answer> {
  const row = await pendingRequest(deps, requestId, user);
  if ("message" in row) return row;
  if (user.id === row.requested_by) return { ok: false, message: "You made this request: another allowed user must approve or reject it." };
  if (await expireIfDue(deps, row.requested_at, deps.clock.now())) return { ok: false, message: `Request ${row.id} had already expired.` };
  await endRequest(deps, row.id, "rejected", user.id, `rejected by ${user.name}`);
  return { ok: true, message: `Rejected ${row.id}.` };
}
