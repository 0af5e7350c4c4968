import { z } from "zod";
import { compileCondition } from "../condition/compile.js";
import { type Condition, conditionSchema } from "../condition/schema.js";
import { defineRule, perRule } from "../rule-module.js";

const compiledWhere = perRule((rule: { where: Condition }) => compileCondition(rule.where));
const namesStatus = perRule((rule: { where: Condition }) => namesField(rule.where, "status"));

export const match = defineRule({
  kind: "match",
  summary: "A generic condition on the key's fields (all / any / not, field operators) holds.",
  remediation: "review the key against this rule and revoke or rotate it",
  options: z.object({
    where: conditionSchema,
  }),
  check(key, rule, ctx) {
    const where = compiledWhere(rule);
    if (!where.matches(key, ctx)) return null;
    return { sentence: rule.description ?? where.describe(key, ctx) };
  },
  // A condition on `status` is about keys that are not active too (e.g. inactive keys kept for months).
  checksEveryStatus: (rule) => namesStatus(rule),
});

function namesField(condition: Condition, field: string): boolean {
  if ("all" in condition) return condition.all.some((part) => namesField(part, field));
  if ("any" in condition) return condition.any.some((part) => namesField(part, field));
  if ("not" in condition) return namesField(condition.not, field);
  return condition.field === field;
}
