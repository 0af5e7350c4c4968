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

/** `enrichment` without its units and anything read: what the half that needs the keys starts from. */
export function withoutReads(enrichment: AccountEnrichment): AccountEnrichment {
  const state: EnrichmentState = { ...enrichment.state, units: [], creators: {}, model_requests: {}, spend_usd: {}, failed: [], errors: [], api_requests: 0, seen_cursors: {} };
  return { ...enrichment, state };
}

/** The two halves of one account's enrichment, read at once, as one (what each read is its own: the reports', the keys'). */
export function joinHalves(reports: AccountEnrichment, withKeys: AccountEnrichment): AccountEnrichment {
  const [a, b] = [reports.state, withKeys.state];
  const state: EnrichmentState = {
    ...a,
    units: [...b.units, ...a.units],
    creators: { ...a.creators, ...b.creators },
    model_requests: { ...a.model_requests, ...b.model_requests },
    spend_usd: { ...a.spend_usd, ...b.spend_usd },
    failed: [...a.failed, ...b.failed.filter((source) => !a.failed.includes(source))],
    errors: [...a.errors, ...b.errors],
    api_requests: a.api_requests + b.api_requests,
    seen_cursors: { ...a.seen_cursors, ...b.seen_cursors },
  };
  return { account: reports.account, state };
}

