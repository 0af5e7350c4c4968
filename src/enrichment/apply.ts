import type { KeyCreator, KeyRecord } from "../model/inventory.js";
import type { EnrichmentState } from "../model/enrichment.js";

/**
 * The keys with what the enrichment read, for the sources it asked for only (a field of a source
 * not asked for stays absent). null means unknown: the audit log has no event for the key, or the
 * source failed. A key the usage and costs did not name made no request and cost nothing: 0, when
 * those were read whole. The inventory's own fields are never changed.
 */
export function applyEnrichment(keys: readonly KeyRecord[], state: EnrichmentState): KeyRecord[] {
  const withCreator = state.sources.includes("audit_log");
  const withUsage = state.sources.includes("usage");
  const withCosts = state.sources.includes("costs");
  if (!withCreator && !withUsage && !withCosts) return [...keys];
  const usageKnown = withUsage && !state.failed.includes("usage");
  const costsKnown = withCosts && !state.failed.includes("costs");
  const names = withCreator ? serviceAccountNames(keys) : new Map<string, string>();
  return keys.map((key) => {
    const enriched: KeyRecord = { ...key };
    if (withCreator) {
      const fact = state.creators[key.id];
      enriched.created_by = fact?.created_by ? { ...fact.created_by, display: describeCreator(fact.created_by, names) } : null;
      enriched.created_from_ip = fact?.created_from_ip ?? null;
    }
    if (withUsage) enriched.requests_30d = usageKnown ? (state.model_requests[key.id] ?? 0) : null;
    if (withCosts) enriched.spend_30d_usd = costsKnown ? roundUsd(state.spend_usd[key.id] ?? 0) : null;
    return enriched;
  });
}

/** Sums of float amounts carry noise (0.1 + 0.2); a millionth of a dollar is finer than any bill. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/**
 * The creator in words. A service account is named as the inventory names it when one of its keys
 * was seen (`service account deploy-bot (sa_1)`); a person by email, else by user id.
 */
export function describeCreator(creator: Omit<KeyCreator, "display">, serviceAccountNames: ReadonlyMap<string, string>): string {
  const via = creator.api_key_id ? ` via API key ${creator.api_key_id}` : "";
  if (creator.type === "service_account") {
    const name = serviceAccountNames.get(creator.id);
    return `service account ${name ? `${name} (${creator.id})` : creator.id}${via}`;
  }
  return `${creator.email ?? `user ${creator.id}`}${via}`;
}

/** Service account id → name, from the owners of the keys the inventory saw. */
export function serviceAccountNames(keys: readonly KeyRecord[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const key of keys) if (key.owner.type === "service_account" && key.owner.name) names.set(key.owner.id, key.owner.name);
  return names;
}
