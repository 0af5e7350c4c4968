import type { AccountSettings } from "../config-accounts.js";
import type { InventoryError } from "../model/inventory.js";
import { fetchLimiter } from "../providers/fetch-limit.js";
import {
  type AccountEnrichment,
  type AccountPart,
  type AccountRef,
  type AccountState,
  type ClientOptions,
  type RunWorkState,
  accountDone,
  assembleAccount,
  collectAccountSlice,
} from "../providers/index.js";
import { DEFAULT_CONCURRENCY } from "../providers/openai/collect.js";
import { DEFAULT_RETRY_POLICY } from "../util/retry.js";
import { type SliceShares, shareSliceCap } from "./cap-shares.js";
import { withAccountKeys } from "./enrich-plan.js";
import { enrichAccountStep } from "./enrich.js";

/**
 * One slice of a run (issue 19, Speed): every account's inventory and, started with it, its
 * enrichment, within one in-flight limit (6 connections for all accounts, the inventory's requests
 * served first, so the enrichment's fill what the inventory leaves free) and, in a Workflow step, one
 * request cap shared between them (cap-shares.ts). The enrichment's reports go out at once; once an
 * account's inventory is done, what needs its keys (the audit log) is planned and read in the same
 * slice, with what the account's share has left. The rules stay: the inventory's failures are the
 * run's; the enrichment's are its own (its state says them), and one that breaks the enrichment
 * (anything thrown) ends it, never the slice.
 */

export interface RunSliceState {
  inventory: RunWorkState;
  /** Every account's enrichment (see AccountEnrichment); null: none (not asked for, or over). */
  enrichment: AccountEnrichment[] | null;
}

export interface RunSliceOptions {
  client?: ClientOptions;
  now: Date;
  /** Requests this slice may make, inventory and enrichment together, retries included; undefined: everything to its end. */
  requestCap?: number;
  /** What earlier slices read of an account (none when the run is one slice): its keys, for what of its enrichment needs them. */
  partsBefore?: (account: AccountRef) => Promise<AccountPart[]>;
}

export interface RunSliceResult {
  parts: AccountPart[];
  state: RunSliceState;
  /** Failures the inventory's clients deferred (a wait too long to hold the isolate for: what a later attempt is for). */
  deferred: InventoryError[];
  /** Failures the enrichment's clients deferred. */
  enrichmentDeferred: { message: string }[];
  /** Requests the inventory made in the slice, and the enrichment. */
  requests: number;
  enrichmentRequests: number;
  /** Set when the enrichment broke (something thrown, not an API failure): it is over, the inventory goes on. */
  enrichmentFailure?: unknown;
}

interface AccountSliceResult {
  state: AccountState;
  part: AccountPart | null;
  deferred: InventoryError[];
  /** The account's enrichment after the slice: null when dropped, undefined when it has none. */
  enrichment?: AccountEnrichment | null;
  enrichmentDeferred: { message: string }[];
  enrichmentRequests: number;
  failure?: unknown;
}

type Clients = { inventory: ClientOptions; enrichment: ClientOptions };

export async function collectSlice(settings: readonly AccountSettings[], state: RunSliceState, options: RunSliceOptions): Promise<RunSliceResult> {
  const client = options.client ?? {};
  const attempts = (client.retry ?? DEFAULT_RETRY_POLICY).maxAttempts;
  const working = state.inventory.accounts.filter((a) => !accountDone(a)).map((a) => a.account);
  const enrichments = new Map((state.enrichment ?? []).flatMap((e) => (e.account === null ? [] : [[e.account, e] as const])));
  const units = new Map([...enrichments].map(([account, e]) => [account, e.state.units.length]));
  const shares = options.requestCap === undefined ? null : shareSliceCap(options.requestCap, working, units, attempts);
  const enriching = [...enrichments.values()].filter((e) => e.state.units.length > 0 || e.awaitingKeys).length;
  const clients = sliceClients(client, working.length + enriching);
  const context = { settings, options, shares, clients, attempts };
  const results = await Promise.all(state.inventory.accounts.map((account) => sliceOfAccount(account, enrichments.get(account.account), context)));
  const after = new Map(results.map((r, i) => [state.inventory.accounts[i]?.account, r.enrichment]));
  const parts = results.flatMap((r) => (r.part ? [r.part] : []));
  const failure = results.find((r) => r.failure !== undefined);
  return {
    parts,
    state: {
      inventory: { accounts: results.map((r) => r.state) },
      enrichment: state.enrichment && state.enrichment.flatMap((e) => (e.account === null || after.get(e.account) === undefined ? [e] : (after.get(e.account) ?? []))),
    },
    deferred: results.flatMap((r) => r.deferred),
    enrichmentDeferred: results.flatMap((r) => r.enrichmentDeferred),
    requests: parts.reduce((n, p) => n + p.part.requests, 0),
    enrichmentRequests: results.reduce((n, r) => n + r.enrichmentRequests, 0),
    ...(failure ? { enrichmentFailure: failure.failure } : {}),
  };
}

/** One account alone keeps its own client, as before; more work at once shares one in-flight limit, the inventory's requests first. */
function sliceClients(client: ClientOptions, participants: number): Clients {
  if (participants <= 1) return { inventory: client, enrichment: client };
  const limiter = fetchLimiter(client.concurrency ?? DEFAULT_CONCURRENCY, client.fetch ?? fetch);
  return { inventory: { ...client, fetch: limiter.fetch(0) }, enrichment: { ...client, fetch: limiter.fetch(1) } };
}

interface SliceContext {
  settings: readonly AccountSettings[];
  options: RunSliceOptions;
  shares: SliceShares | null;
  clients: Clients;
  attempts: number;
}

async function sliceOfAccount(account: AccountState, enrichment: AccountEnrichment | undefined, ctx: SliceContext): Promise<AccountSliceResult> {
  const { shares, options } = ctx;
  const configured = ctx.settings.find((s) => s.name === account.account && s.provider === account.provider);
  const inventoryCap = shares?.inventory.get(account.account);
  const enrichmentCap = shares?.enrichment.get(account.account);
  const inventory = readInventory(account, configured, ctx, inventoryCap);
  // The reports need no key: they go out with the inventory's first requests.
  const mayEnrich = configured !== undefined && enrichment !== undefined && enrichment.state.units.length > 0 && (shares === null || enrichmentCap !== undefined);
  const early = mayEnrich ? safely(() => enrichAccountStep(enrichment, configured, ctx.clients.enrichment, enrichmentCap)) : null;
  const read = await inventory;
  const result: AccountSliceResult = { ...read, enrichmentDeferred: [], enrichmentRequests: 0, ...(enrichment ? { enrichment } : {}) };
  const step = await early;
  if (step && "failure" in step) return { ...result, failure: step.failure };
  if (step) Object.assign(result, { enrichment: step.enrichment, enrichmentDeferred: step.deferred, enrichmentRequests: requestsOf(step.enrichment) - requestsOf(enrichment) });
  if (!result.enrichment?.awaitingKeys || !accountDone(read.state)) return result;

  // The account's inventory is done: the rest of its enrichment, from its keys, with what its shares left.
  const late = await safely(async () => {
    const ref = { name: account.account, provider: account.provider };
    const parts = [...(options.partsBefore ? await options.partsBefore(ref) : []), ...(read.part ? [read.part] : [])];
    const planned = withAccountKeys(result.enrichment as AccountEnrichment, assembleAccount(ref, parts));
    const left = shares === null ? undefined : (inventoryCap ?? 0) - (read.part?.part.requests ?? 0) + (enrichmentCap ?? 0) - result.enrichmentRequests;
    if (!planned || !configured || planned.state.units.length === 0 || (left !== undefined && left < ctx.attempts)) return { enrichment: planned, deferred: [], requests: 0 };
    const step = await enrichAccountStep(planned, configured, ctx.clients.enrichment, left);
    return { ...step, requests: requestsOf(step.enrichment) - requestsOf(planned) };
  });
  if ("failure" in late) return { ...result, failure: late.failure };
  return {
    ...result,
    enrichment: late.enrichment,
    enrichmentDeferred: [...result.enrichmentDeferred, ...late.deferred],
    enrichmentRequests: result.enrichmentRequests + late.requests,
  };
}

function readInventory(account: AccountState, configured: AccountSettings | undefined, ctx: SliceContext, cap: number | undefined): Promise<Omit<AccountSliceResult, "enrichmentDeferred" | "enrichmentRequests">> {
  if (accountDone(account) || (ctx.shares !== null && cap === undefined)) return Promise.resolve({ state: account, part: null, deferred: [] });
  if (!configured) return Promise.resolve({ state: { ...account, fatal: true }, part: missingAccount(account), deferred: [] });
  return collectAccountSlice(configured, account, { client: ctx.clients.inventory, now: ctx.options.now, ...(cap !== undefined ? { requestCap: cap } : {}) });
}

function requestsOf(enrichment: AccountEnrichment | null | undefined): number {
  return enrichment?.state.api_requests ?? 0;
}

/** `run()`, its throw caught at once (the inventory is awaited meanwhile): the enrichment's breaking is its own. */
function safely<T>(run: () => Promise<T>): Promise<T | { failure: unknown }> {
  return run().catch((failure: unknown) => ({ failure }));
}

/** A settings change between two steps took the account away: it cannot be read any further. */
function missingAccount(account: AccountState): AccountPart {
  const fatal: InventoryError = {
    scope: { list: account.provider === "anthropic" ? "api_keys" : "admin_api_keys" },
    kind: "auth",
    account: account.account,
    message: `account ${account.account} is no longer configured (the settings changed during the run)`,
  };
  const errors = [fatal];
  return account.provider === "anthropic"
    ? { account: account.account, provider: "anthropic", part: { apiKeys: [], workspaces: [], users: [], errors, requests: 0, fatal } }
    : { account: account.account, provider: "openai", part: { adminKeys: [], projects: [], users: [], projectKeys: [], errors, requests: 0, fatal } };
}
