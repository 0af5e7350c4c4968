import type { z } from "zod";
import { type ReportEnvelope, describeZodError, reportEnvelope } from "./schemas.js";
import type { AnthropicSession, SessionFailure } from "./session.js";

/**
 * The analytics usage and cost reports (beta: the SDK sends `anthropic-beta:
 * analytics-usage-cost-2026-08-24` itself, resources/beta/organization/analytics/usage.ts and cost.ts),
 * read page by page with `page` ← `next_page` until `has_more` is false. Fail closed like the
 * listings: a page that keeps failing, a `has_more` without `next_page`, a repeated cursor or a row
 * that does not parse makes the whole report unreadable.
 */

/** usage.d.ts and cost.d.ts `starting_at`: "Must be within the last 365 days and no earlier than 2026-01-01T00:00:00Z". */
export const ANALYTICS_EARLIEST_MS = Date.parse("2026-01-01T00:00:00Z");
export const ANALYTICS_KEPT_DAYS = 365;
/** usage.d.ts and cost.d.ts `ending_at`: "The range may span at most 31 days". */
export const MAX_RANGE_DAYS = 31;
/** usage.d.ts and cost.d.ts `limit`: "Number of rows per page (1-1000, default 20)". */
export const MAX_REPORT_ROWS = 1000;
/** A report of one range is never longer than this many pages; more means a cursor that runs away. */
export const MAX_PAGES = 1000;

export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

/** The query of one report, as usage.d.ts `UsageListParams` and cost.d.ts `CostListParams` name it. */
export interface ReportQuery {
  starting_at: string;
  ending_at: string;
  group_by: ["api_key_id"];
  time_bucket_width?: "1d";
  limit: number;
}

export type ReportResult<T> = { ok: true; rows: T[]; dataRefreshedAt: string | null } | { ok: false; error: SessionFailure };

export type ReportPage<T> = { ok: true; rows: T[]; hasMore: boolean; nextPage: string | null; dataRefreshedAt: string | null } | { ok: false; error: SessionFailure };

/** What one report request is called in messages: `analytics usage from … to …`. */
export function reportWhat(report: "usage" | "cost", query: Pick<ReportQuery, "starting_at" | "ending_at">): string {
  return `analytics ${report} from ${query.starting_at} to ${query.ending_at}`;
}

/** Reads one page of one report range (the first when `page` is undefined), every row checked. */
export async function readReportPage<T>(session: AnthropicSession, report: "usage" | "cost", query: ReportQuery, rowSchema: z.ZodType<T>, page?: string): Promise<ReportPage<T>> {
  const what = reportWhat(report, query);
  const params = page === undefined ? query : { ...query, page };
  const result = await session.request(what, reportEnvelope, (client) =>
    report === "usage" ? client.beta.organization.analytics.usage.list(params) : client.beta.organization.analytics.cost.list(params),
  );
  if (!result.ok) return result;
  const body: ReportEnvelope = result.value;
  const rows: T[] = [];
  for (const [index, row] of body.data.entries()) {
    const parsed = rowSchema.safeParse(row);
    if (!parsed.success) return { ok: false, error: session.failure(what, "invalid_shape", `row #${index} could not be read: ${describeZodError(parsed.error)}`) };
    rows.push(parsed.data);
  }
  return { ok: true, rows, hasMore: body.has_more, nextPage: body.next_page ?? null, dataRefreshedAt: body.data_refreshed_at ?? null };
}

/** The cursor to follow after a page that said has_more, or why the report cannot be followed (`seen`: the cursors already followed in this range). */
export function followPage(session: AnthropicSession, what: string, nextPage: string | null, seen: readonly string[]): { ok: true; page: string } | { ok: false; error: SessionFailure } {
  if (!nextPage) return { ok: false, error: session.failure(what, "truncated_pagination", "the API said has_more: true without a next_page, so the remaining pages could not be requested") };
  if (seen.includes(nextPage)) return { ok: false, error: session.failure(what, "truncated_pagination", "pagination did not advance (next_page repeated)") };
  return { ok: true, page: nextPage };
}

/** The earlier of two `data_refreshed_at` (null: not said): the earliest refresh of any page bounds what the whole report can have seen. */
export function earlierRefresh(known: string | null, page: string | null): string | null {
  if (page === null) return known;
  return known === null || Date.parse(page) < Date.parse(known) ? page : known;
}

/** Reads every page of one report range. */
export async function readReport<T>(session: AnthropicSession, report: "usage" | "cost", query: ReportQuery, rowSchema: z.ZodType<T>): Promise<ReportResult<T>> {
  const what = reportWhat(report, query);
  const rows: T[] = [];
  const seen: string[] = [];
  let dataRefreshedAt: string | null = null;
  let page: string | undefined;
  for (let n = 0; n < MAX_PAGES; n++) {
    const read = await readReportPage(session, report, query, rowSchema, page);
    if (!read.ok) return read;
    rows.push(...read.rows);
    dataRefreshedAt = earlierRefresh(dataRefreshedAt, read.dataRefreshedAt);
    if (!read.hasMore) return { ok: true, rows, dataRefreshedAt };
    const next = followPage(session, what, read.nextPage, seen);
    if (!next.ok) return next;
    seen.push(next.page);
    page = next.page;
  }
  return { ok: false, error: session.failure(what, "truncated_pagination", `the report has more than ${MAX_PAGES} pages`) };
}

/** A time as the reports take it: RFC 3339 UTC, whole seconds. */
export function reportTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The earliest `starting_at` the API accepts at `nowMs` and after: the first UTC midnight inside its
 * 365 days (a request sent a moment later must still be inside them), and never before 2026-01-01.
 */
export function earliestStart(nowMs: number): number {
  const keptFrom = nowMs - ANALYTICS_KEPT_DAYS * MS_PER_DAY;
  const firstMidnightInside = Math.floor(keptFrom / MS_PER_DAY) * MS_PER_DAY + MS_PER_DAY;
  return Math.max(firstMidnightInside, ANALYTICS_EARLIEST_MS);
}
