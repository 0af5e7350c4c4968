import { ConfigError } from "../config-error.js";
import type { EnrichSource, EnrichmentState } from "../model/enrichment.js";
import { anthropicEnrichmentUnits, anthropicEnrichmentWindow } from "../providers/anthropic/enrich.js";
import type { AccountEnrichment, AccountInventory, AccountRef } from "../providers/index.js";
import { DEFAULT_CONCURRENCY } from "../providers/openai/collect.js";
import { auditLogWindows, failedEnrichment, planEnrichment } from "../enrichment/plan.js";
import { shouldEnrich } from "../enrichment/run.js";

/**
 * The run's enrichment plan in two halves, so that it starts with the inventory (issue 19, Speed):
 * what needs no key is asked for at once (the usage and cost reports grouped by key, of either
 * provider: read whole, then joined to the keys), and what needs the account's keys once its
 * inventory is done (OpenAI's audit log, read from just before the oldest key's creation in windows
 * cut at the keys' creation times; Anthropic's creators, already in its listing). Together they are
 * the plan `planEnrichment` makes from the keys (src/enrichment/plan.ts), unit for unit.
 */

/**
 * Every account's enrichment as the run starts: null when no source is asked for. A bad ENRICH is
 * not a failed run: it is said once, as an enrichment error, and nothing is requested.
 */
export function startRunEnrichment(accounts: readonly AccountRef[], sourcesOf: () => readonly EnrichSource[], now: Date): AccountEnrichment[] | null {
  let sources: readonly EnrichSource[];
  try {
    sources = sourcesOf();
  } catch (error) {
    if (error instanceof ConfigError) return [{ account: null, state: failedEnrichment([], now, { kind: "settings", message: error.message }) }];
    throw error;
  }
  if (sources.length === 0 || accounts.length === 0) return null;
  return accounts.map((account) => ({ account: account.name, state: startAccount(account, sources, now), awaitingKeys: true }));
}

/** The key-free half: the reports, over the provider's window of `now`. */
function startAccount(account: AccountRef, sources: readonly EnrichSource[], now: Date): EnrichmentState {
  const plan = planEnrichment([], sources, now, DEFAULT_CONCURRENCY);
  const window = account.provider === "anthropic" ? anthropicEnrichmentWindow(now) : plan.window;
  return { ...plan, window, units: anthropicEnrichmentUnits(sources) };
}

/**
 * The account's enrichment once its inventory is done: with what needs its keys, or null when there
 * is nothing to enrich (an account that could not be read, or has no key: what its reports said is
 * dropped, as if never asked). An enrichment that is not awaiting keys is returned as it is.
 */
export function withAccountKeys(enrichment: AccountEnrichment, inventory: AccountInventory): AccountEnrichment | null {
  if (!enrichment.awaitingKeys) return enrichment;
  const { sources } = enrichment.state;
  if (!shouldEnrich(inventory, sources)) return null;
  const state = { ...enrichment.state };
  if (inventory.provider === "anthropic") state.creators = sources.includes("audit_log") ? (inventory.creators ?? {}) : {};
  else if (sources.includes("audit_log")) state.units = [...auditLogWindows(inventory.keys, DEFAULT_CONCURRENCY), ...state.units];
  return { account: enrichment.account, state };
}
