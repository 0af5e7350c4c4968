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
import { joinHalves, withAccountKeys, withoutReads } from "./enrich-plan.js";
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

/** The inventory's clients; the enrichment's for its reports, started with the inventory; and for what it reads once an account's keys are known. */
type Clients = { inventory: ClientOptions; reports: ClientOptions; withKeys: ClientOptions };

export async function collectSlice(settings: readonly AccountSettings[], state: RunSliceState, options: RunSliceOptions): Promise<RunSliceResult> {
  const client = options.client ?? {};
  const attempts = (client.retry ?? DEFAULT_RETRY_POLICY).maxAttempts;
  const working = state.inventory.accounts.filter((a) => !accountDone(a)).map((a) => a.account);
  const enrichments = new Map((state.enrichment ?? []).flatMap((e) => (e.account === null ? [] : [[e.account, e] as const])));
  const units = new Map([...enrichments].map(([account, e]) => [account, e.state.units.length]));
  const shares = options.requestCap === undefined ? null : shareSliceCap(options.requestCap, working, units, attempts);
  const enriching = [...enrichments.values()].filter((e) => e.state.units.length > 0 || e.awaitingKeys).length;
  const clients = sliceClients(client, working.length + enriching);
  // The reports wait for every inventory's first requests: those lead to the rest, the reports to nothing.
  const starts = new Map(enriching > 0 ? working.map((account) => [account, firstRequest(clients.inventory)]) : []);
  const inventoriesStarted = Promise.all([...starts.values()].map((start) => start.made)).then(() => undefined);
  const context = { settings, options, shares, clients, attempts, inventoriesStarted };
  const results = await Promise.all(state.inventory.accounts.map((account) => sliceOfAccount(account, enrichments.get(account.account), context, starts.get(account.account))));
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

/**
 * One account alone keeps its own client, as before; more work at once shares one in-flight limit,
 * served in the order of what waits on what: first the lists, whose pages lead to more pages (the
 * inventory's, the audit log's windows once the keys are known), then each Anthropic key's last use,
 * which nothing else waits on, then the reports, which only fill what is left.
 */
function sliceClients(client: ClientOptions, participants: number): Clients {
  if (participants <= 1) return { inventory: client, reports: client, withKeys: client };
  const limiter = fetchLimiter(client.concurrency ?? DEFAULT_CONCURRENCY, client.fetch ?? fetch);
  return {
    inventory: { ...client, fetch: limiter.fetch(0), usageFetch: limiter.fetch(1) },
    withKeys: { ...client, fetch: limiter.fetch(0) },
    reports: { ...client, fetch: limiter.fetch(2) },
  };
}

/** A client whose first request (or `settled()`, when it makes none) resolves `made`. */
function firstRequest(client: ClientOptions): { client: ClientOptions; made: Promise<void>; settled: () => void } {
  let settled = () => {};
  const made = new Promise<void>((resolve) => (settled = resolve));
  const first = (fetcher: typeof fetch | undefined): typeof fetch => (async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    settled();
    return (fetcher ?? fetch)(input, init);
  }) as typeof fetch;
  return { client: { ...client, fetch: first(client.fetch), usageFetch: first(client.usageFetch ?? client.fetch) }, made, settled };
}

interface SliceContext {
  settings: readonly AccountSettings[];
  options: RunSliceOptions;
  shares: SliceShares | null;
  clients: Clients;
  attempts: number;
  inventoriesStarted: Promise<void>;
}

async function sliceOfAccount(
  account: AccountState,
  enrichment: AccountEnrichment | undefined,
  ctx: SliceContext,
  start: ReturnType<typeof firstRequest> | undefined,
): Promise<AccountSliceResult> {
  const { shares } = ctx;
  const configured = ctx.settings.find((s) => s.name === account.account && s.provider === account.provider);
  const inventoryCap = shares?.inventory.get(account.account);
  const enrichmentCap = shares?.enrichment.get(account.account);
  const inventory = readInventory(account, configured, start?.client ?? ctx.clients.inventory, ctx, inventoryCap);
  if (start) void inventory.then(start.settled, start.settled);
  // The reports need no key: they go out with the inventory's first requests.
  const mayReport = configured !== undefined && enrichment !== undefined && enrichment.state.units.length > 0 && (shares === null || enrichmentCap !== undefined);
  const reports = mayReport
    ? safely(async () => {
        await ctx.inventoriesStarted;
        return enrichmentStep(enrichment, configured, ctx.clients.reports, enrichmentCap);
      })
    : null;
  const read = await inventory;
  const result: AccountSliceResult = { ...read, enrichmentDeferred: [], enrichmentRequests: 0, ...(enrichment ? { enrichment } : {}) };
  // Once the account's inventory is done, what needs its keys, beside the reports still running, with what the inventory's share left.
  const left = shares === null ? undefined : (inventoryCap ?? 0) - (read.part?.part.requests ?? 0);
  const keysDone = enrichment?.awaitingKeys === true && accountDone(read.state);
  const withKeys = keysDone ? safely(() => enrichWithKeys(account, read.part, enrichment, configured, ctx, left)) : null;
  const [reported, keyed] = await Promise.all([reports, withKeys]);
  if (reported && "failure" in reported) return { ...result, failure: reported.failure };
  if (keyed && "failure" in keyed) return { ...result, failure: keyed.failure };
  const halves = [reported, keyed].flatMap((half) => (half ? [half] : []));
  const afterReports = reported ? reported.enrichment : enrichment;
  // An account with nothing to enrich (not read, no key) drops its enrichment: the reports' requests were made all the same.
  const joined = keyed ? keyed.enrichment && afterReports && joinHalves(afterReports, keyed.enrichment) : afterReports;
  return { ...result, enrichment: joined, enrichmentDeferred: halves.flatMap((h) => h.deferred), enrichmentRequests: halves.reduce((n, h) => n + h.requests, 0) };
}

/** One step of an account's enrichment, with the requests it made. */
async function enrichmentStep(enrichment: AccountEnrichment, account: AccountSettings, client: ClientOptions, requestCap: number | undefined): Promise<EnrichmentStepResult> {
  const step = await enrichAccountStep(enrichment, account, client, requestCap);
  return { ...step, requests: step.enrichment.state.api_requests - enrichment.state.api_requests };
}

type EnrichmentStepResult = { enrichment: AccountEnrichment; deferred: { message: string }[]; requests: number };

/** The account's enrichment from its keys (null: nothing to enrich, dropped), read within `left` requests (undefined: to its end). */
async function enrichWithKeys(
  account: AccountState,
  part: AccountPart | null,
  enrichment: AccountEnrichment,
  configured: AccountSettings | undefined,
  ctx: SliceContext,
  left: number | undefined,
): Promise<Omit<EnrichmentStepResult, "enrichment"> & { enrichment: AccountEnrichment | null }> {
  const ref = { name: account.account, provider: account.provider };
  const parts = [...(ctx.options.partsBefore ? await ctx.options.partsBefore(ref) : []), ...(part ? [part] : [])];
  const planned = withAccountKeys(withoutReads(enrichment), assembleAccount(ref, parts));
  if (!planned || !configured || planned.state.units.length === 0 || (left !== undefined && left < ctx.attempts)) return { enrichment: planned, deferred: [], requests: 0 };
  return enrichmentStep(planned, configured, ctx.clients.withKeys, left);
}

/** The account's inventory in the slice, within `cap` (undefined: to its end, unless the slice has shares and none is the account's). */
function readInventory(
  account: AccountState,
  configured: AccountSettings | undefined,
  client: ClientOptions,
  ctx: SliceContext,
  cap: number | undefined,
): Promise<Pick<AccountSliceResult, "state" | "part" | "deferred">> {
  if (accountDone(account) || (ctx.shares !== null && cap === undefined)) return Promise.resolve({ state: account, part: null, deferred: [] });
  if (!configured) return Promise.resolve({ state: { ...account, fatal: true }, part: missingAccount(account), deferred: [] });
  return collectAccountSlice(configured, account, { client, now: ctx.options.now, ...(cap !== undefined ? { requestCap: cap } : {}) });
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
