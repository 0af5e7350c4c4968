import { ConfigError } from "../config-error.js";
import type { KeyRecord } from "../model/inventory.js";
import type { EnrichSource, EnrichmentState } from "../model/enrichment.js";
import { DEFAULT_CONCURRENCY, type InventoryResult } from "../providers/openai/collect.js";
import { type EnrichmentOptions, continueEnrichment } from "../providers/openai/enrich.js";
import { failedEnrichment, planEnrichment } from "../enrichment/plan.js";
import { shouldEnrich, withEnrichment } from "../enrichment/run.js";

/**
 * The run's enrichment (ENRICH, docs/enrichment.md): planned by src/enrichment from what the
 * inventory saw, read by the provider's enrichment sources, applied to the keys by src/enrichment.
 */

/** The work of enriching `keys` from `sources`, as of `now`, in as many audit-log windows as the client reads at once. */
export function startEnrichment(keys: readonly KeyRecord[], sources: readonly EnrichSource[], now: Date, options: Pick<EnrichmentOptions, "concurrency"> = {}): EnrichmentState {
  return planEnrichment(keys, sources, now, options.concurrency ?? DEFAULT_CONCURRENCY);
}

/** The whole enrichment in one go (CLI, demo). */
export async function enrichKeys(keys: readonly KeyRecord[], sources: readonly EnrichSource[], now: Date, options: EnrichmentOptions): Promise<EnrichmentState> {
  return continueEnrichment(startEnrichment(keys, sources, now, options), options);
}

/**
 * The Node path (CLI, demo): the inventory enriched from `sources` in one go, after it was taken.
 * Nothing is requested when no source is asked for, the inventory saw no key, or it failed.
 */
export async function enrichRunInventory(
  inventory: InventoryResult,
  sources: readonly EnrichSource[],
  now: Date,
  options: EnrichmentOptions,
): Promise<{ inventory: InventoryResult; enrichment: EnrichmentState | null }> {
  if (!shouldEnrich(inventory, sources)) return { inventory, enrichment: null };
  const enrichment = await enrichKeys(inventory.keys, sources, now, options);
  return { inventory: withEnrichment(inventory, enrichment), enrichment };
}

/**
 * The Workflow's first enrichment step: the plan for the inventory its slices read, or null when there
 * is nothing to do. A bad ENRICH is not a failed run: it is said once, as an enrichment error.
 */
export function planRunEnrichment(inventory: Pick<InventoryResult, "keys" | "fatal">, sourcesOf: () => EnrichSource[], now: Date): EnrichmentState | null {
  let sources: EnrichSource[];
  try {
    sources = sourcesOf();
  } catch (error) {
    if (error instanceof ConfigError) return failedEnrichment([], now, { kind: "settings", message: error.message });
    throw error;
  }
  return shouldEnrich(inventory, sources) ? startEnrichment(inventory.keys, sources, now) : null;
}
