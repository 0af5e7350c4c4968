import { DEFAULT_CONCURRENCY, type InventoryOptions, type SessionSettings, sessionOptions } from "./collect.js";
import { isTransientError } from "../../util/retry.js";
import type { KeyRecord } from "../../model/inventory.js";
import { EnrichmentApi } from "./enrichment-api.js";
import { planEnrichment } from "../../enrichment/plan.js";
import { type EnrichSource, type EnrichmentError, type EnrichmentState, type RunEnrichment, UNAVAILABLE } from "../../model/enrichment.js";
import { executeEnrichment } from "./enrichment-work.js";

/** How the enrichment talks to the Admin API: the inventory's own settings and defaults (src/providers/openai/collect.ts). */
export type EnrichmentOptions = SessionSettings & Pick<InventoryOptions, "concurrency">;

/** The work of enriching `keys` from `sources`, as of `now`; nothing to request when there is no key or no source. */
export function startEnrichment(keys: readonly KeyRecord[], sources: readonly EnrichSource[], now: Date, options: Pick<EnrichmentOptions, "concurrency"> = {}): EnrichmentState {
  return planEnrichment(keys, sources, now, options.concurrency ?? DEFAULT_CONCURRENCY);
}

/**
 * Runs the enrichment from `state` until it is done, or until the next request could exceed
 * `requestCap` (a Workflow step's budget, retries included); the state to continue from.
 */
export async function continueEnrichment(state: EnrichmentState, options: EnrichmentOptions, requestCap?: number): Promise<EnrichmentState> {
  if (state.units.length === 0) return state;
  const session = sessionOptions(options, requestCap, "step");
  return executeEnrichment(state, {
    api: new EnrichmentApi(session),
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    attemptsPerUnit: session.retry.maxAttempts,
    ...(requestCap !== undefined ? { requestCap } : {}),
  });
}

/** The whole enrichment in one go (CLI, demo). */
export async function enrichKeys(keys: readonly KeyRecord[], sources: readonly EnrichSource[], now: Date, options: EnrichmentOptions): Promise<EnrichmentState> {
  return continueEnrichment(startEnrichment(keys, sources, now, options), options);
}

/** An enrichment that could not take place at all: every source asked for is unknown, for one reason said once. */
export function failedEnrichment(sources: readonly EnrichSource[], now: Date, error: Omit<EnrichmentError, "source" | "message"> & { message: string }): EnrichmentState {
  const state = planEnrichment([], sources, now, 1);
  return { ...state, failed: [...sources], errors: [{ ...error, source: "enrichment", message: `${UNAVAILABLE.enrichment}: ${error.message}` }] };
}

/** What the run records about its enrichment. */
export function runEnrichment(state: EnrichmentState): RunEnrichment {
  return { sources: [...state.sources], api_requests: state.api_requests };
}

/** An error that may pass when asked again: the network, a retryable status, a retry budget used up. */
export const isTransientEnrichmentError: (error: EnrichmentError) => boolean = isTransientError;
