import type { AccountSettings, ProviderName } from "../config-accounts.js";
import type { CreatorFact, EnrichmentState } from "../model/enrichment.js";
import type { InventoryError, KeyRecord } from "../model/inventory.js";
import { DEFAULT_ACCOUNT } from "../model/key-facts.js";
import {
  type AnthropicAccountPart,
  type AnthropicAccountState,
  anthropicAccountDone,
  anthropicUnitsLeft,
  assembleAnthropicAccount,
  collectAnthropicAccountSlice,
  startAnthropicAccount,
} from "./anthropic/account-work.js";
import { anthropicCreators } from "./anthropic/enrich.js";
import type { LastUseReport } from "./anthropic/last-used.js";
import { type InventoryOptions, type InventoryResult, assembleInventory, collectInventorySlice } from "./openai/collect.js";
import { type InventoryPart as OpenAIPart, type WorkState as OpenAIWorkState, initialWorkState } from "./openai/inventory-work.js";

/**
 * The provider-neutral seam of the inventory (issue 19): per configured account, its start state,
 * one slice of it within a request cap, and the assembly of its parts, dispatching on the account's
 * provider. Every key and every error comes out stamped with the provider and the account. States
 * and parts are plain JSON, so a Workflow step keeps them in R2.
 */

/** Which account, without its key. */
export type AccountRef = Pick<AccountSettings, "name" | "provider">;

/** How every account's client connects (tests, the CLI's progress); each account adds its key and API root. */
export type ClientOptions = Omit<InventoryOptions, "adminKey" | "baseURL"> & {
  /** The fetch of the inventory's reads that no other request waits on (Anthropic's usage for the last use); default `fetch`. */
  usageFetch?: typeof fetch;
};

export type AccountState =
  | { account: string; provider: "openai"; work: OpenAIWorkState; fatal: boolean }
  | { account: string; provider: "anthropic"; work: AnthropicAccountState; fatal: boolean };

export type AccountPart = { account: string; provider: "openai"; part: OpenAIPart } | { account: string; provider: "anthropic"; part: AnthropicAccountPart };

/** Where every account of a run stands after a slice. Plain JSON (R2). */
export interface RunWorkState {
  accounts: AccountState[];
}

/** One account's enrichment; `account` null: a failure of the whole enrichment, over every key. Plain JSON (R2). */
export interface AccountEnrichment {
  account: string | null;
  state: EnrichmentState;
  /**
   * Started with the inventory, before the account's keys are known: what needs them (OpenAI's
   * audit-log windows, Anthropic's creators) is planned once its inventory is done.
   */
  awaitingKeys?: true;
}

/** One account's inventory, every key and error stamped with it. */
export interface AccountInventory extends InventoryResult {
  account: string;
  provider: ProviderName;
  /** Anthropic: the last use read for the policy's `unused` rules (its window, or why it is unknown); null when not read. */
  lastUse: LastUseReport | null;
  /** Anthropic: each key's creator, from the listing (the enrichment's `audit_log` source needs no request there). */
  creators: Record<string, CreatorFact> | null;
}

/** Where an account starts; `usageDays`: how far back a provider without `last_used_at` reads usage (null: not at all). */
export function startAccount(account: AccountRef, usageDays: number | null): AccountState {
  if (account.provider === "anthropic") return { account: account.name, provider: "anthropic", work: startAnthropicAccount(usageDays), fatal: false };
  return { account: account.name, provider: "openai", work: initialWorkState(), fatal: false };
}

/** Units still to read (0: the account is done, read to its end or refused). */
export function unitsLeft(state: AccountState): number {
  if (state.fatal) return 0;
  return state.provider === "anthropic" ? anthropicUnitsLeft(state.work) : state.work.units.length;
}

export function accountDone(state: AccountState): boolean {
  return state.fatal || (state.provider === "anthropic" ? anthropicAccountDone(state.work) : state.work.units.length === 0);
}

/**
 * One slice of `account` from `state`: at most `requestCap` requests (undefined: to its end), and the
 * failures its client deferred (a wait too long to hold the isolate for: what a later attempt is for).
 */
export async function collectAccountSlice(
  account: AccountSettings,
  state: AccountState,
  options: { client?: ClientOptions; now: Date; requestCap?: number },
): Promise<{ part: AccountPart; state: AccountState; deferred: InventoryError[] }> {
  const client = options.client ?? {};
  const { requestCap } = options;
  if (state.provider === "anthropic") {
    const { onProgress: _openaiOnly, pageSize: _openaiPages, ...shared } = client;
    const settings = { ...shared, account: account.name, adminKey: account.adminKey, baseURL: account.baseUrl };
    const { part, state: work } = await collectAnthropicAccountSlice(settings, state.work, options.now, requestCap);
    return { part: { account: state.account, provider: "anthropic", part }, state: { ...state, work, fatal: part.fatal !== undefined }, deferred: [] };
  }
  const { usageFetch: _anthropicOnly, ...openai } = client;
  const settings: InventoryOptions = { ...openai, adminKey: account.adminKey, baseURL: account.baseUrl };
  const { part, state: work, deferred } = await collectInventorySlice(settings, state.work, requestCap);
  return { part: { account: state.account, provider: "openai", part }, state: { ...state, work, fatal: part.fatal !== undefined }, deferred };
}

/**
 * The parts of `account` (any others are ignored) as its inventory. `alone`: the run's only account is
 * OPENAI_ADMIN_KEY's `openai`, whose records stay as they were before accounts existed (no provider,
 * no account: the model reads that as OpenAI's account `openai`).
 */
export function assembleAccount(account: AccountRef, parts: readonly AccountPart[], alone = false): AccountInventory {
  const stamp = { provider: account.provider, account: account.name };
  if (account.provider === "anthropic") {
    const own = parts.flatMap((p) => (p.account === account.name && p.provider === "anthropic" ? [p.part] : []));
    const { lastUse, ...inventory } = assembleAnthropicAccount(account.name, own);
    const emails = new Map(inventory.users.map((u) => [u.id, u.email]));
    const creators = anthropicCreators(
      own.flatMap((p) => p.apiKeys),
      emails,
    );
    return { ...stamped(inventory, stamp), ...stamp, lastUse, creators };
  }
  const own = parts.flatMap((p) => (p.account === account.name && p.provider === "openai" ? [p.part] : []));
  const inventory = assembleInventory(own);
  return { ...(alone && account.name === DEFAULT_ACCOUNT ? inventory : stamped(inventory, stamp)), ...stamp, lastUse: null, creators: null };
}

function stamped(inventory: InventoryResult, stamp: { provider: ProviderName; account: string }): InventoryResult {
  const keys: KeyRecord[] = inventory.keys.map((key) => ({ ...key, ...stamp }));
  const errors = inventory.errors.map((error) => ({ ...error, account: stamp.account }));
  return { ...inventory, keys, errors, ...(inventory.fatal ? { fatal: { ...inventory.fatal, account: stamp.account } } : {}) };
}
