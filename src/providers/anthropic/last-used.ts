import type { KeyRecord } from "../../model/inventory.js";
import { drainQueue } from "../../util/drain.js";
import type { AnthropicInventoryOptions } from "./client.js";
import { sessionOptions } from "./client.js";
import { ANALYTICS_EARLIEST_MS, MAX_RANGE_DAYS, MAX_REPORT_ROWS, MS_PER_DAY, MS_PER_HOUR, earliestStart, readReport, reportTime } from "./reports.js";
import { usageRowSchema } from "./schemas.js";
import { AnthropicSession } from "./session.js";

/**
 * Anthropic keys have no `last_used_at`: their last use is the latest day with usage in the
 * analytics usage report grouped by `api_key_id` (1-day buckets), over as many days as asked and the
 * API keeps (365 days, nothing before 2026-01-01), read in ranges of at most 31 days. A key without
 * usage in that window is "not used since" its start, or "never used" when it was created inside it.
 * When the usage cannot be read the answer is "unknown, because …": never "unused", never "fine".
 */

export interface LastUseOptions extends Omit<AnthropicInventoryOptions, "pageSize"> {
  /** How many days back the caller needs to see (a rule's `days`). */
  days: number;
  now: Date;
  /** The account's keys: once each has a use, older ranges are not asked for. */
  keyIds?: readonly string[];
}

export interface UsageWindow {
  /** Start (inclusive) and end (exclusive) of the range read, RFC 3339 UTC. */
  from: string;
  to: string;
  requested_days: number;
  /** Whole days between from and to. */
  covered_days: number;
  /** Why the window is shorter than asked: the API keeps 365 days, and has nothing before 2026-01-01. */
  limited_by: "kept_365_days" | "none_before_2026" | null;
  /** The API's `data_refreshed_at`: usage after it may not be counted yet (null when it did not say). */
  fresh_until: string | null;
}

export type LastUseReport =
  | { known: true; account: string; window: UsageWindow; lastUsed: Record<string, { bucket_start: string; bucket_end: string }>; requests: number }
  | { known: false; account: string; reason: string; requests: number };

export type LastUse =
  /** `last_used_at` is the end of the latest day with usage (capped at the window's end): the latest it may have been. */
  | { state: "used"; last_used_at: string; bucket_start: string }
  /** No usage since the key was created, and the window covers its whole life. */
  | { state: "never_used"; since: string }
  /** No usage in the window, and the key is older than the window: an older use cannot be read. */
  | { state: "not_used_since"; since: string }
  | { state: "unknown"; reason: string };

type Range = { from: number; to: number };

/** The ranges to read, newest first, and the window they make up. */
export function usageWindow(days: number, now: Date): { window: Omit<UsageWindow, "fresh_until">; ranges: Range[] } {
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be a positive whole number, got ${days}`);
  const nowMs = now.getTime();
  const to = Math.floor(nowMs / MS_PER_HOUR) * MS_PER_HOUR;
  const wanted = to - days * MS_PER_DAY;
  const earliest = earliestStart(nowMs);
  const from = Math.min(to, Math.max(wanted, earliest));
  const limited_by = wanted >= earliest ? null : earliest === ANALYTICS_EARLIEST_MS ? "none_before_2026" : "kept_365_days";
  const ranges: Range[] = [];
  for (let end = to; end > from; end -= MAX_RANGE_DAYS * MS_PER_DAY) ranges.push({ from: Math.max(from, end - MAX_RANGE_DAYS * MS_PER_DAY), to: end });
  const window = { from: reportTime(from), to: reportTime(to), requested_days: days, covered_days: Math.floor((to - from) / MS_PER_DAY), limited_by } as const;
  return { window, ranges };
}

/** Reads the last use of every key of the account that had usage in the window. */
export async function readLastUse(options: LastUseOptions): Promise<LastUseReport> {
  const { window, ranges } = usageWindow(options.days, options.now);
  const session = new AnthropicSession(sessionOptions(options));
  const lastUsed: Record<string, { bucket_start: string; bucket_end: string }> = {};
  const wanted = options.keyIds ? new Set(options.keyIds) : null;
  const allFound = () => wanted !== null && [...wanted].every((id) => lastUsed[id] !== undefined);
  let failure: string | undefined;
  let freshUntil: string | null = null;

  const queue = [...ranges];
  await drainQueue(queue, {
    concurrency: options.concurrency ?? 4,
    requests: () => session.requests,
    attemptsPerUnit: session.options.retry.maxAttempts,
    stopped: () => failure !== undefined || allFound(),
    run: async (range) => {
      const query = { starting_at: reportTime(range.from), ending_at: reportTime(range.to), group_by: ["api_key_id"] as ["api_key_id"], time_bucket_width: "1d" as const, limit: MAX_REPORT_ROWS };
      const result = await readReport(session, "usage", query, usageRowSchema);
      if (!result.ok) {
        failure ??= result.error.message;
        return;
      }
      if (result.dataRefreshedAt && (freshUntil === null || Date.parse(result.dataRefreshedAt) < Date.parse(freshUntil))) freshUntil = result.dataRefreshedAt;
      for (const row of result.rows) {
        const keyId = row.group.api_key_id;
        if (keyId === null) continue;
        const end = new Date(Math.min(Date.parse(row.ending_at), range.to)).toISOString();
        const known = lastUsed[keyId];
        if (known === undefined || Date.parse(end) > Date.parse(known.bucket_end)) lastUsed[keyId] = { bucket_start: new Date(row.starting_at).toISOString(), bucket_end: end };
      }
    },
  });

  const requests = session.requests;
  if (failure !== undefined) return { known: false, account: options.account, reason: `the usage analytics could not be read: ${failure}`, requests };
  return { known: true, account: options.account, window: { ...window, fresh_until: freshUntil }, lastUsed, requests };
}

/** The last use of one key, from the account's report. */
export function lastUseOf(report: LastUseReport, key: Pick<KeyRecord, "id" | "created_at">): LastUse {
  if (!report.known) return { state: "unknown", reason: report.reason };
  const seen = report.lastUsed[key.id];
  if (seen) return { state: "used", last_used_at: seen.bucket_end, bucket_start: seen.bucket_start };
  const createdMs = Date.parse(key.created_at);
  const { window } = report;
  if (Number.isNaN(createdMs)) return { state: "unknown", reason: `the key's creation time ("${key.created_at}") cannot be read` };
  if (createdMs >= Date.parse(window.to)) return { state: "unknown", reason: `the key was created after the usage window read ended (${window.to})` };
  if (window.fresh_until !== null && createdMs >= Date.parse(window.fresh_until)) {
    return { state: "unknown", reason: `the key was created after the usage analytics were last refreshed (${window.fresh_until})` };
  }
  if (createdMs >= Date.parse(window.from)) return { state: "never_used", since: new Date(createdMs).toISOString() };
  return { state: "not_used_since", since: new Date(Date.parse(window.from)).toISOString() };
}
