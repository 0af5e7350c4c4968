import type { AccountSettings } from "../config-accounts.js";
import type { KeyRecord } from "../model/inventory.js";
import { keyAccount } from "../model/key-facts.js";
import { ENRICH_SOURCES, type EnrichSource, type EnrichmentState, UNAVAILABLE } from "../model/enrichment.js";
import { anthropicEnrichmentStep } from "../providers/anthropic/enrich.js";
import { limitedFetch } from "../providers/fetch-limit.js";
import type { AccountEnrichment, ClientOptions } from "../providers/index.js";
import { DEFAULT_CONCURRENCY } from "../providers/openai/collect.js";
import { type EnrichmentOptions, continueEnrichment, enrichmentStep } from "../providers/openai/enrich.js";
import { failedEnrichment, planEnrichment } from "../enrichment/plan.js";
import { applyEnrichment } from "../enrichment/apply.js";
import { DEFAULT_RETRY_POLICY } from "../util/retry.js";
import { shareRequestCap } from "./cap-shares.js";

/**
 * The run's enrichment (ENRICH, docs/enrichment.md), account by account: planned by src/enrichment
 * (enrich-plan.ts: started with the inventory, completed with each account's keys), read by its
 * provider's enrichment sources (OpenAI: audit log, usage, costs; Anthropic: the listing's
 * `created_by`, the usage and cost reports), applied to that account's keys only. What it cannot
 * tell never makes a complete run incomplete.
 */

export type { AccountEnrichment };

/** The work of enriching `keys` (one OpenAI organization) from `sources`, as of `now`. */
export function startEnrichment(keys: readonly KeyRecord[], sources: readonly EnrichSource[], now: Date, options: Pick<EnrichmentOptions, "concurrency"> = {}): EnrichmentState {
  return planEnrichment(keys, sources, now, options.concurrency ?? DEFAULT_CONCURRENCY);
}

/** The whole enrichment of one OpenAI organization's keys in one go. */
export async function enrichKeys(keys: readonly KeyRecord[], sources: readonly EnrichSource[], now: Date, options: EnrichmentOptions): Promise<EnrichmentState> {
  return continueEnrichment(startEnrichment(keys, sources, now, options), options);
}

export function unitsLeft(enrichments: readonly AccountEnrichment[]): number {
  return enrichments.reduce((n, e) => n + e.state.units.length, 0);
}

/**
 * One step of every account's enrichment at once, within `requestCap` shared between the accounts with
 * work (undefined: to the end), and the failures their clients deferred (what a later attempt is for).
 */
export async function enrichAccountsStep(
  enrichments: readonly AccountEnrichment[],
  settings: readonly AccountSettings[],
  client: ClientOptions = {},
  requestCap?: number,
): Promise<{ enrichments: AccountEnrichment[]; deferred: { message: string }[] }> {
  const working = enrichments.filter((e) => e.account !== null && e.state.units.length > 0).map((e) => e.account as string);
  const shares = requestCap === undefined ? null : shareRequestCap(requestCap, working, (client.retry ?? DEFAULT_RETRY_POLICY).maxAttempts);
  const shared: ClientOptions = working.length > 1 ? { ...client, fetch: limitedFetch(client.concurrency ?? DEFAULT_CONCURRENCY, client.fetch ?? fetch) } : client;
  const steps = await Promise.all(
    enrichments.map(async (enrichment) => {
      const account = settings.find((s) => s.name === enrichment.account);
      const cap = shares?.get(enrichment.account ?? "");
      if (!account || !working.includes(account.name) || (shares !== null && cap === undefined)) return { enrichment, deferred: [] };
      return enrichAccountStep(enrichment, account, shared, cap);
    }),
  );
  return { enrichments: steps.map((s) => s.enrichment), deferred: steps.flatMap((s) => s.deferred) };
}

/** One step of one account's enrichment, within `requestCap` (undefined: to the end); the failures its client deferred. */
export async function enrichAccountStep(
  enrichment: AccountEnrichment,
  account: AccountSettings,
  client: ClientOptions,
  requestCap?: number,
): Promise<{ enrichment: AccountEnrichment; deferred: { message: string }[] }> {
  const { onProgress: _inventoryOnly, pageSize: _pages, usageFetch: _lastUseOnly, ...options } = client;
  if (account.provider === "anthropic") {
    const state = await anthropicEnrichmentStep(enrichment.state, { ...options, account: account.name, adminKey: account.adminKey, baseURL: account.baseUrl }, requestCap);
    return { enrichment: { ...enrichment, state }, deferred: [] };
  }
  const { state, deferred } = await enrichmentStep(enrichment.state, { ...options, adminKey: account.adminKey, baseURL: account.baseUrl }, requestCap);
  return { enrichment: { ...enrichment, state }, deferred };
}

/** Each account's keys with what its enrichment read (a failure of the whole: every key). */
export function applyAccountsEnrichment<I extends { keys: KeyRecord[] }>(inventory: I, enrichments: readonly AccountEnrichment[] | null): I {
  if (!enrichments || enrichments.length === 0) return inventory;
  const whole = enrichments.find((e) => e.account === null);
  if (whole) return { ...inventory, keys: applyEnrichment(inventory.keys, whole.state) };
  const byAccount = new Map(enrichments.map((e) => [e.account as string, e.state]));
  const enriched = new Map<string, KeyRecord[]>();
  for (const [account, state] of byAccount) enriched.set(account, applyEnrichment(inventory.keys.filter((k) => keyAccount(k) === account), state));
  const next = new Map([...enriched].map(([account, keys]) => [account, keys[Symbol.iterator]()]));
  // Keys in their inventory order; a key of an account without enrichment stays as it was.
  const keys = inventory.keys.map((key) => next.get(keyAccount(key))?.next().value ?? key);
  return { ...inventory, keys };
}

/**
 * The accounts' enrichments as the run reports one: the sources asked for, every request, and each
 * failure (naming its account when there are several). One account's is the run's, as before.
 */
export function mergedEnrichment(enrichments: readonly AccountEnrichment[] | null): EnrichmentState | null {
  if (!enrichments || enrichments.length === 0) return null;
  const [first] = enrichments;
  if (enrichments.length === 1 && first) return first.state;
  const states = enrichments.map((e) => e.state);
  const asked = new Set(states.flatMap((s) => s.sources));
  const base = (first as AccountEnrichment).state;
  return {
    ...base,
    sources: ENRICH_SOURCES.filter((s) => asked.has(s)),
    units: states.flatMap((s) => s.units),
    failed: ENRICH_SOURCES.filter((s) => states.some((state) => state.failed.includes(s))),
    errors: enrichments.flatMap((e) => e.state.errors.map((error) => (e.account === null ? error : { ...error, message: inAccount(error.message, error.source, e.account) }))),
    api_requests: states.reduce((n, s) => n + s.api_requests, 0),
  };
}

/** `spend unavailable: …` → `spend unavailable in account openai-eu: …`. */
function inAccount(message: string, source: EnrichSource | "enrichment", account: string): string {
  const prefix = `${UNAVAILABLE[source]}: `;
  return message.startsWith(prefix) ? `${UNAVAILABLE[source]} in account ${account}: ${message.slice(prefix.length)}` : `account ${account}: ${message}`;
}

/** A failure of the whole enrichment, every source asked for unknown (a step that kept failing, a result that cannot be read). */
export function failedRunEnrichment(sources: readonly EnrichSource[], now: Date, error: Parameters<typeof failedEnrichment>[2]): AccountEnrichment[] {
  return [{ account: null, state: failedEnrichment(sources, now, error) }];
}
