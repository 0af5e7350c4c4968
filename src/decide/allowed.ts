/**
 * The actions a policy's `remediation:` section allows for a finding: what the Revoke… form offers and
 * what `keywarden revoke` picks from. The guards check the same section again when the request is made.
 */
import type { ListedKey, RemediableFinding, RemediationAction } from "../model/remediation.js";
import { actionsFor, whyNoActions } from "./actions.js";
import type { RemediationPolicy } from "../policy/remediation-schema.js";

/** Whether the policy lets findings of this rule be remediated at all. */
export function ruleAllowed(ruleId: string, policy: RemediationPolicy | undefined): boolean {
  return !policy?.allowed_rules || policy.allowed_rules.includes(ruleId);
}

/** The actions that fit the finding, narrowed to those the policy allows. */
export function allowedActions(finding: RemediableFinding, keys: readonly ListedKey[], policy: RemediationPolicy | undefined): RemediationAction[] {
  if (!ruleAllowed(finding.rule_id, policy)) return [];
  return actionsFor(finding, keys).filter((action) => !policy?.actions || (policy.actions as readonly string[]).includes(action.kind));
}

/** Why `allowedActions` is empty, in a sentence. */
export function whyNoAllowedActions(finding: RemediableFinding, keys: readonly ListedKey[], policy: RemediationPolicy | undefined): string {
  if (!ruleAllowed(finding.rule_id, policy)) return `the policy's remediation.allowed_rules (${policy?.allowed_rules?.join(", ")}) do not include rule ${finding.rule_id}.`;
  return whyNoActions(finding, keys) ?? "the policy's remediation.actions allow none of the actions that fit it.";
}
