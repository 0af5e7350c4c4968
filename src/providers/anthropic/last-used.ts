import type { KeyRecord } from "../../model/inventory.js";
import { drainQueue } from "../../util/drain.js";
import type { AnthropicInventoryOptions } from "./client.js";
import { sessionOptions } from "./client.js";
import { ANALYTICS_EARLIEST_MS, MAX_PAGES, MAX_RANGE_DAYS, MAX_REPORT_ROWS, MS_PER_DAY, MS_PER_HOUR, earlierRefresh, earliestStart, followPage, readReportPage, reportTime, reportWhat } from "./reports.js";
import { usageRowSchema } from "./schemas.js";
import { AnthropicSession, type SessionFailure } from "./session.js";

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
  | { known: false; account: string; reason: string; requests: number; failure?: Omit<SessionFailure, "message"> };

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

/**
 * Reading the usage, resumable: the ranges still to read (one page each: a range's next page is read
 * before any older range), what they showed so far, and the first failure. Plain JSON, so a Workflow
 * step can keep it between steps. A range once started is read to its last page (its rows are not in
 * time order, so a key's latest day may be on any page); ranges not started yet are dropped once
 * every key asked about has a use.
 */
export interface LastUseWork {
  window: Omit<UsageWindow, "fresh_until">;
  units: { from: number; to: number; page?: string }[];
  /** Cursors followed per range (by its start), to catch a pagination that does not advance. */
  seenPages: Record<string, string[]>;
  lastUsed: Record<string, { bucket_start: string; bucket_end: string }>;
  freshUntil: string | null;
  failure: SessionFailure | null;
  /** The keys whose use ends the reading of older ranges; null: read the whole window. */
  keyIds: string[] | null;
  /** Requests made so far, retries included. */
  requests: number;
}

export function startLastUse(days: number, now: Date, keyIds?: readonly string[]): LastUseWork {
  const { window, ranges } = usageWindow(days, now);
  return { window, units: ranges.map((r) => ({ from: r.from, to: r.to })), seenPages: {}, lastUsed: {}, freshUntil: null, failure: null, keyIds: keyIds ? [...keyIds] : null, requests: 0 };
}

/** Whether nothing is left to read: every range read, a failure, or every key asked about found. */
export function lastUseFinished(work: LastUseWork): boolean {
  return work.failure !== null || work.units.length === 0;
}

/** Reads from `work` until it is finished or the next page could exceed `requestCap` (undefined: no cap); the work to continue from. */
export async function continueLastUse(options: Omit<LastUseOptions, "days" | "now" | "keyIds">, work: LastUseWork, requestCap?: number): Promise<LastUseWork> {
  if (lastUseFinished(work)) return work;
  const next: LastUseWork = structuredClone(work);
  const session = new AnthropicSession(sessionOptions(options));
  const wanted = next.keyIds ? new Set(next.keyIds) : null;
  const allFound = () => wanted !== null && [...wanted].every((id) => next.lastUsed[id] !== undefined);
  const queue = next.units;

  await drainQueue(queue, {
    concurrency: options.concurrency ?? 4,
    requests: () => session.requests,
    attemptsPerUnit: session.options.retry.maxAttempts,
    ...(requestCap !== undefined ? { requestCap } : {}),
    stopped: () => next.failure !== null,
    run: async (unit) => {
      const query = { starting_at: reportTime(unit.from), ending_at: reportTime(unit.to), group_by: ["api_key_id"] as ["api_key_id"], time_bucket_width: "1d" as const, limit: MAX_REPORT_ROWS };
      const result = await readReportPage(session, "usage", query, usageRowSchema, unit.page);
      const fail = (failure: SessionFailure) => {
        next.failure ??= failure;
      };
      if (!result.ok) return fail(result.error);
      next.freshUntil = earlierRefresh(next.freshUntil, result.dataRefreshedAt);
      for (const row of result.rows) {
        const keyId = row.group.api_key_id;
        if (keyId === null) continue;
        const end = new Date(Math.min(Date.parse(row.ending_at), unit.to)).toISOString();
        const known = next.lastUsed[keyId];
        if (known === undefined || Date.parse(end) > Date.parse(known.bucket_end)) next.lastUsed[keyId] = { bucket_start: new Date(row.starting_at).toISOString(), bucket_end: end };
      }
      if (result.hasMore) {
        const seen = next.seenPages[String(unit.from)] ?? [];
        const follow = followPage(session, reportWhat("usage", query), result.nextPage, seen);
        if (!follow.ok) return fail(follow.error);
        if (seen.length + 1 >= MAX_PAGES) return fail(session.failure(reportWhat("usage", query), "truncated_pagination", `the report has more than ${MAX_PAGES} pages`));
        next.seenPages[String(unit.from)] = [...seen, follow.page];
        queue.unshift({ from: unit.from, to: unit.to, page: follow.page });
      }
      // Older ranges not started are not needed once every key has a use.
      if (allFound()) for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.page === undefined) queue.splice(i, 1);
    },
  });
  next.requests += session.requests;
  return next;
}

/** The report of finished work (every range read, or a failure). */
export function lastUseReport(account: string, work: LastUseWork): LastUseReport {
  const requests = work.requests;
  const { failure } = work;
  if (failure !== null) {
    const kind = { kind: failure.kind, ...(failure.status !== undefined ? { status: failure.status } : {}) };
    return { known: false, account, reason: `the usage analytics could not be read: ${failure.message}`, requests, failure: kind };
  }
  return { known: true, account, window: { ...work.window, fresh_until: work.freshUntil }, lastUsed: work.lastUsed, requests };
}

/** Reads the last use of every key of the account that had usage in the window. */
export async function readLastUse(options: LastUseOptions): Promise<LastUseReport> {
  const work = await continueLastUse(options, startLastUse(options.days, options.now, options.keyIds));
  return lastUseReport(options.account, work);
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
