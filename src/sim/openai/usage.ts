/**
 * GET /organization/usage/completions (start_time required, end_time,
 * bucket_width=1m|1h|1d, project_ids, user_ids, api_key_ids, models, batch,
 * group_by, limit (1d: 7/≤31, 1h: 24/≤168, 1m: 60/≤1440), page) and
 * GET /organization/costs (start_time required, end_time, bucket_width=1d,
 * project_ids, api_key_ids, group_by, limit 1..180 default 7, page): they
 * aggregate `SimOrg.usage` records into the buckets of usage-buckets.ts (every
 * bucket of the range, empty ones with `results: []`; end_time defaults to
 * now). The spec declares only 200 and 429 for them.
 */
import { isReply, type Reply } from "../http.js";
import type { CostsResultJson, SimOrg, SimUsageRecord, UsageCompletionsResultJson } from "./org.js";
import { arrayParam, boolParam } from "./query.js";
import { bucketPage, bucketRange, groupByParam, groupRecords } from "./usage-buckets.js";

const USAGE_GROUP_BY = ["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"] as const;
const COSTS_GROUP_BY = ["project_id", "line_item", "api_key_id"] as const;
const USAGE_LIMITS: Record<string, { def: number; max: number }> = {
  "1d": { def: 7, max: 31 },
  "1h": { def: 24, max: 168 },
  "1m": { def: 60, max: 1440 },
};

/** The dimension values of a record, as the result fields name them. */
function dims(r: SimUsageRecord): Record<(typeof USAGE_GROUP_BY)[number], string | boolean | null> {
  return {
    project_id: r.project_id,
    user_id: r.user_id,
    api_key_id: r.api_key_id,
    model: r.model,
    batch: r.batch ?? false,
    service_tier: r.service_tier ?? "default",
  };
}

/**
 * GET /organization/usage/completions (UsageResponse of UsageCompletionsResult).
 * Filters project_ids, user_ids, api_key_ids, models, batch; group_by ⊆
 * USAGE_GROUP_BY (a field not grouped by is null in the results). A bucket
 * without usage has `results: []`; with usage and no group_by, one result.
 */
export function usageCompletions(org: SimOrg, params: URLSearchParams): Reply {
  const range = bucketRange(params, ["1m", "1h", "1d"], (w) => USAGE_LIMITS[w] ?? { def: 7, max: 31 });
  if (isReply(range)) return range;
  const groupBy = groupByParam(params, USAGE_GROUP_BY);
  if (isReply(groupBy)) return groupBy;
  const batch = boolParam(params, "batch");
  if (isReply(batch)) return batch;
  const projectIds = arrayParam(params, "project_ids");
  const userIds = arrayParam(params, "user_ids");
  const keyIds = arrayParam(params, "api_key_ids");
  const models = arrayParam(params, "models");
  const records = (org.usage ?? []).filter(
    (r) =>
      (projectIds.length === 0 || projectIds.includes(r.project_id)) &&
      (userIds.length === 0 || (r.user_id !== null && userIds.includes(r.user_id))) &&
      (keyIds.length === 0 || keyIds.includes(r.api_key_id)) &&
      (models.length === 0 || models.includes(r.model)) &&
      (batch === undefined || (r.batch ?? false) === batch),
  );
  const aggregate = (inBucket: SimUsageRecord[]): UsageCompletionsResultJson[] =>
    groupRecords(inBucket, (r) => JSON.stringify(groupBy.map((f) => dims(r)[f as (typeof USAGE_GROUP_BY)[number]]))).map((group) => {
      const sum = (f: (r: SimUsageRecord) => number): number => group.reduce((n, r) => n + f(r), 0);
      const d = dims(group[0] as SimUsageRecord);
      const pick = <K extends keyof typeof d>(k: K): (typeof d)[K] | null => (groupBy.includes(k) ? d[k] : null);
      const input = sum((r) => r.input_tokens);
      const cached = sum((r) => r.input_cached_tokens);
      return {
        object: "organization.usage.completions.result",
        input_tokens: input,
        input_cached_tokens: cached,
        input_uncached_tokens: input - cached,
        output_tokens: sum((r) => r.output_tokens),
        num_model_requests: sum((r) => r.num_model_requests),
        project_id: pick("project_id") as string | null,
        user_id: pick("user_id") as string | null,
        api_key_id: pick("api_key_id") as string | null,
        model: pick("model") as string | null,
        batch: pick("batch") as boolean | null,
        service_tier: pick("service_tier") as string | null,
      };
    });
  return { status: 200, json: bucketPage(range, records, aggregate) };
}

/** Rounds away float noise from sums of USD amounts (the API's own precision is not documented). */
function roundAmount(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

/**
 * GET /organization/costs (UsageResponse of CostsResult). bucket_width `1d`
 * only; limit 1–180 (default 7); filters project_ids, api_key_ids; group_by ⊆
 * project_id, line_item, api_key_id. Each usage record costs two line items,
 * "<model>, input" and "<model>, output" (the line-item naming is the
 * simulator's choice); `quantity` (tokens, unit "tokens") only when grouped by
 * line_item. Currency "usd".
 */
export function costs(org: SimOrg, params: URLSearchParams): Reply {
  const range = bucketRange(params, ["1d"], () => ({ def: 7, max: 180 }));
  if (isReply(range)) return range;
  const groupBy = groupByParam(params, COSTS_GROUP_BY);
  if (isReply(groupBy)) return groupBy;
  const projectIds = arrayParam(params, "project_ids");
  const keyIds = arrayParam(params, "api_key_ids");
  const records = (org.usage ?? []).filter(
    (r) => (projectIds.length === 0 || projectIds.includes(r.project_id)) && (keyIds.length === 0 || keyIds.includes(r.api_key_id)),
  );
  interface Item {
    project_id: string;
    api_key_id: string;
    line_item: string;
    value: number;
    tokens: number;
  }
  const byLineItem = groupBy.includes("line_item");
  const aggregate = (inBucket: SimUsageRecord[]): CostsResultJson[] => {
    const items: Item[] = inBucket.flatMap((r) => [
      { project_id: r.project_id, api_key_id: r.api_key_id, line_item: `${r.model}, input`, value: r.input_cost_usd, tokens: r.input_tokens },
      { project_id: r.project_id, api_key_id: r.api_key_id, line_item: `${r.model}, output`, value: r.output_cost_usd, tokens: r.output_tokens },
    ]);
    return groupRecords(items, (i) => JSON.stringify(groupBy.map((f) => i[f as keyof Item]))).map((group) => {
      const first = group[0] as Item;
      return {
        object: "organization.costs.result",
        amount: { value: roundAmount(group.reduce((n, i) => n + i.value, 0)), currency: "usd" },
        line_item: byLineItem ? first.line_item : null,
        project_id: groupBy.includes("project_id") ? first.project_id : null,
        api_key_id: groupBy.includes("api_key_id") ? first.api_key_id : null,
        quantity: byLineItem ? group.reduce((n, i) => n + i.tokens, 0) : null,
        quantity_unit: byLineItem ? "tokens" : null,
      };
    });
  };
  return { status: 200, json: bucketPage(range, records, aggregate) };
}
