/**
 * The policy's `remediation:` section, which narrows what may be remediated from Slack:
 *
 *   remediation:
 *     actions: [delete_project_key, demote_service_account]
 *     allowed_rules: [unused-90d, service-account-owner]
 *
 * Either list left out allows everything of its sort; the section left out narrows nothing (the
 * Worker's REMEDIATION, off by default, still decides whether anything runs at all).
 * Defined here for the policy schema to take up (`remediation: remediationPolicySchema.optional()`),
 * with `remediationPolicyIssues` for its cross-reference check.
 */
import { z } from "zod";
import { RULE_ID } from "./rule-base.js";
import { ACTION_KINDS } from "../model/remediation.js";

const actionList = ACTION_KINDS.join(", ");

export const remediationPolicySchema = z
  .strictObject({
    actions: z
      .array(z.enum(ACTION_KINDS, { error: `unknown action; expected one of: ${actionList}` }), {
        error: `actions must be a list of actions, e.g. [delete_project_key]; expected some of: ${actionList}`,
      })
      .min(1, { error: "list at least one action, or leave actions out to allow them all (REMEDIATION=off turns remediation off)" })
      .optional()
      .meta({ description: `Which actions may run (default: all): ${actionList}.` }),
    allowed_rules: z
      .array(z.string().regex(RULE_ID, { error: "expected a rule id, e.g. unused-90d" }), { error: "allowed_rules must be a list of rule ids, e.g. [unused-90d]" })
      .min(1, { error: "list at least one rule id, or leave allowed_rules out to allow every rule (REMEDIATION=off turns remediation off)" })
      .optional()
      .meta({ description: "The ids of the rules whose findings may be remediated (default: every rule)." }),
  })
  .meta({ id: "remediation", description: "Narrows which findings may be remediated from Slack, and how." });

export type RemediationPolicy = z.output<typeof remediationPolicySchema>;

/** `allowed_rules` must name rules of the policy, each once; `actions` must not repeat. Paths are relative to the section. */
export function remediationPolicyIssues(remediation: unknown, ruleIds: readonly string[]): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (remediation === null || typeof remediation !== "object") return issues;
  const { actions, allowed_rules: allowedRules } = remediation as { actions?: unknown; allowed_rules?: unknown };
  const known = new Set(ruleIds);
  const seenRules = new Map<string, number>();
  (Array.isArray(allowedRules) ? allowedRules : []).forEach((rule, index) => {
    if (typeof rule !== "string") return;
    const first = seenRules.get(rule);
    if (first !== undefined) issues.push({ path: ["allowed_rules", index], message: `duplicate rule "${rule}" (also allowed_rules[${first}])` });
    else seenRules.set(rule, index);
    if (!known.has(rule)) issues.push({ path: ["allowed_rules", index], message: `unknown rule "${rule}"; rules in this policy: ${ruleIds.join(", ")}` });
  });
  const seenActions = new Map<string, number>();
  (Array.isArray(actions) ? actions : []).forEach((action, index) => {
    if (typeof action !== "string") return;
    const first = seenActions.get(action);
    if (first !== undefined) issues.push({ path: ["actions", index], message: `duplicate action "${action}" (also actions[${first}])` });
    else seenActions.set(action, index);
  });
  return issues;
}
