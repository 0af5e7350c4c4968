/**
 * Re-enable in Slack: the button and what a carried-out Disable's message says of it, and the form a
 * click opens (the key, the exact request, a required reason) that decide/reenable.ts reads back.
 */
import { MIN_REVOKE_REASON, REASON_BLOCK } from "../decide/form.js";
import type { ReenableForm, ReenableState } from "../decide/ports.js";
import { dryRunRequest } from "../decide/outcome.js";
import { keyList } from "./key-list.js";
import { safe } from "./mrkdwn.js";

/** The Re-enable button on a carried-out Disable's message (its value: the Disable request's id). */
export const REENABLE_ACTION = "remediation_reenable";
export const REENABLE_MODAL = "reenable_modal";

/** A carried-out Disable's Re-enable: the button while it is offered, else what became of it. */
export function reenableBlocks(id: string, reenable: ReenableState): Record<string, unknown>[] {
  const until = `${reenable.until.slice(0, 16).replace("T", " ")} UTC`;
  const request = reenable.request ? `Re-enable requested as \`${safe(reenable.request.id, 60)}\`: ${safe(reenable.request.status, 20)}.` : "";
  if (!reenable.offered) {
    const said = request || `Re-enable was offered until ${until}; set the key active in Anthropic's console if it must work again.`;
    return [{ type: "context", elements: [{ type: "mrkdwn", text: said }] }];
  }
  return [
    { type: "context", elements: [{ type: "mrkdwn", text: `${request ? `${request} ` : ""}Re-enable is offered until ${until}: it is a request like any other (another allowed user approves it).` }] },
    {
      type: "actions",
      block_id: `rem-reenable-${id}`,
      elements: [{ type: "button", text: { type: "plain_text", text: "Re-enable" }, action_id: REENABLE_ACTION, value: id }],
    },
  ];
}

/** The Re-enable form: the key, the exact request, who must approve, and a required reason. */
export function reenableModal(form: ReenableForm): Record<string, unknown> {
  const { action, mode, now } = form;
  return {
    type: "modal",
    callback_id: REENABLE_MODAL,
    private_metadata: form.privateMetadata,
    title: { type: "plain_text", text: mode === "dry-run" ? "Re-enable (dry run)" : "Re-enable" },
    submit: { type: "plain_text", text: "Request" },
    close: { type: "plain_text", text: "Cancel" },
    blocks: [
      {
        type: "section",
        text: {
          type: "mrkdwn",
          verbatim: true,
          text: `*${safe(action.summary, 400)}*\n\`${safe(dryRunRequest(action).replace(/^would /, ""), 600)}\`\nThe key:\n${keyList(action.keysAffected, now)}`.slice(0, 3000),
        },
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text:
              (mode === "dry-run" ? ":test_tube: *Dry run* (REMEDIATION=dry-run): nothing will be re-enabled; the outcome shows the request that would be made. " : "") +
              (form.approvalsNeeded > 1 ? `Another allowed user must approve it in the report channel within 24 hours (${form.approvalsNeeded} people in all).` : "It runs as soon as you submit (REMEDIATION_APPROVALS=1)."),
          },
        ],
      },
      {
        type: "input",
        block_id: REASON_BLOCK,
        label: { type: "plain_text", text: "Why must it work again?" },
        element: { type: "plain_text_input", action_id: "value", multiline: true, min_length: MIN_REVOKE_REASON, max_length: 1000 },
      },
    ],
  };
}
