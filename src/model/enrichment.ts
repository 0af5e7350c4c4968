import type { KeyCreator } from "./inventory.js";

/**
 * Enrichment: optional facts about each key that the inventory does not have, read from three
 * other Admin API endpoints (docs/enrichment.md). Everything here is plain JSON, so a Workflow step
 * can keep it in R2 between steps.
 */

/** The sources, in the order ENRICH names them. */
export const ENRICH_SOURCES = ["audit_log", "usage", "costs"] as const;
export type EnrichSource = (typeof ENRICH_SOURCES)[number];

/** The window of `requests_30d` and `spend_30d_usd`. */
export const USAGE_WINDOW_DAYS = 30;

/** Audit-log events a page holds at most (the API allows a `limit` of 1..100): the plan cuts its windows by it, the provider asks for it. */
export const AUDIT_LOG_PAGE_SIZE = 100;

/** What a source's failure leaves the run without, as the run says it (once per source). */
export const UNAVAILABLE: Record<EnrichSource | "enrichment", string> = {
  audit_log: "creator unavailable",
  usage: "requests unavailable",
  costs: "spend unavailable",
  enrichment: "enrichment unavailable",
};

export type EnrichmentErrorKind =
  | "auth" // 401/403: the admin key may not read it, or (audit log) the organization has audit logging off
  | "http" // any other HTTP error after retries
  | "network" // connection failure or timeout after retries
  | "invalid_json"
  | "invalid_shape"
  | "truncated_pagination" // has_more without a cursor, or a cursor that does not advance
  | "budget_exhausted" // the retry budget ran out
  | "settings" // ENRICH is not valid
  | "step_failed"; // the Workflow's enrichment step failed for good

/**
 * One enrichment failure, listed in the run's `enrichment_errors`: never an inventory error, never
 * turning a complete run incomplete. At most one per source.
 */
export interface EnrichmentError {
  /** The source that failed; `enrichment` when the whole of it did (a bad ENRICH, a step that failed). */
  source: EnrichSource | "enrichment";
  kind: EnrichmentErrorKind;
  /** HTTP status when there was one. */
  status?: number;
  /** Starts with what the run goes without (`creator unavailable: …`); never contains a secret. */
  message: string;
}

/** One request's worth of work; a unit that reads a page may queue the next page of its list. */
export type EnrichUnit =
  /** `api_key.created` events with effective_at in [gte, lt) (no upper bound when lt is null). */
  | { source: "audit_log"; gte: number; lt: number | null; after?: string }
  | { source: "usage"; page?: string }
  | { source: "costs"; page?: string };

/** What the audit log says about one key. */
export interface CreatorFact {
  created_by: Omit<KeyCreator, "display"> | null;
  created_from_ip: string | null;
  /** effective_at of the event (the earliest, should a key have several). */
  at: number;
}

/**
 * The enrichment of one run so far: what is left to request, and what was read. Carried from one
 * Workflow step to the next (R2); the last one is the result.
 */
export interface EnrichmentState {
  /** The sources asked for (ENRICH). */
  sources: EnrichSource[];
  /** Usage and costs window, unix seconds: [start, end). */
  window: { start: number; end: number };
  units: EnrichUnit[];
  /** By key id (the event's `api_key.created.id`). */
  creators: Record<string, CreatorFact>;
  /** Completions requests by key id, summed over the window's buckets. */
  model_requests: Record<string, number>;
  /** USD by key id, summed over the window's buckets. */
  spend_usd: Record<string, number>;
  /** Sources whose numbers are not usable (a page failed: a partial sum would understate). */
  failed: EnrichSource[];
  errors: EnrichmentError[];
  /** Admin API requests made for the enrichment, retries included. */
  api_requests: number;
  /** Cursors already followed per list (audit-log window or usage/costs), to catch a pagination that does not advance. */
  seen_cursors: Record<string, string[]>;
}

/** What the run records about its enrichment. */
export interface RunEnrichment {
  sources: EnrichSource[];
  /** Admin API requests it made (not counted in `counts.api_requests`, the inventory's). */
  api_requests: number;
}
