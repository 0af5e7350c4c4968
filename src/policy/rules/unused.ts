import { z } from "zod";
import { daysSchema } from "../duration.js";
import { defineRule } from "../rule-module.js";
import { MS_PER_DAY, agoSentence, plural } from "../time.js";

const lastUsed = agoSentence(
  (daysAgo, day) => `last used ${plural(daysAgo, "day")} ago, on ${day}`,
  (raw) => `last used at an unreadable time ("${raw}")`,
);
const neverUsed = agoSentence(
  (daysAgo, day) => `never used; created ${plural(daysAgo, "day")} ago, on ${day}`,
  (raw) => `never used; created at an unreadable time ("${raw}")`,
);

export const unused = defineRule({
  kind: "unused",
  summary: "The key's last use (or its creation, if it was never used) is more than `days` days ago.",
  remediation: "revoke it: unused keys are pure risk; if it is still needed, rotate it",
  options: z.object({
    days: daysSchema.meta({ description: "Exactly `days` days is still fine; a second more is a violation." }),
  }),
  check(key, rule, { nowMs, times }) {
    const lastSeenMs = times.last_used_at ?? times.created_at;
    // Written as "within the limit → fine" so an unparsable timestamp (NaN) is a violation: fail closed.
    if (nowMs - lastSeenMs <= rule.days * MS_PER_DAY) return null;
    if (key.last_used_at === null) return { sentence: neverUsed(times.created_at, key.created_at, nowMs) };
    return { sentence: lastUsed(lastSeenMs, key.last_used_at, nowMs) };
  },
});
