/**
 * Revoke from Slack, the request: the Revoke… menu opens a confirmation form, its submission is
 * checked again from scratch, recorded as a pending request and posted to the report channel, or
 * executed at once when REMEDIATION_APPROVALS=1. Every guard is in ./guards.ts; this module only
 * reads, calls and records, through the ports it is given.
 */
import { z } from "zod";
import { visibleLength } from "../util/visible-length.js";
import { ACTION_BLOCK, IN_USE_BLOCK, MIN_REVOKE_REASON, REASON_BLOCK, type ViewValues, fieldOf } from "./form.js";
import { approvalsNeeded, checkRequest, keysInUse } from "./guards.js";
import type { Answer, DecideDeps, FindingRef, SlackUser } from "./ports.js";
import { recordRequest } from "./request-record.js";
import { guardContext, keysDigest, planRevoke } from "./revoke-plan.js";

/** What the form carries to its submission: the finding (and the run whose report was clicked), and per action the SHA-256 of the key ids the form showed (checked again there). */
const revokeMetadata = z.object({ f: z.string(), r: z.string(), k: z.record(z.string(), z.unknown()) });
type RevokeMetadata = z.infer<typeof revokeMetadata>;

export type SubmitOutcome = { ok: true; after: () => Promise<void> } | { ok: false; errors: Record<string, string> };

/** Revoke… was chosen: check, list the affected keys fresh, and open the confirmation form. A refusal is returned for an ephemeral answer. */
export async function openRevokeForm(deps: DecideDeps, user: SlackUser, triggerId: string, target: FindingRef): Promise<Answer> {
  const now = deps.clock.now();
  const settings = deps.settings.remediation;
  if (settings.mode === "off") return { ok: false, message: "Remediation is off (REMEDIATION=off): Keywarden deletes nothing." };
  if (!deps.settings.slackAllowedUsers.includes(user.id)) return { ok: false, message: "You may not request remediations: you are not in SLACK_ALLOWED_USERS." };
  const { notifier } = deps;
  if (!notifier) return { ok: false, message: "Keywarden cannot open the form: SLACK_BOT_TOKEN is off." };
  const plan = await planRevoke(deps, target);
  if ("message" in plan) return { ok: false, message: plan.message };
  const { finding, actions } = plan;
  const inUse = keysInUse(actions.flatMap((a) => a.keysAffected), now);
  const metadata: RevokeMetadata = { f: target.fingerprint, r: target.runId, k: Object.fromEntries(actions.map((a) => [a.kind, keysDigest(a)])) };
  await notifier.openRevokeForm(triggerId, { finding, actions, mode: settings.mode, inUse: dedupe(inUse), approvalsNeeded: approvalsNeeded(settings), privateMetadata: JSON.stringify(metadata), now });
  return { ok: true };
}

function dedupe<T extends { id: string }>(items: readonly T[]): T[] {
  return [...new Map(items.map((item) => [item.id, item])).values()];
}

function readMetadata(privateMetadata: string): RevokeMetadata | null {
  try {
    const parsed = revokeMetadata.safeParse(JSON.parse(privateMetadata));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The form's submission: checked again from scratch (form values are not trusted), recorded as a
 * pending request, posted to the report channel; executed at once only when REMEDIATION_APPROVALS=1.
 * Errors are per input block, for `response_action: errors`.
 */
export async function submitRevoke(deps: DecideDeps, user: SlackUser, privateMetadata: string, values: ViewValues): Promise<SubmitOutcome> {
  const fail = (message: string) => ({ ok: false as const, errors: { [REASON_BLOCK]: message } });
  const metadata = readMetadata(privateMetadata);
  if (!metadata) return fail("This form cannot be read; open it again from the finding.");
  const reason = (fieldOf(values, REASON_BLOCK)?.value ?? "").trim();
  if (visibleLength(reason) < MIN_REVOKE_REASON) return fail(`Say why it must go, in at least ${MIN_REVOKE_REASON} characters (spaces and invisible characters do not count).`);
  const acknowledgedInUse = (fieldOf(values, IN_USE_BLOCK)?.selected_options ?? []).some((o) => o?.value === "acknowledged");

  const now = deps.clock.now();
  const plan = await planRevoke(deps, { fingerprint: metadata.f, runId: metadata.r });
  if ("message" in plan) return fail(plan.message);
  const { finding, policyName, policy, keys, actions } = plan;
  const chosenKind = fieldOf(values, ACTION_BLOCK)?.selected_option?.value ?? actions[0]?.kind;
  const action = actions.find((a) => a.kind === chosenKind);
  if (!action) return fail(`That action no longer fits this finding: what fits is ${actions.map((a) => a.kind).join(", ")}.`);
  if (metadata.k[action.kind] !== keysDigest(action)) {
    return fail("The keys that would go changed since the form opened: close it and open it again to review the new list. Nothing was requested.");
  }

  const checked = checkRequest({ finding, action, requestedBy: user.id, acknowledgedInUse }, await guardContext(deps, policy, keys, now, { finding, action }));
  if (!checked.ok) return { ok: false, errors: { [checked.guard === "in-use" && values[IN_USE_BLOCK] ? IN_USE_BLOCK : REASON_BLOCK]: clipError(checked.message) } };

  const recorded = await recordRequest(deps, {
    user,
    fingerprint: metadata.f,
    policyName,
    finding,
    action: checked.action,
    mode: checked.mode,
    reason,
    acknowledgedInUse,
    ready: checked.ready,
    now,
  });
  if (!recorded.ok) return fail(`Request ${recorded.open.id} for this finding is already ${recorded.open.status}: approve or reject it in the channel first. Nothing was requested.`);
  return { ok: true, after: recorded.after };
}

/** Slack shows at most 2,000 characters per block error. */
export function clipError(message: string): string {
  return message.length > 1_900 ? `${message.slice(0, 1_899)}…` : message;
}
