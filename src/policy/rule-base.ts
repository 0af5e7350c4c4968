import { z } from "zod";
import { type RuleControls, ruleControlsSchema } from "../controls/policy-controls.js";
import { type Scope, scopeSchema } from "./scope.js";
import { SEVERITIES, type Severity } from "../model/severity.js";

export const RULE_ID = /^[a-z0-9]+(?:[-_.][a-z0-9]+)*$/;

/** Fields every rule has, whatever its kind. */
export const ruleBaseShape = {
  id: z
    .string()
    .regex(RULE_ID, { error: 'rule id must be a slug: lower-case letters and digits separated by "-", "_" or "." (e.g. unused-90d)' })
    .meta({ description: "Unique within the policy; part of every finding's fingerprint, so keep it stable." }),
  severity: z.enum(SEVERITIES).meta({ description: "How bad a violation is." }),
  description: z.string().min(1).optional().meta({ description: "What the rule is for; match rules use it as the finding's sentence." }),
  scope: scopeSchema.optional(),
  remediation: z
    .string({ error: "remediation must be text, e.g. \"rotate it, then revoke the old key\"" })
    .trim()
    .min(1, { error: "remediation must not be empty; leave it out to use the rule kind's default" })
    .optional()
    .meta({ description: "What to do about a finding of this rule, shown with each finding (Slack, CSV, evidence). Default: the rule kind's own advice." }),
  controls: ruleControlsSchema.optional(),
};

export interface RuleBase {
  id: string;
  severity: Severity;
  description?: string | undefined;
  scope?: Scope | undefined;
  remediation?: string | undefined;
  controls?: RuleControls | undefined;
}
