/**
 * The Accept-risk modal: the finding, a reason, the last day it holds (at most the policy's
 * max_acceptance_days ahead) and an optional ticket. Its inputs are the form decide/ reads back.
 */
import type { ModalView } from "@slack/types";
import type { RunFinding } from "../model/run.js";
import { EXPIRES_BLOCK, MIN_REASON_LENGTH, REASON_BLOCK, TICKET_BLOCK } from "../decide/form.js";
import { findingRefValue } from "./finding-actions.js";
import { safe } from "./mrkdwn.js";

/** The modal's callback id. */
export const ACCEPT_MODAL = "accept_risk_modal";
const DAY_MS = 86_400_000;

/** The Accept-risk modal for one finding of one run (`private_metadata` carries only those two: `<run id>:<fingerprint>`). */
export function acceptanceModal(finding: RunFinding, runId: string, maxDays: number, now: Date): ModalView {
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
