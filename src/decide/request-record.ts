/**
 * A request every guard allowed, recorded as pending and posted to the report channel (then executed
 * at once when REMEDIATION_APPROVALS=1): what a Revoke… and a Re-enable submission both end with.
 */
import type { NewRemediation, RemediationAction, RemediationRow } from "../model/remediation.js";
import type { RunFinding } from "../model/run.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import type { DecideDeps, SlackUser } from "./ports.js";
import { executeApproved, refreshMessage, requestState } from "./revoke-execution.js";

export interface AllowedRequest {
  user: SlackUser;
  /** The finding's fingerprint: one open request per finding. */
  fingerprint: string;
  /** The bundled policy the finding was judged under, as the run history records it. */
  policyName: string;
  finding: RunFinding;
  /** The action as the guards planned it from the current inventory. */
  action: RemediationAction;
  mode: "dry-run" | "on";
  reason: string;
  acknowledgedInUse: boolean;
  /** No approver is needed: run it right after posting it. */
  ready: boolean;
  now: Date;
}

/** Records the request (unless the finding has one open already); `after` posts it, and runs it when ready. */
export async function recordRequest(deps: DecideDeps, request: AllowedRequest): Promise<{ ok: true; after: () => Promise<void> } | { ok: false; open: RemediationRow }> {
  const { user, action, now } = request;
  const secrets = deps.settings.secrets;
  const row: NewRemediation = {
    id: `rem_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
    fingerprint: request.fingerprint,
    policy_name: request.policyName,
    rule_id: request.finding.rule_id,
    key_id: request.finding.key.id,
    action_kind: action.kind,
    summary: redact(action.summary, secrets),
    action_json: redact(JSON.stringify(action), secrets),
    finding_json: redact(JSON.stringify(request.finding), secrets),
    mode: request.mode,
    reason: redact(request.reason, secrets),
    acknowledged_in_use: request.acknowledgedInUse ? 1 : 0,
    requested_by: user.id,
    requested_by_name: user.name,
    requested_at: now.toISOString(),
  };
  const made = await deps.remediations.create(row);
  if (!made.ok) return made;
  log.info(`keywarden: ${row.id}: ${user.id} requested ${action.kind} of ${action.target.id} (${request.mode})`);
  return {
    ok: true,
    after: async () => {
      try {
        const state = deps.notifier ? await requestState(deps, row.id, now) : null;
        const posted = deps.notifier && state ? await deps.notifier.postRequest(state) : null;
        if (posted) await deps.remediations.setMessage(row.id, posted.channel, posted.ts);
        // The Disable's message says a Re-enable was requested instead of offering it again.
        if (action.undoes !== undefined) await refreshMessage(deps, action.undoes, now);
        if (request.ready) await executeApproved(deps, row.id, action, user.id, deps.clock.now());
      } catch (error) {
        log.error(`keywarden: ${row.id}: the request could not be posted: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
