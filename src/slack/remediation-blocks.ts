/**
 * What remediation looks like in Slack: the finding's menu (Accept risk… / Revoke…), the confirmation
 * modal (the form decide/form.ts reads back), and the request message in the report channel with
 * Approve / Reject, updated with the outcome. Plain JSON; names from the API go through `safe` (escaped, one line, clipped).
 */
import type { RemediationAction } from "../model/remediation.js";
import { ACTION_BLOCK, IN_USE_BLOCK, MIN_REVOKE_REASON, REASON_BLOCK } from "../decide/form.js";
import type { FindingRef, RequestState, RevokeForm } from "../decide/ports.js";
import { dryRunRequest } from "../decide/outcome.js";
import type { ButtonElement, OverflowElement } from "./blocks.js";
import { ACCEPT_RISK_ACTION, acceptRiskButton, findingRefValue, readFindingRef } from "./finding-actions.js";
import { keyList, remainingKeyIds } from "./key-list.js";
import { safe } from "./mrkdwn.js";
import { reenableBlocks } from "./reenable-blocks.js";

export const FINDING_MENU_ACTION = "finding_menu";
export const REVOKE_OPTION = "revoke";
export const REVOKE_MODAL = "revoke_modal";
export const APPROVE_ACTION = "remediation_approve";
export const REJECT_ACTION = "remediation_reject";

/** The finding's accessory: the Accept-risk button alone, or a menu with Revoke… too when remediation is on and an action fits. */
export function findingAccessory(ref: FindingRef, revocable: boolean): ButtonElement | OverflowElement {
  if (!revocable) return acceptRiskButton(ref);
  return {
    type: "overflow",
    action_id: FINDING_MENU_ACTION,
    options: [
      { text: { type: "plain_text", text: "Accept risk…" }, value: `${ACCEPT_RISK_ACTION}:${findingRefValue(ref)}` },
      { text: { type: "plain_text", text: "Revoke…" }, value: `${REVOKE_OPTION}:${findingRefValue(ref)}` },
    ],
  };
}

/**
 * `accept_risk:<run id>:<fp>` / `revoke:<run id>:<fp>` from the menu, or null. A menu of a report made
 * before runs were named (`revoke:<fp>`) reads with no `ref` (`fingerprint` alone).
 */
export function readMenuChoice(value: string): { choice: "accept_risk" | "revoke"; fingerprint: string; ref: FindingRef | null } | null {
  const match = /^(accept_risk|revoke):(.{1,200})$/s.exec(value);
  if (!match) return null;
  const choice = match[1] as "accept_risk" | "revoke";
  const rest = match[2] as string;
  const ref = readFindingRef(rest);
  if (ref) return { choice, fingerprint: ref.fingerprint, ref };
  return /^[A-Za-z0-9_-]{1,128}$/.test(rest) ? { choice, fingerprint: rest, ref: null } : null;
}

/** The confirmation modal: the key, its project and owner, every key that goes with each action, and a required reason. */
export function revokeModal(input: RevokeForm): Record<string, unknown> {
  const { finding, actions, mode, inUse, now } = input;
  // Anthropic keys are disabled, never deleted: the form says so (OpenAI's reads as it always did).
  const disabling = actions.length > 0 && actions.every((action) => action.kind === "disable_key");
  const project = disabling ? "workspace" : "project";
  const where = finding.project
    ? `${project} *${safe(finding.project.name ?? finding.project.id, 100)}* (\`${safe(finding.project.id, 80)}\`)`
    : disabling
      ? "organization-wide key"
      : "organization admin key";
  const owner = finding.owner.type === "user" ? safe(finding.owner.email ?? finding.owner.name ?? finding.owner.id, 150) : `service account ${safe(finding.owner.name ?? finding.owner.id, 100)}`;
  const blocks: Record<string, unknown>[] = [
    {
      type: "section",
      text: {
        type: "mrkdwn",
        verbatim: true,
        text: `*${finding.severity.toUpperCase()}* · \`${safe(finding.rule_id, 100)}\`\n*${safe(finding.key.name ?? finding.key.id, 150)}* · ${where}\nOwner: ${owner}\n${safe(finding.sentence, 600)}`,
      },
    },
  ];
  for (const action of actions) {
    blocks.push({
      type: "section",
      text: {
        type: "mrkdwn",
        verbatim: true,
        text: `*${safe(action.summary, 400)}*\n\`${safe(dryRunRequest(action).replace(/^would /, ""), 600)}\`\n${action.keysAffected.length === 1 ? "The key:" : `All ${action.keysAffected.length} keys that go with it:`}\n${keyList(action.keysAffected, now)}`.slice(0, 3000),
      },
    });
    blocks.push(...remainingKeyIds(action.keysAffected, Math.floor(80 / actions.length)));
  }
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text:
          (mode === "dry-run" ? `:test_tube: *Dry run* (REMEDIATION=dry-run): nothing will be ${disabling ? "disabled" : "deleted"}; the outcome shows the request that would be made. ` : "") +
          (disabling ? "The key stops working; its message then offers Re-enable for 7 days. " : "") +
          (input.approvalsNeeded > 1 ? `Another allowed user must approve it in the report channel within 24 hours (${input.approvalsNeeded} people in all).` : "It runs as soon as you submit (REMEDIATION_APPROVALS=1)."),
      },
    ],
  });
  if (actions.length > 1) {
    blocks.push({
      type: "input",
      block_id: ACTION_BLOCK,
      label: { type: "plain_text", text: "Action" },
      element: {
        type: "static_select",
        action_id: "value",
        initial_option: actionOption(actions[0] as RemediationAction),
        options: actions.map(actionOption),
      },
    });
  }
  blocks.push({
    type: "input",
    block_id: REASON_BLOCK,
    label: { type: "plain_text", text: disabling ? "Why must it be disabled?" : "Why must it go?" },
    element: { type: "plain_text_input", action_id: "value", multiline: true, min_length: MIN_REVOKE_REASON, max_length: 1000 },
  });
  if (inUse.length > 0) {
    blocks.push({
      type: "input",
      block_id: IN_USE_BLOCK,
      label: {
        type: "plain_text",
        text: inUse.some((key) => key.last_used_unknown !== undefined)
          ? "Its last use is unknown: it may be in use"
          : `${inUse.length === 1 ? "A key was" : `${inUse.length} keys were`} used in the last 24 hours`,
      },
      element: {
        type: "checkboxes",
        action_id: "value",
        options: [{ text: { type: "plain_text", text: "I know it is in use" }, value: "acknowledged" }],
      },
    });
  }
  return {
    type: "modal",
    callback_id: REVOKE_MODAL,
    private_metadata: input.privateMetadata,
    title: { type: "plain_text", text: `${disabling ? "Disable" : "Revoke"}${mode === "dry-run" ? " (dry run)" : ""}` },
    submit: { type: "plain_text", text: "Request" },
    close: { type: "plain_text", text: "Cancel" },
    blocks,
  };
}

function actionOption(action: RemediationAction): Record<string, unknown> {
  const label = {
    demote_service_account: "Demote the service account",
    delete_project_key: "Delete the key",
    delete_admin_key: "Delete the admin key",
    delete_service_account: "Delete the service account",
    disable_key: "Disable the key",
    reenable_key: "Re-enable the key",
  }[action.kind];
  return { text: { type: "plain_text", text: label }, value: action.kind };
}

const OUTCOME_ICON: Record<string, string> = {
  done: ":white_check_mark: Done",
  already_gone: ":white_check_mark: Already gone",
  unconfirmed: ":warning: Unconfirmed",
  failed: ":x: Failed",
  dry_run: ":test_tube: Dry run",
  rejected: ":no_entry: Rejected",
  expired: ":hourglass: Expired",
  refused: ":no_entry: Refused",
  executing: ":hourglass_flowing_sand: Running",
};

/** The request message in the report channel: while pending it carries Approve / Reject; once decided, the outcome. */
export function requestMessage(view: RequestState): { text: string; blocks: Record<string, unknown>[] } {
  const { action } = view;
  const approvedBy = view.approvals.map((a) => `<@${safe(a.approver, 40)}>`).join(", ");
  const head = `${view.mode === "dry-run" ? ":test_tube: *Dry-run* remediation" : ":rotating_light: *Remediation*"} requested by <@${safe(view.requested_by, 40)}> · \`${safe(view.id, 60)}\``;
  const body = [
    head,
    `*${safe(action.summary, 400)}*`,
    `Finding: \`${safe(view.finding.rule_id, 100)}\` (${view.finding.severity})`,
    `Request: \`${safe(`${action.request.method} ${action.request.path}${action.request.body ? ` ${JSON.stringify(action.request.body)}` : ""}`, 300)}\``,
    ...(view.action.undoes !== undefined ? [`Undoes: \`${safe(view.action.undoes, 60)}\``] : []),
    `Reason: ${safe(view.reason, 600)}`,
  ].join("\n");
  const blocks: Record<string, unknown>[] = [
    { type: "section", block_id: `rem-${view.id}`, text: { type: "mrkdwn", verbatim: true, text: body } },
    { type: "section", text: { type: "mrkdwn", verbatim: true, text: `${action.keysAffected.length === 1 ? "Key:" : `Keys (${action.keysAffected.length}):`}\n${keyList(action.keysAffected, view.now)}`.slice(0, 3000) } },
    ...remainingKeyIds(action.keysAffected, 40),
  ];
  const expires = new Date(Date.parse(view.requested_at) + 24 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
  if (view.status === "pending") {
    blocks.push({
      type: "context",
      elements: [{ type: "mrkdwn", text: `Approvals: ${1 + view.approvals.length} of ${view.approvalsNeeded} (the requester counts)${approvedBy ? `: ${approvedBy}` : ""}. Expires ${expires} UTC. The requester cannot approve.` }],
    });
    blocks.push({
      type: "actions",
      block_id: `rem-actions-${view.id}`,
      elements: [
        { type: "button", text: { type: "plain_text", text: "Approve" }, style: "primary", action_id: APPROVE_ACTION, value: view.id },
        { type: "button", text: { type: "plain_text", text: "Reject" }, style: "danger", action_id: REJECT_ACTION, value: view.id },
      ],
    });
  } else {
    const who = view.status === "rejected" && view.decided_by ? ` by <@${safe(view.decided_by, 40)}>` : "";
    const approvals = approvedBy ? ` Approved by ${approvedBy}.` : "";
    blocks.push({ type: "section", text: { type: "mrkdwn", verbatim: true, text: `${OUTCOME_ICON[view.status] ?? view.status}${who}: ${safe(view.outcome ?? "", 1500)}${approvals}` } });
    if (view.reenable) blocks.push(...reenableBlocks(view.id, view.reenable));
  }
  return { text: `Keywarden remediation ${view.id}: ${view.status}`, blocks };
}
