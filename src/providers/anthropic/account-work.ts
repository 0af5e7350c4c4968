import type { InventoryError, KeyRecord } from "../../model/inventory.js";
import { lastUseFields } from "../../model/last-use.js";
import { type AnthropicInventoryOptions, type InventoryPart, type WorkState, collectAnthropicSlice, initialWorkState, sessionOptions } from "./client.js";
import { type AnthropicInventory, assembleAnthropicInventory } from "./inventory.js";
import { type LastUseReport, type LastUseWork, continueLastUse, lastUseFinished, lastUseOf, lastUseReport, startLastUse } from "./last-used.js";

/**
 * One Anthropic account's share of a run: its listing (client.ts), then, when the policy has an
 * `unused` rule, the last use of its keys from the usage analytics (last-used.ts), both resumable
 * under a request cap. Plain JSON, so a Workflow step keeps it between steps.
 */
export interface AnthropicAccountState {
  list: WorkState;
  /** Active keys listed so far: once each has a use, older usage is not read. */
  activeKeyIds: string[];
  /** Days of usage the policy's `unused` rules need; null: last use is not read. */
  usageDays: number | null;
  lastUse: LastUseWork | null;
}

/** What one slice read; the slice that finishes the last use carries its report. */
export interface AnthropicAccountPart extends InventoryPart {
  lastUse?: LastUseReport;
}

export function startAnthropicAccount(usageDays: number | null): AnthropicAccountState {
  return { list: initialWorkState(), activeKeyIds: [], usageDays, lastUse: null };
}

/** Whether nothing is left to read for the account. */
export function anthropicAccountDone(state: AnthropicAccountState): boolean {
  if (state.list.units.length > 0) return false;
  return state.usageDays === null || (state.lastUse !== null && lastUseFinished(state.lastUse));
}

/** Units still to read: list pages, or usage pages (one, while the last use is not started). */
export function anthropicUnitsLeft(state: AnthropicAccountState): number {
  if (anthropicAccountDone(state)) return 0;
  return state.list.units.length + (state.lastUse === null ? 1 : state.lastUse.units.length);
}

/**
 * One slice of the account: at most `requestCap` requests (undefined: no cap). The listing first;
 * with what the cap leaves, the last use (`now` fixes its window when it starts), through `usageFetch`
 * when given (a run's in-flight limit serves the pages others wait on before it).
 */
export async function collectAnthropicAccountSlice(
  options: AnthropicInventoryOptions & { usageFetch?: typeof fetch },
  state: AnthropicAccountState,
  now: Date,
  requestCap?: number,
): Promise<{ part: AnthropicAccountPart; state: AnthropicAccountState }> {
  const next: AnthropicAccountState = { ...state };
  let part: AnthropicAccountPart = { apiKeys: [], workspaces: [], users: [], errors: [], requests: 0 };
  if (state.list.units.length > 0) {
    const listed = await collectAnthropicSlice(options, state.list, requestCap);
    part = listed.part;
    next.list = listed.state;
    next.activeKeyIds = [...state.activeKeyIds, ...part.apiKeys.filter((k) => k.status === "active").map((k) => k.id)];
    // A refused key reads nothing more, usage included.
    if (part.fatal) return { part, state: { ...next, list: { ...next.list, units: [] }, usageDays: null } };
  }
  const attempts = sessionOptions(options).retry.maxAttempts;
  const left = requestCap === undefined ? undefined : requestCap - part.requests;
  if (next.list.units.length > 0 || next.usageDays === null || (left !== undefined && left < attempts)) return { part, state: next };
  let work = next.lastUse ?? startLastUse(next.usageDays, now, next.activeKeyIds);
  // No active key: no use to read (inactive, archived and expired keys are inventory, never findings).
  if (next.lastUse === null && next.activeKeyIds.length === 0) work = { ...work, units: [] };
  const before = work.requests;
  const { usageFetch, ...listing } = options;
  work = await continueLastUse(usageFetch ? { ...listing, fetch: usageFetch } : listing, work, left);
  part.requests += work.requests - before;
  next.lastUse = work;
  if (lastUseFinished(work)) part.lastUse = lastUseReport(options.account, work);
  return { part, state: next };
}

export interface AssembledAnthropicAccount extends AnthropicInventory {
  /** The last use read, when the policy needed it: its window, or why it is unknown. */
  lastUse: LastUseReport | null;
}

/**
 * The account's parts as one Inventory, each key with its last use when it was read. Usage that could
 * not be read is an error of the account (the run is incomplete), and each key's last use is unknown.
 */
export function assembleAnthropicAccount(account: string, parts: readonly AnthropicAccountPart[]): AssembledAnthropicAccount {
  const inventory = assembleAnthropicInventory(account, parts);
  const report = parts.find((p) => p.lastUse !== undefined)?.lastUse ?? null;
  if (report === null || inventory.fatal) return { ...inventory, lastUse: inventory.fatal ? null : report };
  const window = report.known ? { from: new Date(report.window.from).toISOString() } : undefined;
  const keys: KeyRecord[] = inventory.keys.map((key) => ({ ...key, ...lastUseFields(lastUseOf(report, key), window) }));
  const errors: InventoryError[] = [...inventory.errors];
  if (!report.known) {
    errors.push({ scope: { list: "usage" }, kind: report.failure?.kind ?? "http", ...(report.failure?.status !== undefined ? { status: report.failure.status } : {}), account, message: `${report.reason}; the last use of its keys is unknown, so no unused rule can judge them` });
  }
  return { ...inventory, keys, errors, lastUse: report };
}
