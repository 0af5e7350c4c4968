import { ConfigError } from "../config.js";
import type { InventoryResult } from "../providers/openai/collect.js";
import { redact } from "../util/redact.js";
import { applyEnrichment } from "./apply.js";
import { type EnrichmentOptions, enrichKeys, failedEnrichment, runEnrichment, startEnrichment } from "../providers/openai/enrich.js";
import type { EnrichSource, EnrichmentError, EnrichmentState, RunEnrichment } from "../model/enrichment.js";

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

/** Whether an enrichment has anything to do: sources asked for, and keys seen by an inventory that did not fail. */
export function shouldEnrich(inventory: Pick<InventoryResult, "keys" | "fatal">, sources: readonly EnrichSource[]): boolean {
  return sources.length > 0 && !inventory.fatal && inventory.keys.length > 0;
}

/** The inventory with the enrichment's fields on its keys (none when there is no enrichment). */
export function withEnrichment<I extends Pick<InventoryResult, "keys">>(inventory: I, enrichment: EnrichmentState | null): I {
  return enrichment ? { ...inventory, keys: applyEnrichment(inventory.keys, enrichment) } : inventory;
}

/** The run's `enrichment` and `enrichment_errors` (messages redacted); nothing when there was no enrichment. */
export function runEnrichmentFields(
  enrichment: EnrichmentState | null | undefined,
  secrets: readonly string[],
): { enrichment?: RunEnrichment; enrichment_errors?: EnrichmentError[] } {
  if (!enrichment) return {};
  return {
    enrichment: runEnrichment(enrichment),
    enrichment_errors: enrichment.errors.map((error) => ({ ...error, message: redact(error.message, secrets) })),
  };
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
