/**
 * GET /organizations/analytics/usage and /organizations/analytics/cost (beta), from the SDK 1.17.0
 * types resources/beta/organization/analytics/usage.d.ts and cost.d.ts:
 * - the `anthropic-beta` header must name `analytics-usage-cost-2026-08-24` (400 otherwise: the
 *   simulator's answer to a request the types say "must send" it);
 * - `starting_at` required, within the last 365 days and not before 2026-01-01T00:00:00Z;
 *   `ending_at` exclusive, default the earlier of now and starting_at + 31 days, required with
 *   `time_bucket_width` (1d, 1h, 1m), the range at most 31 days (24 hours at 1m);
 * - `group_by[]`: the simulator supports `api_key_id` only (else 400); rows only for keys with usage;
 * - `limit` 1–1000 rows (default 20), `page` ← `next_page`, `has_more`, `data_refreshed_at`;
 * - an organization with `analyticsUnavailable` answers 400, as one with HIPAA readiness does.
 * Time buckets are aligned to UTC multiples of their width (the simulator's choice). Order: the
 * `order_by` metric (usage: total_tokens, requests, or time; cost: amount or time), `order` desc by default.
 */
import { isReply, type Reply } from "../http.js";
import { apiError } from "./errors.js";
import type { ReportPageJson, SimAnthropicOrg, SimUsageRecord } from "./types.js";

export const ANALYTICS_BETA = "analytics-usage-cost-2026-08-24";
const EARLIEST_MS = Date.parse("2026-01-01T00:00:00Z");
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WIDTH_MS: Record<string, number> = { "1m": 60_000, "1h": HOUR_MS, "1d": DAY_MS };
/** usage.d.ts `BetaAnalyticsUsageGroupBy` (cost adds cost_type and token_type): every dimension a row's `group` carries. */
const DIMENSIONS = [
  "actor", "actor_type", "agent_id", "api_key_id", "claude_tag_category", "claude_tag_user_id", "context_window", "deployment_id", "environment_id", "inference_geo",
  "model", "organization_id", "product", "rbac_group_id", "service_tier", "session_id", "slack_channel_id", "speed", "user_profile_id", "workspace_id",
];
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function timeParam(query: URLSearchParams, name: string): number | null | Reply {
  const raw = query.get(name);
  if (raw === null) return null;
  const ms = Date.parse(raw);
  if (!RFC3339.test(raw) || Number.isNaN(ms)) return apiError(400, `${name}: Input should be a valid RFC 3339 datetime`);
  return ms;
}

function arrayParam(query: URLSearchParams, name: string): string[] {
  return [...query.getAll(`${name}[]`), ...query.getAll(name)];
}

export function reportTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

interface Row {
  start: number;
  end: number;
  keyId: string | null;
  records: SimUsageRecord[];
}

function validate(org: SimAnthropicOrg, query: URLSearchParams, beta: string, nowMs: number): Reply | { start: number; end: number; width: number | null; byKey: boolean; limit: number; offset: number } {
  if (!beta.split(",").map((b) => b.trim()).includes(ANALYTICS_BETA)) return apiError(400, `This endpoint is in beta: send the header anthropic-beta: ${ANALYTICS_BETA}`);
  if (org.analyticsUnavailable) return apiError(400, "The analytics endpoints are not available to organizations with HIPAA readiness enabled.");
  const start = timeParam(query, "starting_at");
  if (isReply(start)) return start;
  if (start === null) return apiError(400, "starting_at: Field required");
  if (start < EARLIEST_MS || start < nowMs - 365 * DAY_MS) return apiError(400, "starting_at: must be within the last 365 days and no earlier than 2026-01-01T00:00:00Z");
  const bucket = query.get("time_bucket_width");
  if (bucket !== null && !(bucket in WIDTH_MS)) return apiError(400, "time_bucket_width: Input should be '1d', '1h' or '1m'");
  const width = bucket === null ? null : (WIDTH_MS[bucket] ?? null);
  const endParam = timeParam(query, "ending_at");
  if (isReply(endParam)) return endParam;
  if (endParam === null && width !== null) return apiError(400, "ending_at: required when time_bucket_width is set");
  const end = endParam ?? Math.min(nowMs, start + 31 * DAY_MS);
  if (end <= start) return apiError(400, "ending_at: must be after starting_at");
  if (end - start > (bucket === "1m" ? DAY_MS : 31 * DAY_MS)) return apiError(400, `the range may span at most ${bucket === "1m" ? "24 hours" : "31 days"}`);
  const groups = arrayParam(query, "group_by");
  const unsupported = groups.find((g) => g !== "api_key_id");
  if (unsupported !== undefined) return apiError(400, `group_by: ${unsupported} is not simulated (only api_key_id is)`);
  const limitRaw = query.get("limit");
  const limit = limitRaw === null ? 20 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return apiError(400, "limit: Input should be less than or equal to 1000 and greater than or equal to 1");
  const page = query.get("page");
  const offset = page === null ? 0 : Number(/^o(\d+)$/.exec(Buffer.from(page, "base64url").toString("utf8"))?.[1] ?? Number.NaN);
  if (!Number.isInteger(offset)) return apiError(400, "page: not a cursor this report gave");
  return { start, end, width, byKey: groups.includes("api_key_id"), limit, offset };
}

/** One row per (bucket, key) with usage; without a bucket, one per key over whole hours (or one row in all when not grouped). */
function rows(org: SimAnthropicOrg, spec: { start: number; end: number; width: number | null; byKey: boolean }): Row[] {
  const inRange = org.usage.filter((r) => Date.parse(r.at) >= spec.start && Date.parse(r.at) < spec.end);
  const bucketOf = (ms: number): [number, number] => {
    if (spec.width === null) return [Math.floor(spec.start / HOUR_MS) * HOUR_MS, Math.floor(spec.end / HOUR_MS) * HOUR_MS];
    const bucketStart = Math.floor(ms / spec.width) * spec.width;
    return [bucketStart, bucketStart + spec.width];
  };
  const grouped = new Map<string, Row>();
  for (const record of inRange) {
    const [start, end] = bucketOf(Date.parse(record.at));
    const keyId = spec.byKey ? record.api_key_id : null;
    const id = `${start}|${keyId}`;
    const row = grouped.get(id) ?? { start, end, keyId, records: [] };
    row.records.push(record);
    grouped.set(id, row);
  }
  if (grouped.size === 0 && !spec.byKey && spec.width === null) {
    const [start, end] = bucketOf(spec.start);
    return [{ start, end, keyId: null, records: [] }];
  }
  return [...grouped.values()];
}

const sum = (records: SimUsageRecord[], value: (r: SimUsageRecord) => number): number => records.reduce((n, r) => n + value(r), 0);
const cents = (value: number): string => String(Number(value.toFixed(6)));

function group(keyId: string | null, report: "usage" | "cost"): Record<string, string | null> {
  const dims = report === "cost" ? [...DIMENSIONS, "cost_type", "token_type"] : DIMENSIONS;
  return { ...Object.fromEntries(dims.map((d) => [d, null])), api_key_id: keyId };
}

function rowJson(row: Row, report: "usage" | "cost"): Record<string, unknown> {
  const base = { starting_at: reportTime(row.start), ending_at: reportTime(row.end), group: group(row.keyId, report) };
  const requests = sum(row.records, (r) => r.requests);
  if (report === "cost") {
    const amount = cents(sum(row.records, (r) => r.cost_cents));
    return { ...base, cost: { amount, currency: "USD", list_amount: amount, requests } };
  }
  const input = sum(row.records, (r) => r.input_tokens);
  const output = sum(row.records, (r) => r.output_tokens);
  return {
    ...base,
    usage: {
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
      cache_read_input_tokens: 0,
      output_tokens: output,
      requests,
      server_tool_use: { web_search_requests: 0 },
      total_tokens: input + output,
      uncached_input_tokens: input,
    },
  };
}

export function analyticsReport(org: SimAnthropicOrg, report: "usage" | "cost", query: URLSearchParams, beta: string, now: Date): Reply {
  const spec = validate(org, query, beta, now.getTime());
  if (isReply(spec)) return spec;
  const orderBy = query.get("order_by") ?? (report === "cost" ? "amount" : "total_tokens");
  const metric: Record<string, (row: Row) => number> = {
    time: (row) => row.start,
    total_tokens: (row) => sum(row.records, (r) => r.input_tokens + r.output_tokens),
    requests: (row) => sum(row.records, (r) => r.requests),
    amount: (row) => sum(row.records, (r) => r.cost_cents),
  };
  const by = metric[orderBy];
  if (by === undefined || (report === "cost" ? orderBy === "total_tokens" || orderBy === "requests" : orderBy === "amount")) return apiError(400, `order_by: ${orderBy} is not an order of this report`);
  const direction = query.get("order") === "asc" ? 1 : -1;
  const all = rows(org, spec).sort((a, b) => direction * (by(a) - by(b)) || String(a.keyId).localeCompare(String(b.keyId)) || a.start - b.start);
  const data = all.slice(spec.offset, spec.offset + spec.limit).map((row) => rowJson(row, report));
  const more = spec.offset + spec.limit < all.length;
  const body: ReportPageJson<Record<string, unknown>> = {
    data,
    has_more: more,
    next_page: more ? Buffer.from(`o${spec.offset + spec.limit}`, "utf8").toString("base64url") : null,
    data_refreshed_at: reportTime(now.getTime()),
  };
  return { status: 200, json: body };
}
