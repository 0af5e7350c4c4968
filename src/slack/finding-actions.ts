import type { FindingRef } from "../decide/ports.js";
import type { ButtonElement } from "./blocks.js";

/** The action id of the button that opens the accept-risk modal for one finding. */
export const ACCEPT_RISK_ACTION = "accept_risk";

const REF = /^([A-Za-z0-9_-]{1,64}):([A-Za-z0-9_-]{1,128})$/;

/** `<run id>:<fingerprint>`: what a button's value and a modal's private_metadata carry. */
export function findingRefValue(ref: FindingRef): string {
  return `${ref.runId}:${ref.fingerprint}`;
}

/** A button's value read back; null for anything else (a bare fingerprint from a report made before runs were named in buttons). */
export function readFindingRef(value: string): FindingRef | null {
  const match = REF.exec(value);
  return match ? { runId: match[1] as string, fingerprint: match[2] as string } : null;
}

/**
 * The "Accept risk" button shown beside a finding (thread and owner messages). Its value names the
 * run and the finding, so a click names exactly one rule on one key, as that run's policy judged it.
 */
export function acceptRiskButton(ref: FindingRef): ButtonElement {
  return { type: "button", text: { type: "plain_text", text: "Accept risk", emoji: false }, action_id: ACCEPT_RISK_ACTION, value: findingRefValue(ref) };
}

/** Stable block id of a finding's section: derived from its fingerprint, the same in every message and run. */
export function findingBlockId(fingerprint: string): string {
  return `f-${fingerprint}`;
}
