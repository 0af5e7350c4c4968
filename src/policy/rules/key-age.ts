import { z } from "zod";
import { daysSchema } from "../duration.js";
import { defineRule, perRule } from "../rule-module.js";
import { MS_PER_DAY, agoSentence, plural } from "../time.js";

const createdSentence = perRule((rule: { days: number }) =>
  agoSentence(
    (daysAgo, day) => `created ${plural(daysAgo, "day")} ago, on ${day} (limit ${plural(rule.days, "day")})`,
    (raw) => `created at an unreadable time ("${raw}")`,
  ),
);

export const keyAge = defineRule({
  kind: "key-age",
  summary: "The key was created more than `days` days ago.",
  remediation: "rotate: create a new key, move the app to it, then revoke this one",
  options: z.object({
    days: daysSchema.meta({ description: "Maximum age in days; a key exactly this old is still fine." }),
  }),
  check(key, rule, { nowMs, times }) {
    // "within the limit → fine" so an unparsable created_at (NaN) is a violation: fail closed.
    if (nowMs - times.created_at <= rule.days * MS_PER_DAY) return null;
    return { sentence: createdSentence(rule)(times.created_at, key.created_at, nowMs) };
  },
});
