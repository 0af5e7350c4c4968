import type { InventoryError, KeyRecord } from "../model/inventory.js";
import { redact } from "../util/redact.js";
import { applyEnrichment } from "./apply.js";
import type { EnrichSource, EnrichmentError, EnrichmentState, RunEnrichment } from "../model/enrichment.js";

/** What the enrichment needs of an inventory: its keys, and whether it failed. */
type SeenKeys = { keys: readonly KeyRecord[]; fatal?: InventoryError };

/** Whether an enrichment has anything to do: sources asked for, and keys seen by an inventory that did not fail. */
export function shouldEnrich(inventory: SeenKeys, sources: readonly EnrichSource[]): boolean {
  return sources.length > 0 && !inventory.fatal && inventory.keys.length > 0;
}

/** The inventory with the enrichment's fields on its keys (none when there is no enrichment). */
export function withEnrichment<I extends { keys: KeyRecord[] }>(inventory: I, enrichment: EnrichmentState | null): I {
  return enrichment ? { ...inventory, keys: applyEnrichment(inventory.keys, enrichment) } : inventory;
}

/** What the run records about its enrichment. */
export function runEnrichment(state: EnrichmentState): RunEnrichment {
  return { sources: [...state.sources], api_requests: state.api_requests };
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
