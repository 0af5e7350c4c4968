import type { ButtonElement } from "./blocks.js";

/** The action id of the button that opens the accept-risk modal for one finding. */
export const ACCEPT_RISK_ACTION = "accept_risk";

/**
 * The "Accept risk" button shown beside a finding (thread and owner messages). Its value is the
 * finding's fingerprint, so a click names exactly one rule on one key, run after run.
 */
export function acceptRiskButton(fingerprint: string): ButtonElement {
  return { type: "button", text: { type: "plain_text", text: "Accept risk", emoji: false }, action_id: ACCEPT_RISK_ACTION, value: fingerprint };
}

/** Stable block id of a finding's section: derived from its fingerprint, the same in every message and run. */
export function findingBlockId(fingerprint: string): string {
  return `f-${fingerprint}`;
}
