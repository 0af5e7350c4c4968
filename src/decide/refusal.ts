/**
 * The one answer every decision gives when it says no: which rule refused, and why in a sentence for
 * the user (it never contains a secret). Revoke's guards (guards.ts) and accept risk's checks
 * (accept-risk.ts) refuse alike.
 */

/** The guards of a remediation request and its approvals, in the order they are checked. */
export const GUARDS = [
  "mode",
  "allowed-user",
  "second-approver",
  "approvals",
  "expiry",
  "undo-window",
  "policy-rules",
  "policy-actions",
  "fits-finding",
  "own-admin-key",
  "in-use",
  "daily-cap",
] as const;

/** The checks of accepting a risk: the user may accept at all, and the finding's key is not their own critical one. */
export const ACCEPTANCE_CHECKS = ["acceptor", "key-owner"] as const;

export type GuardName = (typeof GUARDS)[number];
export type RefusingRule = GuardName | (typeof ACCEPTANCE_CHECKS)[number];

export interface Refusal<Rule extends RefusingRule = RefusingRule> {
  ok: false;
  /** The guard or check that refused. */
  guard: Rule;
  /** Why, in a sentence for the user; never contains a secret. */
  message: string;
}
