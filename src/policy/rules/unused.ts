import { z } from "zod";
import { formatCount } from "../../enrichment/describe.js";
import { USAGE_WINDOW_DAYS } from "../../model/enrichment.js";
import type { KeyRecord } from "../../model/inventory.js";
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
    const note = usageContradiction(key, times.last_used_at, nowMs);
    if (key.last_used_at === null) return { sentence: `${neverUsed(times.created_at, key.created_at, nowMs)}${note}` };
    return { sentence: `${lastUsed(lastSeenMs, key.last_used_at, nowMs)}${note}` };
  },
});

/**
 * The usage API (enrichment) counting requests in its window for a key whose last use is older than
 * that window, or that was never used: one of the two is wrong, worth a look before revoking.
 */
function usageContradiction(key: KeyRecord, lastUsedMs: number | null, nowMs: number): string {
  const requests = key.requests_30d;
  if (typeof requests !== "number" || requests <= 0) return "";
  if (lastUsedMs !== null && nowMs - lastUsedMs <= USAGE_WINDOW_DAYS * MS_PER_DAY) return "";
  const counted = `${formatCount(requests)} ${requests === 1 ? "request" : "requests"}`;
  return `; yet the usage API counts ${counted} in the last ${USAGE_WINDOW_DAYS} days: last_used_at may be stale, check before revoking`;
}
