/**
 * Usage and costs: the simulator's own usage record (what the fixtures hold)
 * and the UsageResponse / UsageCompletionsResult / CostsResult objects the
 * Admin API answers with (shared/reference/openai-admin-openapi.yaml).
 */
import type { UnixSeconds } from "./admin-json.js";

/**
 * Completions usage of ONE key at one moment (the simulator's own fixture
 * record, not a spec object): the usage and cost endpoints put it into the
 * time bucket that contains `at` and aggregate records per bucket and group.
 */
export interface SimUsageRecord {
  /** When the requests happened (unix seconds). */
  at: UnixSeconds;
  api_key_id: string;
  project_id: string;
  /** The key's owner when it is a user; null for a service account. */
  user_id: string | null;
  model: string;
  input_tokens: number;
  input_cached_tokens: number;
  output_tokens: number;
  num_model_requests: number;
  /** Default false. */
  batch?: boolean;
  /** Default "default". */
  service_tier?: string;
  /** Cost of the input tokens, in USD (costs line item "<model>, input"). */
  input_cost_usd: number;
  /** Cost of the output tokens, in USD (costs line item "<model>, output"). */
  output_cost_usd: number;
}

/** components.schemas.UsageCompletionsResult (all the token fields the simulator tracks; the rest are omitted). */
export interface UsageCompletionsResultJson {
  object: "organization.usage.completions.result";
  input_tokens: number;
  input_cached_tokens: number;
  input_uncached_tokens: number;
  output_tokens: number;
  num_model_requests: number;
  project_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  model: string | null;
  batch: boolean | null;
  service_tier: string | null;
}

/** components.schemas.CostsResult */
export interface CostsResultJson {
  object: "organization.costs.result";
  amount: { value: number; currency: string };
  line_item: string | null;
  project_id: string | null;
  api_key_id: string | null;
  quantity: number | null;
  quantity_unit: string | null;
}

/** components.schemas.UsageTimeBucket */
export interface UsageTimeBucketJson<R> {
  object: "bucket";
  start_time: UnixSeconds;
  end_time: UnixSeconds;
  results: R[];
}

/** components.schemas.UsageResponse */
export interface UsageResponseJson<R> {
  object: "page";
  data: UsageTimeBucketJson<R>[];
  has_more: boolean;
  next_page: string | null;
}

