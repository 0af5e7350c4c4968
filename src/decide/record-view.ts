/**
 * A remediation request as people and auditors read it (GET /remediations, remediations.json/.csv):
 * the stored row, its approvals and the exact Admin API request, without the internal JSON columns.
 */
import type { RemediationApproval, RemediationRow, RemediationView } from "../model/remediation.js";
import { storedAction } from "./stored-request.js";

export function remediationView(row: RemediationRow, approvals: readonly Omit<RemediationApproval, "request_id">[]): RemediationView {
  const action = storedAction(row);
  return {
    id: row.id,
    status: row.status,
    mode: row.mode,
    action: row.action_kind,
    summary: row.summary,
    request: action.request,
    keys_affected: action.keysAffected.map((k) => ({ id: k.id, name: k.name, kind: k.kind, project_id: k.project_id })),
    policy: row.policy_name,
    rule_id: row.rule_id,
    key_id: row.key_id,
    fingerprint: row.fingerprint,
    reason: row.reason,
    acknowledged_in_use: row.acknowledged_in_use === 1,
    requested_by: row.requested_by,
    requested_by_name: row.requested_by_name,
    requested_at: row.requested_at,
    approvals: approvals.map((a) => ({ by: a.approver, name: a.approver_name, at: a.approved_at })),
    decided_at: row.decided_at,
    decided_by: row.decided_by,
    executed_at: row.executed_at,
    http_status: row.http_status,
    outcome: row.outcome,
    ...(action.undoes !== undefined ? { undoes: action.undoes } : {}),
  };
}
