/**
 * The time buckets usage and costs answer in (UsageResponse): UTC-aligned
 * buckets of [start_time, end_time), `limit` buckets a page, `next_page` an
 * opaque cursor for `page`; and the group_by shared by both.
 */
import { isReply, type Reply } from "../http.js";
import { apiError } from "./errors.js";
import type { SimUsageRecord, UsageResponseJson, UsageTimeBucketJson } from "./org.js";
import { arrayParam, intParam } from "./query.js";

const BUCKET_SECONDS: Record<string, number> = { "1m": 60, "1h": 3600, "1d": 86_400 };

export interface BucketRange {
  /** Query range [start, end): only records in it count. */
  start: number;
  end: number;
  width: number;
  /** Start of the first bucket of this page. */
  pageStart: number;
  limit: number;
}

function encodePage(bucketStart: number): string {
  return `page_${Buffer.from(`sim:${bucketStart}`).toString("base64url")}`;
}

function decodePage(cursor: string): number | undefined {
  if (!cursor.startsWith("page_")) return undefined;
  const m = /^sim:(\d+)$/.exec(Buffer.from(cursor.slice(5), "base64url").toString("utf8"));
  return m === null ? undefined : Number(m[1]);
}

/**
 * start_time (required, inclusive), end_time (exclusive; default now),
 * bucket_width, limit and page, shared by usage and costs. Buckets are aligned
 * to multiples of their width in UTC (so a `1d` bucket is a UTC day, as in the
 * spec's examples) and every bucket of the range is returned, empty ones with
 * `results: []`. `page` is an opaque cursor (the `next_page` of the previous
 * answer) that names the first bucket of the next page.
 */
export function bucketRange(
  params: URLSearchParams,
  widths: readonly string[],
  limits: (width: string) => { def: number; max: number },
): BucketRange | Reply {
  const start = intParam(params, "start_time");
  if (isReply(start)) return start;
  if (start === undefined) return apiError(400, "Missing required parameter: 'start_time'.", "start_time", "missing_required_parameter");
  const endParam = intParam(params, "end_time");
  if (isReply(endParam)) return endParam;
  const end = endParam ?? Math.ceil(Date.now() / 1000);
  if (end <= start) {
    return apiError(400, `Invalid 'end_time': it must be after 'start_time' (${start}), but got ${end}.`, "end_time", "invalid_value");
  }
  const widthName = params.get("bucket_width") ?? "1d";
  if (!widths.includes(widthName)) {
    const expected = widths.map((w) => `'${w}'`).join(", ");
    return apiError(400, `Invalid value for 'bucket_width': expected one of ${expected}, but got '${widthName}' instead.`, "bucket_width", "invalid_value");
  }
  const width = BUCKET_SECONDS[widthName] ?? 86_400;
  const { def, max } = limits(widthName);
  const limitParam = intParam(params, "limit");
  if (isReply(limitParam)) return limitParam;
  const limit = limitParam ?? def;
  if (limit < 1) {
    return apiError(400, `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`, "limit", "integer_below_min_value");
  }
  if (limit > max) {
    return apiError(400, `Invalid 'limit': integer above maximum value. Expected a value <= ${max}, but got ${limit} instead.`, "limit", "integer_above_max_value");
  }
  const first = Math.floor(start / width) * width;
  let pageStart = first;
  const cursor = params.get("page");
  if (cursor !== null && cursor !== "") {
    const decoded = decodePage(cursor);
    if (decoded === undefined || decoded < first || decoded >= end || (decoded - first) % width !== 0) {
      return apiError(400, `Invalid 'page': '${cursor}' is not a page of this query.`, "page", "invalid_value");
    }
    pageStart = decoded;
  }
  return { start, end, width, pageStart, limit };
}

/** The buckets of one page, each with the records that fall into it, and the paging fields. */
export function bucketPage<R>(
  range: BucketRange,
  records: SimUsageRecord[],
  aggregate: (inBucket: SimUsageRecord[]) => R[],
): UsageResponseJson<R> {
  const data: UsageTimeBucketJson<R>[] = [];
  let bs = range.pageStart;
  for (; bs < range.end && data.length < range.limit; bs += range.width) {
    const be = bs + range.width;
    const inBucket = records.filter((r) => r.at >= bs && r.at < be && r.at >= range.start && r.at < range.end);
    data.push({ object: "bucket", start_time: bs, end_time: be, results: aggregate(inBucket) });
  }
  const hasMore = bs < range.end;
  return { object: "page", data, has_more: hasMore, next_page: hasMore ? encodePage(bs) : null };
}

/** Validates group_by against `allowed`; returns the distinct fields in the order given. */
export function groupByParam(params: URLSearchParams, allowed: readonly string[]): string[] | Reply {
  const fields = arrayParam(params, "group_by");
  for (const f of fields) {
    if (!allowed.includes(f)) {
      const expected = allowed.map((a) => `'${a}'`).join(", ");
      return apiError(400, `Invalid value for 'group_by': expected any of ${expected}, but got '${f}' instead.`, "group_by", "invalid_value");
    }
  }
  return [...new Set(fields)];
}

/** Groups records by the values of `keyOf`, in sorted key order. */
export function groupRecords<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [item]);
    else g.push(item);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}
