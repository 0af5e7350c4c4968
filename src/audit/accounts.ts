import type { AccountSettings } from "../config-accounts.js";
import type { InventoryError } from "../model/inventory.js";
import { type Policy, usageDaysNeeded } from "../policy/index.js";
import {
  type AccountInventory,
  type AccountPart,
  type AccountRef,
  type RunWorkState,
  assembleAccount,
  startAccount,
  unitsLeft,
} from "../providers/index.js";
import type { InventoryResult } from "../providers/openai/collect.js";
import { type RunSliceOptions, collectSlice } from "./run-slice.js";

export { shareRequestCap } from "./cap-shares.js";

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

/** One slice of the inventory alone: the accounts with work, at once, within the shared cap and in-flight limit (run-slice.ts). */
export async function collectRunSlice(
  settings: readonly AccountSettings[],
  state: RunWorkState,
  options: Omit<RunSliceOptions, "partsBefore">,
): Promise<{ parts: AccountPart[]; state: RunWorkState; deferred: InventoryError[]; requests: number }> {
  const slice = await collectSlice(settings, { inventory: state, enrichment: null }, options);
  return { parts: slice.parts, state: slice.state.inventory, deferred: slice.deferred, requests: slice.requests };
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
