import { describeCreator } from "../enrichment/apply.js";
import type { KeyRecord } from "../model/inventory.js";
import { sessionOptions } from "../providers/openai/collect.js";
import { EnrichmentApi } from "../providers/openai/enrichment-api.js";
import { type AuditCursor, type KeyChanges, auditLogUnavailable, readKeyChanges } from "../providers/openai/watch-events.js";
import { readChangedKeys } from "../providers/openai/watch-keys.js";
import { redact } from "../util/redact.js";
import { type AccountContext, type AccountWatch, blankOutcome, ofAccount } from "./account.js";
import { selectChanges } from "./openai-selection.js";

/**
 * One OpenAI organization, watched through its audit log: the events since where the watch stands
 * (or since the last complete run started, whichever is later), then just the keys they name. A
 * quiet hour is one request. The cursor moves on only once what was read is told (`commit`), so a
 * firing that failed, or whose message could not be posted, is read again by the next one; it moves
 * only as far as what was judged (openai-selection.ts). What was not judged is said in the channel.
 */
export async function watchOpenAiAccount(ctx: AccountContext): Promise<AccountWatch> {
  const { account } = ctx;
  const outcome = blankOutcome(ctx, "audit_log");
  const state = await ctx.store.accountState(account.name);
  const cursor = startingCursor(state.cursor, ctx.baseline);
  if (cursor === null) {
    const start: AuditCursor = { at: Math.floor(ctx.now.getTime() / 1000), ids: [] };
    return {
      outcome: { ...outcome, status: "started", note: "no complete run yet: the watch starts now, and the weekly audit judges every key before it" },
      keys: [],
      commit: () => ctx.store.saveCursor(account.name, start),
    };
  }
  const api = new EnrichmentApi(sessionOptions({ adminKey: account.adminKey, baseURL: account.baseUrl, ...ctx.session }, undefined, "watch"));
  const secrets = [account.adminKey];
  const read = await readKeyChanges(api, cursor, ctx.limits.auditLogPages);
  if (!read.ok) {
    const message = redact(read.failure.message, secrets);
    if (!auditLogUnavailable(read.failure)) return { outcome: { ...outcome, status: "failed", requests: api.requests, note: message }, keys: [] };
    const note = `the audit log cannot be read (${message}): audit logging may be off in the organization's settings, or the admin key may not read it; new keys are found by the weekly audit only`;
    const unavailable: AccountWatch = { outcome: { ...outcome, status: "audit_log_unavailable", requests: api.requests, note }, keys: [] };
    if (state.auditLogUnavailable !== null) return unavailable;
    return { ...unavailable, notice: `account ${account.name}: ${note}`, commit: async () => void (await ctx.store.markAuditLogUnavailable(account.name, note, ctx.now.toISOString())) };
  }
  const changes = read.changes;
  const becameAvailable = state.auditLogUnavailable !== null;
  const selection = selectChanges(changes, cursor, ctx.limits.keys);
  // Each key read may take two requests (the key, an admin key's owner); what is left looks for keys not found.
  const budget = 2 * ctx.limits.keys;
  const keys = await readChangedKeys(api, selection.keys, selection.serviceAccounts, budget);
  const records = keys.keys.map((key) => ofAccount(ctx.withCreator ? withCreator(key, changes) : key, account));
  const notes = notesOf(changes, keys.not_found, selection.heldBack, ctx.limits.keys);
  const failed = keys.failures.length > 0;
  if (failed) notes.push(`${keys.failures.length} read(s) failed, first: ${redact(keys.failures[0]?.message ?? "", secrets)}; the next firing reads them again`);
  const partial = changes.unreadable > 0 || keys.not_found.length > 0;
  const status = failed ? "failed" : changes.truncated || selection.heldBack > 0 ? "too_many_changes" : partial ? "partial" : "watched";
  const note = notes.length > 0 ? notes.join("; ") : null;
  return {
    outcome: { ...outcome, status, requests: api.requests, changes_read: changes.events, keys_seen: records.length, note },
    keys: records,
    ...(failed
      ? {}
      : {
          ...(status === "watched" ? {} : { notice: `account ${account.name}: ${note}` }),
          commit: async () => {
            const next = selection.cursor;
            if (next.at !== state.cursor?.at || next.ids.join() !== state.cursor?.ids.join() || JSON.stringify(next.judged) !== JSON.stringify(state.cursor?.judged)) await ctx.store.saveCursor(account.name, next);
            if (becameAvailable) await ctx.store.markAuditLogAvailable(account.name);
          },
        }),
  };
}

/** The later of where the watch stands and the last complete run's start (the run saw everything before it); null when neither is known. */
function startingCursor(stored: AuditCursor | null, baseline: Date | null): AuditCursor | null {
  const fromRun = baseline === null ? null : { at: Math.floor(baseline.getTime() / 1000), ids: [] };
  if (stored === null) return fromRun;
  return fromRun !== null && fromRun.at > stored.at ? fromRun : stored;
}

function notesOf(changes: KeyChanges, notFound: readonly string[], heldBack: number, maxKeys: number): string[] {
  const notes: string[] = [];
  if (changes.truncated) notes.push("more audit-log events than one firing reads: only the newest were read, the weekly audit covers the rest");
  if (heldBack > 0) notes.push(`more than ${maxKeys} keys changed: ${maxKeys} were judged (the newest created first), ${heldBack} were not: the next firing judges them, the weekly audit judges every key`);
  if (changes.unreadable > 0) notes.push(`${changes.unreadable} audit-log event(s) could not be read: the weekly audit judges the keys they name`);
  if (notFound.length > 0) notes.push(`${notFound.length} key(s) named by the audit log were not found (deleted since, or in a project the event does not name): ${notFound.slice(0, 5).join(", ")}; the weekly audit judges them`);
  return notes;
}

/**
 * The key's creator from its `api_key.created` event, as the run's enrichment words it. A key only
 * updated since keeps no creator field: its creation is older than what this firing read.
 */
function withCreator(key: KeyRecord, changes: KeyChanges): KeyRecord {
  const fact = changes.creators[key.id];
  if (fact === undefined) return key;
  const names = new Map<string, string>(key.owner.type === "service_account" && key.owner.name ? [[key.owner.id, key.owner.name]] : []);
  return {
    ...key,
    created_by: fact.created_by ? { ...fact.created_by, display: describeCreator(fact.created_by, names) } : null,
    created_from_ip: fact.created_from_ip,
  };
}
