import { z } from "zod";
import { compileCondition } from "../condition/compile.js";
import { type Condition, conditionSchema } from "../condition/schema.js";
import { defineRule, perRule } from "../rule-module.js";

const compiledWhere = perRule((rule: { where: Condition }) => compileCondition(rule.where));

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
});
