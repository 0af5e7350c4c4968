import { DEFAULT_CONCURRENCY, type InventoryOptions, type SessionSettings, sessionOptions } from "./collect.js";
import { type ApiFailure, EnrichmentApi } from "./enrichment-api.js";
import type { EnrichmentState } from "../../model/enrichment.js";
import { executeEnrichment } from "./enrichment-work.js";

/** How the enrichment talks to the Admin API: the inventory's own settings and defaults (src/providers/openai/collect.ts). */
export type EnrichmentOptions = SessionSettings & Pick<InventoryOptions, "concurrency">;

/**
 * Runs the enrichment from `state` until it is done, or until the next request could exceed
 * `requestCap` (a Workflow step's budget, retries included); the state to continue from.
 */
export async function continueEnrichment(state: EnrichmentState, options: EnrichmentOptions, requestCap?: number): Promise<EnrichmentState> {
  return (await enrichmentStep(state, options, requestCap)).state;
}

/** As continueEnrichment, with the failures its session deferred (AdminSession.deferred: what a later attempt may get past). */
export async function enrichmentStep(state: EnrichmentState, options: EnrichmentOptions, requestCap?: number): Promise<{ state: EnrichmentState; deferred: ApiFailure[] }> {
  if (state.units.length === 0) return { state, deferred: [] };
  const session = sessionOptions(options, requestCap, "step");
  const api = new EnrichmentApi(session);
  const next = await executeEnrichment(state, {
    api,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    attemptsPerUnit: session.retry.maxAttempts,
    ...(requestCap !== undefined ? { requestCap } : {}),
  });
  return { state: next, deferred: api.authFailure ? [] : api.deferred };
}
