import { z } from "zod";
import { lastUseKnowledge } from "../../model/last-use.js";
import { compileCondition } from "../condition/compile.js";
import { decideOverLastUse, lastUseNeeds, lastUseNote } from "../condition/last-use-worlds.js";
import { type Condition, conditionSchema } from "../condition/schema.js";
import { defineRule, perRule } from "../rule-module.js";

const compiledWhere = perRule((rule: { where: Condition }) => compileCondition(rule.where));
const namesStatus = perRule((rule: { where: Condition }) => namesField(rule.where, "status"));
const lastUseNeedsOf = perRule((rule: { where: Condition }) => ({ needs: lastUseNeeds(rule.where) }));

/**
 * A condition on `last_used_at` over a key whose last use is not exactly known (Anthropic: usage not
 * read, or not as far back as it would take) decides only when every possible last use agrees;
 * otherwise the key is undecided, like the `unused` rule's (condition/last-use-worlds.ts).
 */
export const match = defineRule({
  kind: "match",
  summary: "A generic condition on the key's fields (all / any / not, field operators) holds. On last_used_at: undecided when last use comes from usage reports (Anthropic) that could not be read or do not reach back far enough to tell.",
  remediation: "review the key against this rule and revoke or rotate it",
  options: z.object({
    where: conditionSchema,
  }),
  check(key, rule, ctx) {
    const where = compiledWhere(rule);
    const { needs } = lastUseNeedsOf(rule);
    const use = needs === null ? null : lastUseKnowledge(key);
    if (needs === null || use === null || use.state === "known") {
      if (!where.matches(key, ctx)) return null;
      return { sentence: rule.description ?? where.describe(key, ctx) };
    }
    const decided = decideOverLastUse(where, needs, key, ctx, use);
    if (decided === false) return null;
    if (decided !== true) return decided;
    return { sentence: rule.description ?? `${where.describe(key, ctx)}${lastUseNote(use)}` };
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
