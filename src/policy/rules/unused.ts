import { z } from "zod";
import { formatCount } from "../../enrichment/describe.js";
import { USAGE_WINDOW_DAYS } from "../../model/enrichment.js";
import type { KeyRecord } from "../../model/inventory.js";
import { lastUseKnowledge } from "../../model/last-use.js";
import { daysSchema } from "../duration.js";
import { defineRule } from "../rule-module.js";
import { MS_PER_DAY, agoSentence, isoDay, plural } from "../time.js";

const lastUsed = agoSentence(
  (daysAgo, day) => `last used ${plural(daysAgo, "day")} ago, on ${day}`,
  (raw) => `last used at an unreadable time ("${raw}")`,
);
const neverUsed = agoSentence(
  (daysAgo, day) => `never used; created ${plural(daysAgo, "day")} ago, on ${day}`,
  (raw) => `never used; created at an unreadable time ("${raw}")`,
);
const createdAgo = agoSentence(
  (daysAgo, day) => `created ${plural(daysAgo, "day")} ago, on ${day}`,
  (raw) => `created at an unreadable time ("${raw}")`,
);

/**
 * OpenAI gives every key's `last_used_at` (null: never used). Anthropic gives none: it is derived
 * from usage reports that go back only so far (`last_used_known_since`) or could not be read
 * (`last_used_unknown`). Then a key without use seen is a finding only when the usage read covers
 * the rule's days; otherwise the rule cannot decide (never "unused", never "fine" by guess), unless
 * the key is younger than the limit (it cannot have been unused for longer than it existed).
 */
export const unused = defineRule({
  kind: "unused",
  summary: "The key's last use (or its creation, if it was never used) is more than `days` days ago; undecided when last use comes from usage reports (Anthropic) that could not be read or reach back fewer days.",
  remediation: "revoke it: unused keys are pure risk; if it is still needed, rotate it",
  options: z.object({
    days: daysSchema.meta({ description: "Exactly `days` days is still fine; a second more is a violation." }),
  }),
  check(key, rule, { nowMs, times }) {
    const limitMs = rule.days * MS_PER_DAY;
    const use = lastUseKnowledge(key);
    if (use.state !== "known") {
      // Younger than the limit: fine whatever its use. Written so that an unreadable created_at (NaN) goes on.
      if (nowMs - times.created_at <= limitMs) return null;
      if (use.state === "unknown") return { undecided: `last use unknown: ${use.reason}` };
      return noUseSeen(key, rule, nowMs, times.created_at);
    }
    const lastSeenMs = times.last_used_at ?? times.created_at;
    // Written as "within the limit → fine" so an unparsable timestamp (NaN) is a violation: fail closed.
    if (nowMs - lastSeenMs <= limitMs) return null;
    const note = usageContradiction(key, times.last_used_at, nowMs);
    if (key.last_used_at === null) return { sentence: `${neverUsed(times.created_at, key.created_at, nowMs)}${note}` };
    return { sentence: `${lastUsed(lastSeenMs, key.last_used_at, nowMs)}${note}` };
  },
});

/** A key older than the limit with no use seen since `last_used_known_since`. */
function noUseSeen(key: KeyRecord, rule: { days: number }, nowMs: number, createdMs: number): { sentence: string } | { undecided: string } {
  const since = key.last_used_known_since ?? "";
  const sinceMs = Date.parse(since);
  if (Number.isNaN(sinceMs)) return { undecided: `last use unknown: the start of the usage read ("${since}") cannot be read` };
  const sinceDay = isoDay(sinceMs, since);
  // No use in a window that reaches back at least the rule's days: unused, whenever it was created.
  if (nowMs - sinceMs >= rule.days * MS_PER_DAY) {
    if (createdMs >= sinceMs) return { sentence: neverUsed(createdMs, key.created_at, nowMs) };
    return { sentence: `no use since ${sinceDay} (as far back as usage was read); ${createdAgo(createdMs, key.created_at, nowMs)}` };
  }
  const covered = Math.floor((nowMs - sinceMs) / MS_PER_DAY);
  return {
    undecided: `no use since ${sinceDay}, the earliest usage readable (${plural(covered, "day")}, fewer than the rule's ${rule.days}): an older use cannot be ruled out`,
  };
}

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
