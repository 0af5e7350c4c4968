/**
 * Carrying out a request every guard allowed: the one place a remediation writes to the Admin API.
 * Slack approvals (the Worker) and `keywarden revoke --yes` (the CLI) both come through `carryOut`,
 * which asks `executionGuard` itself: the Admin API is called only with REMEDIATION=on, whatever the
 * caller believed the mode to be.
 */
import type { RemediationAction } from "../model/remediation.js";
import { executionGuard } from "./guards.js";
import { type OutcomeStatus, confirmOutcome, dryRunRequest } from "./outcome.js";
import type { KeyActions } from "./ports.js";
import type { RemediationSettings } from "../config.js";

export interface CarriedOut {
  /** `dry_run`: described, not called; `refused`: REMEDIATION is off. */
  status: OutcomeStatus | "dry_run" | "refused";
  /** The HTTP status of the call; null when nothing was called or no answer came. */
  httpStatus: number | null;
  /** One sentence for people; never contains a secret. */
  message: string;
}

export interface CarryOutDeps {
  /** The provider's call and the listing that confirms it. */
  keys: Pick<KeyActions, "call" | "listingAfter">;
  /** Every configured secret, removed from whatever of the API's answer is quoted. */
  secrets: readonly string[];
}

/** Makes the action's call under REMEDIATION=on and confirms it by listing again; describes it under dry-run; refuses under off. */
export async function carryOut(action: RemediationAction, settings: Pick<RemediationSettings, "mode">, deps: CarryOutDeps): Promise<CarriedOut> {
  const how = executionGuard(settings);
  if (!how.ok) return { status: "refused", httpStatus: null, message: how.message };
  if (!how.call) return { status: "dry_run", httpStatus: null, message: `nothing was called (REMEDIATION=dry-run); Keywarden ${dryRunRequest(action)}.` };
  const answer = await deps.keys.call(action);
  // Also after no answer: a timeout does not say whether the call took effect, the listing does.
  return confirmOutcome(action, answer, await deps.keys.listingAfter(action), deps.secrets);
}
