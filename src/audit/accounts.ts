import type { AccountSettings } from "../config-accounts.js";
import type { InventoryError } from "../model/inventory.js";
import { type Policy, usageDaysNeeded } from "../policy/index.js";
import { limitedFetch } from "../providers/fetch-limit.js";
import {
  type AccountInventory,
  type AccountPart,
  type AccountRef,
  type AccountState,
  type ClientOptions,
  type RunWorkState,
  accountDone,
  assembleAccount,
  collectAccountSlice,
  startAccount,
  unitsLeft,
} from "../providers/index.js";
import { DEFAULT_CONCURRENCY, type InventoryResult } from "../providers/openai/collect.js";
import { DEFAULT_RETRY_POLICY } from "../util/retry.js";

export type { RunWorkState };

/**
 * The inventory of every configured account in one run (issue 19): all accounts read at once, each
 * slice sharing one request cap (AUDIT_SUBREQUESTS_PER_STEP) and one in-flight limit (6 connections)
 * between the accounts that still have work. One account that fails is an error naming it, the
 * others are read to the end; the run has no result only when no account could be read.
 */

/** Every account's inventory, and all of them as one. */
export interface RunInventory extends InventoryResult {
  accounts: AccountInventory[];
}

export function startRunWork(accounts: readonly AccountSettings[], policy: Policy): RunWorkState {
  return { accounts: accounts.map((account) => startAccount(account, account.provider === "anthropic" ? usageDaysNeeded(policy, account) : null)) };
}

export function runUnitsLeft(state: RunWorkState): number {
  return state.accounts.reduce((n, account) => n + unitsLeft(account), 0);
}

/**
 * `cap` split evenly between the accounts that still have work, each given at least `attempts` (one
 * page with all its retries); accounts beyond what the cap can hold wait for the next slice. One
 * account alone has the whole cap, as before accounts existed.
 */
export function shareRequestCap(cap: number, accounts: readonly string[], attempts: number): Map<string, number> {
  // A cap below one page's attempts still goes to the first account, whose client refuses it by name.
  const fit = Math.min(accounts.length, Math.max(1, Math.floor(cap / attempts)));
  const shares = new Map<string, number>();
  for (const [i, account] of accounts.slice(0, fit).entries()) shares.set(account, Math.floor(cap / fit) + (i < cap % fit ? 1 : 0));
  return shares;
}

export interface RunSliceOptions {
  client?: ClientOptions;
  now: Date;
  /** Requests this slice may make over every account, retries included; undefined: every account to its end. */
  requestCap?: number;
}

/** One slice of the run: the accounts with work, at once, within the shared cap and in-flight limit. */
export async function collectRunSlice(
  settings: readonly AccountSettings[],
  state: RunWorkState,
  options: RunSliceOptions,
): Promise<{ parts: AccountPart[]; state: RunWorkState; deferred: InventoryError[]; requests: number }> {
  const client = options.client ?? {};
  const working = state.accounts.filter((a) => !accountDone(a));
  const attempts = (client.retry ?? DEFAULT_RETRY_POLICY).maxAttempts;
  const shares = options.requestCap === undefined ? null : shareRequestCap(options.requestCap, working.map((a) => a.account), attempts);
  // One account keeps its own client as before; several share one in-flight limit.
  const shared: ClientOptions = working.length > 1 ? { ...client, fetch: limitedFetch(client.concurrency ?? DEFAULT_CONCURRENCY, client.fetch ?? fetch) } : client;
  const results = await Promise.all(
    state.accounts.map(async (account) => {
      const cap = shares?.get(account.account);
      if (accountDone(account) || (shares !== null && cap === undefined)) return { state: account, part: null, deferred: [] as InventoryError[] };
      const configured = settings.find((s) => s.name === account.account && s.provider === account.provider);
      if (!configured) return { state: { ...account, fatal: true }, part: missingAccount(account), deferred: [] as InventoryError[] };
      return collectAccountSlice(configured, account, { client: shared, now: options.now, ...(cap !== undefined ? { requestCap: cap } : {}) });
    }),
  );
  const parts = results.flatMap((r) => (r.part ? [r.part] : []));
  return {
    parts,
    state: { accounts: results.map((r) => r.state) },
    deferred: results.flatMap((r) => r.deferred),
    requests: parts.reduce((n, p) => n + p.part.requests, 0),
  };
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

/** Every account's parts as its inventory, and all of them as one inventory of the run. */
export function assembleRun(accounts: readonly AccountRef[], parts: readonly AccountPart[]): RunInventory {
  const alone = accounts.length === 1;
  const inventories = accounts.map((account) => assembleAccount(account, parts, alone));
  return { ...mergeInventories(inventories), accounts: inventories };
}

/**
 * The accounts' inventories as one. An account that could not be read at all is an error of the run
 * (incomplete); the run itself fails only when no account could be read. With one account, its
 * inventory is the run's, as before accounts existed.
 */
export function mergeInventories(inventories: readonly AccountInventory[]): InventoryResult {
  const merged: InventoryResult = {
    keys: inventories.flatMap((i) => i.keys),
    projects: inventories.flatMap((i) => i.projects),
    users: inventories.flatMap((i) => i.users),
    errors: inventories.flatMap((i) => i.errors),
    requests: inventories.reduce((n, i) => n + i.requests, 0),
  };
  const failed = inventories.filter((i) => i.fatal);
  if (inventories.length === 0 || failed.length < inventories.length) return merged;
  if (failed.length === 1) return { ...merged, fatal: failed[0]?.fatal as InventoryError };
  const first = failed[0]?.fatal as InventoryError;
  const message = `no account could be read: ${failed.map((i) => `${i.account}: ${i.fatal?.message}`).join("; ")}`;
  return { ...merged, fatal: { scope: first.scope, kind: first.kind, message } };
}
