import { type InventoryPart, collectAnthropicSlice } from "../providers/anthropic/client.js";
import { assembleAnthropicInventory } from "../providers/anthropic/inventory.js";
import type { ApiKeyJson } from "../providers/anthropic/schemas.js";
import { sha256Hex } from "../util/hash.js";
import { type AccountContext, type AccountWatch, blankOutcome, ofAccount } from "./account.js";

/**
 * One Anthropic organization, watched through its key list: the Admin API has no audit log
 * (platform-notes §14), so the watch lists every key (1,000 a request) and compares each with the
 * list it stored last time, as a digest of what a rule may read. Only when a key is new or changed
 * are the workspaces and users listed (one request each) to judge it as a run would. With no list
 * stored yet, the keys created since the last complete run started are the new ones.
 */
export async function watchAnthropicAccount(ctx: AccountContext): Promise<AccountWatch> {
  const { account } = ctx;
  const outcome = blankOutcome(ctx, "key_list");
  const options = { account: account.name, adminKey: account.adminKey, baseURL: account.baseUrl, ...ctx.session };
  const listing = await collectAnthropicSlice(options, { units: [{ list: "api_keys" }], seenCursors: {} });
  let requests = listing.part.requests;
  const failure = firstError(listing.part);
  if (failure) return { outcome: { ...outcome, status: "failed", requests, note: failure }, keys: [] };

  const listed = listing.part.apiKeys;
  const digests = new Map(listed.map((key) => [key.id, keyDigest(key)]));
  const stored = await ctx.store.keyList(account.name);
  const change = {
    upsert: [...digests].filter(([id, digest]) => stored?.get(id) !== digest),
    remove: stored ? [...stored.keys()].filter((id) => !digests.has(id)) : [],
  };
  const commit = () => ctx.store.saveKeyList(account.name, change, ctx.now.toISOString());
  const counted = { ...outcome, requests, changes_read: listed.length };
  if (stored === null && ctx.baseline === null) {
    return { outcome: { ...counted, status: "started", note: "no complete run and no earlier list: the keys listed now are what the next firing compares with" }, keys: [] };
  }
  const since = ctx.baseline?.getTime() ?? Number.NEGATIVE_INFINITY;
  const changedKeys = stored === null ? listed.filter((key) => Date.parse(key.created_at) >= since) : listed.filter((key) => change.upsert.some(([id]) => id === key.id));
  if (changedKeys.length === 0) return { outcome: counted, keys: [], commit };
  // More than a firing judges: the new keys, newest created first, then the changed ones; the rest
  // stay out of the stored list, so the next firing finds them changed still and judges them.
  const ordered = [...changedKeys].sort((a, b) => Number(stored?.has(a.id) ?? false) - Number(stored?.has(b.id) ?? false) || Date.parse(b.created_at) - Date.parse(a.created_at));
  const changed = new Set(ordered.slice(0, ctx.limits.keys).map((key) => key.id));
  const heldBack = new Set(ordered.slice(ctx.limits.keys).map((key) => key.id));
  const commitJudged = () => ctx.store.saveKeyList(account.name, { ...change, upsert: change.upsert.filter(([id]) => !heldBack.has(id)) }, ctx.now.toISOString());
  const tooMany = heldBack.size > 0 ? `${changedKeys.length} keys are new or changed, more than ${ctx.limits.keys}: the ${ctx.limits.keys} newest were judged, ${heldBack.size} were not: the next firing judges them, the weekly audit judges every key` : null;

  // Names and emails for the changed keys' workspaces and owners, as the run's listing has them.
  const directory = await collectAnthropicSlice(options, { units: [{ list: "workspaces" }, { list: "users" }], seenCursors: {} });
  requests += directory.part.requests;
  const directoryFailure = firstError(directory.part);
  if (directoryFailure) return { outcome: { ...counted, status: "failed", requests, note: directoryFailure }, keys: [] };
  const inventory = assembleAnthropicInventory(account.name, [{ ...listing.part, apiKeys: listed.filter((key) => changed.has(key.id)) }, directory.part]);
  const keys = inventory.keys.map((key) => ofAccount(key, account));
  const notes = [tooMany, stored === null ? "no earlier list: the keys created since the last complete run started are the new ones" : null].filter((n): n is string => n !== null);
  const note = notes.length > 0 ? notes.join("; ") : null;
  const status = tooMany ? "too_many_changes" : "watched";
  return { outcome: { ...counted, status, requests, keys_seen: keys.length, note }, keys, commit: commitJudged, ...(tooMany ? { notice: `account ${account.name}: ${tooMany}` } : {}) };
}

/**
 * What a rule may read of a key as the list gives it: a change to any of it is a change. (Anthropic
 * keys have no last use in the list, so a quiet key keeps its digest.)
 */
export function keyDigest(key: ApiKeyJson): string {
  const { id, name, created_at, created_by, expires_at, partial_key_hint, principal, scope, status } = key;
  return sha256Hex(JSON.stringify([id, name, created_at, created_by, expires_at, partial_key_hint, principal, scope, status])).slice(0, 32);
}

/** The first error of a listing, already worded without a secret; null when it read everything. */
function firstError(part: InventoryPart): string | null {
  const error = part.fatal ?? part.errors[0];
  if (!error) return null;
  const more = part.errors.length > 1 ? ` (and ${part.errors.length - 1} more)` : "";
  return `${error.message}${more}; the next firing lists again`;
}
