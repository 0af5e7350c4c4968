import type { KeyRecord } from "../model/inventory.js";
import {
  AUDIT_LOG_PAGE_SIZE,
  type EnrichSource,
  type EnrichUnit,
  type EnrichmentError,
  type EnrichmentState,
  UNAVAILABLE,
  USAGE_WINDOW_DAYS,
} from "../model/enrichment.js";

const DAY_SECONDS = 86_400;
/**
 * How long before the oldest key's created_at the audit log is read from. The event is written when
 * the key is created; the margin only guards against the two clocks differing (UNVERIFIED: the spec
 * does not say whether they are the same timestamp).
 */
export const AUDIT_LOG_MARGIN_SECONDS = 3_600;

/**
 * The enrichment's work: for the audit log, `api_key.created` events from just before the oldest
 * key's creation, split into up to `concurrency` time windows that hold about as many keys each
 * (each window is paginated on its own, so they are read in parallel); one usage and one costs query
 * over the last USAGE_WINDOW_DAYS days. Nothing when there is no key or no source.
 */
export function planEnrichment(keys: readonly KeyRecord[], sources: readonly EnrichSource[], now: Date, concurrency: number): EnrichmentState {
  const end = Math.floor(now.getTime() / 1000);
  const units: EnrichUnit[] = [];
  if (keys.length > 0) {
    if (sources.includes("audit_log")) units.push(...auditLogWindows(keys, concurrency));
    if (sources.includes("usage")) units.push({ source: "usage" });
    if (sources.includes("costs")) units.push({ source: "costs" });
  }
  return {
    sources: [...sources],
    window: { start: end - USAGE_WINDOW_DAYS * DAY_SECONDS, end },
    units,
    creators: {},
    model_requests: {},
    spend_usd: {},
    failed: [],
    errors: [],
    api_requests: 0,
    seen_cursors: {},
  };
}

/** Windows [gte, lt) cut at quantiles of the keys' creation times; the last one has no upper bound. */
export function auditLogWindows(keys: readonly KeyRecord[], concurrency: number): EnrichUnit[] {
  const times = keys
    .map((key) => Math.floor(Date.parse(key.created_at) / 1000))
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const oldest = times[0];
  // No readable creation time at all: read the whole log.
  if (oldest === undefined) return [{ source: "audit_log", gte: 0, lt: null }];
  const count = Math.max(1, Math.min(concurrency, Math.ceil(times.length / AUDIT_LOG_PAGE_SIZE)));
  const cuts: number[] = [];
  for (let i = 1; i < count; i++) {
    const cut = times[Math.floor((i * times.length) / count)] as number;
    if (cut > (cuts[cuts.length - 1] ?? oldest)) cuts.push(cut);
  }
  const starts = [Math.max(0, oldest - AUDIT_LOG_MARGIN_SECONDS), ...cuts];
  return starts.map((gte, i) => ({ source: "audit_log", gte, lt: cuts[i] ?? null }));
}

/** An enrichment that could not take place at all: every source asked for is unknown, for one reason said once. */
export function failedEnrichment(sources: readonly EnrichSource[], now: Date, error: Omit<EnrichmentError, "source" | "message"> & { message: string }): EnrichmentState {
  const state = planEnrichment([], sources, now, 1);
  return { ...state, failed: [...sources], errors: [{ ...error, source: "enrichment", message: `${UNAVAILABLE.enrichment}: ${error.message}` }] };
}
