import type { AnthropicInventoryOptions } from "./client.js";
import { sessionOptions } from "./client.js";
import { MAX_RANGE_DAYS, MAX_REPORT_ROWS, MS_PER_DAY, MS_PER_HOUR, earliestStart, readReport, reportTime } from "./reports.js";
import { costRowSchema, usageRowSchema } from "./schemas.js";
import { AnthropicSession } from "./session.js";

/**
 * Enrichment: requests and spend per key over the last `days` (30 for the model's `requests_30d` and
 * `spend_30d_usd`), from the usage and cost reports grouped by `api_key_id`, one row per key (no time
 * bucket). Each source fails on its own: unreadable is null, never 0.
 */

export interface KeyTotalsOptions extends Omit<AnthropicInventoryOptions, "pageSize" | "concurrency"> {
  now: Date;
  /** At most 31 (one report range); default 30. */
  days?: number;
}

export type Totals = { known: true; byKey: Record<string, number> } | { known: false; reason: string };

export interface KeyTotals {
  /** The range read (shorter than asked before 2026-01-31: the API has nothing before 2026-01-01). */
  from: string;
  to: string;
  requests: Totals;
  spend_usd: Totals;
  /** HTTP requests made, retries included. */
  apiRequests: number;
}

/** The range of `days` up to the last whole hour before `now` (ms), shorter when the API has nothing that old. */
export function totalsRange(now: Date, days: number): { from: number; to: number } {
  const nowMs = now.getTime();
  const to = Math.floor(nowMs / MS_PER_HOUR) * MS_PER_HOUR;
  return { from: Math.min(to, Math.max(to - days * MS_PER_DAY, earliestStart(nowMs))), to };
}

export async function readKeyTotals(options: KeyTotalsOptions): Promise<KeyTotals> {
  const days = options.days ?? 30;
  if (!Number.isInteger(days) || days < 1 || days > MAX_RANGE_DAYS) throw new RangeError(`days must be 1..${MAX_RANGE_DAYS}, got ${days}`);
  const { from, to } = totalsRange(options.now, days);
  const query = { starting_at: reportTime(from), ending_at: reportTime(to), group_by: ["api_key_id"] as ["api_key_id"], limit: MAX_REPORT_ROWS };
  const session = new AnthropicSession(sessionOptions(options));
  const [usage, cost] = await Promise.all([readReport(session, "usage", query, usageRowSchema), readReport(session, "cost", query, costRowSchema)]);

  let requests: Totals;
  if (!usage.ok) requests = { known: false, reason: usage.error.message };
  else if (usage.rows.some((row) => row.group.api_key_id !== null && row.usage.requests === null)) {
    requests = { known: false, reason: "the usage report gave no request count for a key" };
  } else requests = { known: true, byKey: sumByKey(usage.rows, (row) => row.usage.requests ?? 0) };

  let spend: Totals;
  if (!cost.ok) spend = { known: false, reason: cost.error.message };
  else {
    const foreign = cost.rows.find((row) => row.cost.currency !== "USD");
    // cost.d.ts: amounts are "in fractional cents (minor units)", currently always USD.
    spend = foreign ? { known: false, reason: `the cost report is in ${foreign.cost.currency}, not USD` } : { known: true, byKey: sumByKey(cost.rows, (row) => Number(row.cost.amount) / 100) };
  }
  return { from: query.starting_at, to: query.ending_at, requests, spend_usd: spend, apiRequests: session.requests };
}

function sumByKey<R extends { group: { api_key_id: string | null } }>(rows: readonly R[], value: (row: R) => number): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const row of rows) {
    const keyId = row.group.api_key_id;
    if (keyId !== null) totals[keyId] = (totals[keyId] ?? 0) + value(row);
  }
  return totals;
}
