import type { KeyRecord } from "../../model/inventory.js";
import type { LastUseKnowledge } from "../../model/last-use.js";
import { durationMs } from "../duration.js";
import type { CheckContext } from "../rule-module.js";
import { MS_PER_DAY, isoDay, plural } from "../time.js";
import type { CompiledCondition } from "./compile.js";
import type { Condition } from "./schema.js";

/**
 * A `match` condition on `last_used_at` over a key whose last use is not exactly known (Anthropic:
 * derived from usage reports that stop somewhere, or could not be read). Such a key's `last_used_at`
 * is null, but its true last use may be any time the reports did not see. The condition decides only
 * when it holds, or fails, in every last use still possible; otherwise it is undecided, never a guess.
 */

/** What a condition asks of `last_used_at`: null when it does not name it. */
export interface LastUseNeeds {
  /** The `older-than` / `newer-than` durations, in ms. */
  limitsMs: number[];
  /** Whether it asks `absent` (never used): only the key's whole history tells. */
  absent: boolean;
  /** Whether it compares the text (eq, ne, in, glob): no last use short of the exact one tells. */
  opaque: boolean;
}

export function lastUseNeeds(condition: Condition): LastUseNeeds | null {
  const needs: LastUseNeeds = { limitsMs: [], absent: false, opaque: false };
  let named = false;
  const visit = (part: Condition): void => {
    if ("all" in part) return part.all.forEach(visit);
    if ("any" in part) return part.any.forEach(visit);
    if ("not" in part) return visit(part.not);
    if (part.field !== "last_used_at") return;
    named = true;
    const limit = part["older-than"] ?? part["newer-than"];
    if (limit !== undefined) needs.limitsMs.push(durationMs(limit));
    else if (part.absent !== undefined) needs.absent = true;
    else needs.opaque = true;
  };
  visit(condition);
  return named ? needs : null;
}

/** How many days of usage decide the condition for a key used in them: its longest duration, or the whole history kept. */
export function usageDaysFor(needs: LastUseNeeds, wholeHistoryDays: number): number {
  if (needs.absent || needs.opaque) return wholeHistoryDays;
  return Math.max(1, ...needs.limitsMs.map((ms) => Math.ceil(ms / MS_PER_DAY)));
}

/** Far enough back for a key whose creation time cannot be read (the earliest Date there is). */
const EARLIEST_MS = -8.64e15;

/**
 * Whether `where` holds for a key whose last use is `none_since` or `unknown`: true or false when
 * every possible last use agrees, else why it cannot be told.
 */
export function decideOverLastUse(
  where: CompiledCondition,
  needs: LastUseNeeds,
  key: KeyRecord,
  ctx: CheckContext,
  use: Exclude<LastUseKnowledge, { state: "known" }>,
): boolean | { undecided: string } {
  const createdMs = Number.isNaN(ctx.times.created_at) ? EARLIEST_MS : ctx.times.created_at;
  const sinceMs = use.state === "none_since" ? Date.parse(use.since) : ctx.nowMs + 1;
  if (Number.isNaN(sinceMs)) return { undecided: `last use unknown: the start of the usage read ("${use.state === "none_since" ? use.since : ""}") cannot be read` };
  // Possible last uses: never, or any time in [createdMs, sinceMs). A use within the window would have been seen.
  const candidates = createdMs < sinceMs ? usedAtCandidates(needs, ctx.nowMs, createdMs, sinceMs - 1) : [];
  if (needs.opaque && candidates.length > 0) return { undecided: undecidedReason(use, ctx.nowMs) };
  const holds = holdsWhenUsedAt(where, key, ctx, null);
  for (const usedAt of candidates) if (holdsWhenUsedAt(where, key, ctx, usedAt) !== holds) return { undecided: undecidedReason(use, ctx.nowMs) };
  return holds;
}

/**
 * One last use per stretch of [lo, hi] where every older-than / newer-than answers the same (just
 * before, at, and just after each limit, plus both ends): the condition is the same across a stretch.
 */
function usedAtCandidates(needs: LastUseNeeds, nowMs: number, lo: number, hi: number): number[] {
  const points = new Set([lo, hi]);
  for (const limitMs of needs.limitsMs) for (const offset of [-1, 0, 1]) points.add(nowMs - limitMs + offset);
  return [...points].filter((ms) => ms >= lo && ms <= hi);
}

function holdsWhenUsedAt(where: CompiledCondition, key: KeyRecord, ctx: CheckContext, usedAtMs: number | null): boolean {
  const last_used_at = usedAtMs === null ? null : new Date(usedAtMs).toISOString();
  return where.matches({ ...key, last_used_at }, { ...ctx, times: { ...ctx.times, last_used_at: usedAtMs } });
}

function undecidedReason(use: Exclude<LastUseKnowledge, { state: "known" }>, nowMs: number): string {
  if (use.state === "unknown") return `last use unknown: ${use.reason}`;
  const sinceMs = Date.parse(use.since);
  const covered = Math.floor((nowMs - sinceMs) / MS_PER_DAY);
  return `no use since ${isoDay(sinceMs, use.since)}, the earliest usage readable (${plural(covered, "day")}): whether, and when, it was used before cannot be read, and the condition on last_used_at depends on it`;
}

/** Said after a finding's sentence when the key's last use was not exactly known, yet every possibility broke the rule. */
export function lastUseNote(use: Exclude<LastUseKnowledge, { state: "known" }>): string {
  if (use.state === "unknown") return `; last use unknown: ${use.reason}`;
  return `; no use since ${isoDay(Date.parse(use.since), use.since)} (as far back as usage was read)`;
}
