import { remediationPolicyIssues, remediationPolicySchema } from "./remediation-schema.js";
import { z } from "zod";
import { ruleControlsIssues } from "../controls/policy-controls.js";
import { RULE_KINDS, RULE_MODULES } from "./registry.js";
import { ruleBaseShape } from "./rule-base.js";
import type { RuleModule } from "./rule-module.js";

type RuleSchemaOf<Module> =
  Module extends RuleModule<infer Kind, infer Options>
    ? z.ZodObject<typeof ruleBaseShape & { kind: z.ZodLiteral<Kind> } & Options["shape"], z.core.$strict>
    : never;

function ruleSchemaFor<Module extends RuleModule>(module: Module): RuleSchemaOf<Module> {
  const schema = z.strictObject({ ...ruleBaseShape, kind: z.literal(module.kind), ...module.options.shape });
  return schema.meta({ id: `${module.kind}-rule`, title: `${module.kind} rule`, description: module.summary }) as unknown as RuleSchemaOf<Module>;
}

// Generic so the mapped type keeps the tuple shape zod's discriminatedUnion asks for.
type RuleSchemasOf<Modules extends readonly unknown[]> = { -readonly [Index in keyof Modules]: RuleSchemaOf<Modules[Index]> };
type RuleSchemas = RuleSchemasOf<typeof RULE_MODULES>;

const kindList = RULE_KINDS.join(", ");

export const ruleSchema = z.discriminatedUnion("kind", RULE_MODULES.map((module) => ruleSchemaFor(module as RuleModule)) as unknown as RuleSchemas, {
  error: (issue) => {
    if (issue.code !== "invalid_union") return undefined;
    const kind = (issue.input as { kind?: unknown } | undefined)?.kind;
    if (kind === undefined) return `missing rule kind; expected one of: ${kindList}`;
    return `unknown rule kind ${JSON.stringify(kind)}; expected one of: ${kindList}`;
  },
});

export type Rule = z.output<typeof ruleSchema>;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date written YYYY-MM-DD (2027-02-30 is not one). */
export function parseDay(text: string): number | null {
  const match = DAY.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? ms : null;
}

export const exemptionSchema = z
  .strictObject({
    rule: z.string().meta({ description: "The id of a rule in this policy." }),
    key: z.string().min(1).meta({ description: "The key id (key_… / admin key id)." }),
    reason: z
      .string({ error: "an exemption needs a reason" })
      .trim()
      .min(1, { error: "an exemption needs a reason" })
      .meta({ description: "Why the key may break the rule; shown in reports." }),
    expires: z
      .string({ error: 'an exemption needs an expiry date, written YYYY-MM-DD (quote it: "2027-03-01")' })
      .refine((text) => parseDay(text) !== null, { error: "expires must be a date written YYYY-MM-DD" })
      .meta({ description: "Last day (UTC) the exemption applies, YYYY-MM-DD.", format: "date" }),
    approved_by: z.string().min(1).optional().meta({ description: "Who approved the exemption." }),
  })
  .meta({ id: "exemption", description: "Lets one key break one rule, for a reason, until a date." });

export type Exemption = z.output<typeof exemptionSchema>;

/** Slack's ids as its API gives them: users U…/W… (Enterprise Grid), channels C…, private channels G…. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]+$/;
export const SLACK_DESTINATION_ID = /^[UWCG][A-Z0-9]+$/;

const slackUserId = z
  .string({ error: 'expected a Slack user id, e.g. "U0123ABCD"' })
  .regex(SLACK_USER_ID, { error: 'expected a Slack user id (U… or W…, capital letters and digits, e.g. "U0123ABCD"), not a name or an @mention' })
  .meta({ description: "A Slack user id (U… or W…), as shown in a Slack profile under ⋮ → Copy member ID." });

export const ownerSchema = z
  .strictObject({
    match: z
      .string({ error: 'match needs a project id (proj_…) or a project-name glob, e.g. "ml-*"' })
      .trim()
      .min(1, { error: 'match needs a project id (proj_…) or a project-name glob, e.g. "ml-*"' })
      .meta({ description: "A project id (proj_…) or a project-name glob (* any run of characters, ? one character; case-insensitive)." }),
    slack: z
      .string({ error: 'slack needs a Slack user id (U…, W…) or channel id (C…, G…), e.g. "C0123ABCD"' })
      .regex(SLACK_DESTINATION_ID, {
        error: 'slack must be a Slack user id (U…, W…) or channel id (C…, G…) in capital letters and digits, e.g. "C0123ABCD"; not a name, #channel or @mention',
      })
      .meta({ description: "Who hears about the findings of those projects' keys: a Slack user id (U…, W…) or channel id (C…, G…)." }),
  })
  .meta({ id: "owner", description: "Who is responsible for the keys of matching projects, in Slack." });

export type PolicyOwner = z.output<typeof ownerSchema>;

export const DEFAULT_MAX_ACCEPTANCE_DAYS = 90;

const daysUpToAYear = (field: string) =>
  z
    .number({ error: `${field} must be a whole number of days from 1 to 365` })
    .int({ error: `${field} must be a whole number of days from 1 to 365` })
    .min(1, { error: `${field} must be a whole number of days from 1 to 365` })
    .max(365, { error: `${field} must be a whole number of days from 1 to 365` });

export const policySchema = z
  .strictObject(
    {
      version: z.literal(1, { error: "version must be 1" }),
      name: z.string().min(1, { error: "name must not be empty" }),
      description: z.string().optional(),
      rules: z.array(ruleSchema).min(1, { error: "a policy needs at least one rule" }),
      exemptions: z.array(exemptionSchema).optional(),
      owners: z
        .array(ownerSchema)
        .optional()
        .meta({ description: "Who is responsible, in Slack, for the keys of which projects." }),
      approvers: z
        .array(slackUserId)
        .optional()
        .meta({ description: "Slack users who may accept a finding's risk from Slack (besides SLACK_ALLOWED_USERS)." }),
      max_acceptance_days: daysUpToAYear("max_acceptance_days")
        .default(DEFAULT_MAX_ACCEPTANCE_DAYS)
        .meta({ description: "How far ahead a risk accepted in Slack may expire, in days (1 to 365; default 90)." }),
      remind_after_days: daysUpToAYear("remind_after_days")
        .optional()
        .meta({ description: "Remind the owner of a finding still open after this many days (1 to 365)." }),
      remediation: remediationPolicySchema.optional(),
    },
    { error: (issue) => (issue.code === "invalid_type" ? "a policy is a YAML map with version, name and rules" : undefined) },
  )
  // Runs even when other fields have errors (`when`), so one pass reports everything; hence the
  // defensive reading of a value that may be only partly valid.
  .superRefine((policy, ctx) => {
    crossReferenceIssues(policy).forEach((issue) => ctx.addIssue({ code: "custom", ...issue }));
    const { rules, remediation } = (policy ?? {}) as { rules?: unknown; remediation?: unknown };
    const ruleIds = listOf(rules).flatMap((rule) => stringField(rule, "id") ?? []);
    for (const issue of remediationPolicyIssues(remediation, ruleIds)) ctx.addIssue({ code: "custom", path: ["remediation", ...issue.path], message: issue.message });
  }, {
    when: () => true,
  });

export type Policy = z.output<typeof policySchema>;

/** Rule ids must be unique, their controls in the catalogue; exemptions must name a rule of this policy, once per key. */
function crossReferenceIssues(policy: unknown): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const { rules, exemptions } = (policy ?? {}) as { rules?: unknown; exemptions?: unknown };
  const firstIndexOfRule = new Map<string, number>();
  listOf(rules).forEach((rule, index) => {
    const id = stringField(rule, "id");
    if (id === undefined) return;
    const first = firstIndexOfRule.get(id);
    if (first === undefined) firstIndexOfRule.set(id, index);
    else issues.push({ path: ["rules", index, "id"], message: `duplicate rule id "${id}" (also rules[${first}])` });
  });
  listOf(rules).forEach((rule, index) => issues.push(...ruleControlsIssues(rule, index)));
  const firstIndexOfExemption = new Map<string, number>();
  listOf(exemptions).forEach((exemption, index) => {
    const rule = stringField(exemption, "rule");
    const key = stringField(exemption, "key");
    if (rule === undefined) return;
    if (!firstIndexOfRule.has(rule)) {
      const ids = [...firstIndexOfRule.keys()].join(", ");
      issues.push({ path: ["exemptions", index, "rule"], message: `unknown rule "${rule}"; rules in this policy: ${ids}` });
    }
    if (key === undefined) return;
    const pair = `${rule}\u0000${key}`;
    const first = firstIndexOfExemption.get(pair);
    if (first === undefined) firstIndexOfExemption.set(pair, index);
    else issues.push({ path: ["exemptions", index], message: `duplicate exemption for rule "${rule}" and key "${key}" (also exemptions[${first}])` });
  });
  return issues;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stringField(value: unknown, name: string): string | undefined {
  const field = value !== null && typeof value === "object" ? (value as Record<string, unknown>)[name] : undefined;
  return typeof field === "string" ? field : undefined;
}
