import { z } from "zod";
import { AUDIT_LOG_PAGE_SIZE, type CreatorFact } from "../../model/enrichment.js";
import { creatorFact, mergeCreator } from "./creator.js";
import type { ApiFailure, EnrichmentApi } from "./enrichment-api.js";
import { auditLogPage, keyCreatedEvent } from "./enrichment-schemas.js";
import { unixTime } from "./schemas.js";

/**
 * What changed among an organization's keys since a cursor, from its audit log (the hourly watch,
 * issue 20; platform-notes §14): `GET /organization/audit_logs` with `event_types[]` and
 * `effective_at[gte]`, newest first, page by page. A quiet hour is one request.
 *
 * The events (openai-admin-openapi.yaml, AuditLog): `api_key.created` and `api_key.updated` name the
 * key (`<type>.id`, "the tracking ID of the API key") and, when the action was scoped to one, its
 * project (`project.id`); `api_key.deleted` a key that is gone; `service_account.created` and
 * `service_account.updated` (its role: `changes_requested.role`) a service account of the event's
 * project, whose keys change owner role with it. Other changes (a user's role, RBAC roles) are left
 * to the weekly audit.
 */
export const WATCHED_EVENT_TYPES = ["api_key.created", "api_key.updated", "api_key.deleted", "service_account.created", "service_account.updated"] as const;
export type WatchedEventType = (typeof WATCHED_EVENT_TYPES)[number];

const ENDPOINT = "the audit log (GET /organization/audit_logs)";

/** Where the watch is in the audit log: every event before `at`, and those at `at` whose id is in `ids`, was read. */
export interface AuditCursor {
  /** Unix seconds (`effective_at`). */
  at: number;
  ids: string[];
  /**
   * Held back (more changes than a firing judges): what was judged since `at` already, by change
   * (`changeRef`), with the `effective_at` of its latest event then; a change with a later event is
   * judged again. Absent when nothing was held back.
   */
  judged?: Record<string, number>;
}

const projectRef = z.object({ id: z.string().min(1), name: z.string().nullish() });

/** The fields of an AuditLog the watch relies on; the details object under the event's type must name its target. */
const watchedEvent = z.object({
  id: z.string().min(1),
  type: z.enum(WATCHED_EVENT_TYPES),
  effective_at: unixTime,
  project: projectRef.nullish(),
});
const details = z.object({ id: z.string().min(1) });

/** When a change's events happened (unix seconds): its first and latest read. */
export interface ChangeTimes {
  first: number;
  last: number;
}

export interface ChangedKey extends ChangeTimes {
  /** The project the event was scoped to; null when it names none (admin keys). */
  project: { id: string; name: string | null } | null;
  /** When its `api_key.created` event happened; null when it was only updated. */
  createdAt: number | null;
}

export interface ChangedServiceAccount extends ChangeTimes {
  project: { id: string; name: string | null };
  id: string;
}

export interface KeyChanges {
  /** Keys created or updated, by id, minus those deleted since. */
  keys: Map<string, ChangedKey>;
  /** Service accounts created or updated (with the project the event names). */
  serviceAccounts: ChangedServiceAccount[];
  /** Who created each key, from its `api_key.created` event (the enrichment's creator, for free). */
  creators: Record<string, CreatorFact>;
  /** Events read (new since the cursor), readable or not. */
  events: number;
  /** Events that did not have the fields above: named in the note, never guessed. */
  unreadable: number;
  /** Pages were left unread (more than `maxPages`): only the newest events were read. */
  truncated: boolean;
  /** Where the next read starts. */
  cursor: AuditCursor;
  requests: number;
}

export type KeyChangesResult = { ok: true; changes: KeyChanges } | { ok: false; failure: ApiFailure; requests: number };

/** The events since `cursor`, at most `maxPages` pages of 100 (newest first). */
export async function readKeyChanges(api: EnrichmentApi, cursor: AuditCursor, maxPages: number): Promise<KeyChangesResult> {
  const start = api.requests;
  const read: unknown[] = [];
  let after: string | undefined;
  let truncated = false;
  for (let page = 0; ; page++) {
    if (page >= maxPages) {
      truncated = true;
      break;
    }
    const query = { event_types: [...WATCHED_EVENT_TYPES], effective_at: { gte: cursor.at }, limit: AUDIT_LOG_PAGE_SIZE, ...(after === undefined ? {} : { after }) };
    const result = await api.get(ENDPOINT, auditLogPage, (client) => client.admin.organization.auditLogs.list(query));
    if (!result.ok) return { ok: false, failure: result.failure, requests: api.requests - start };
    read.push(...result.value.data);
    if (!result.value.has_more) break;
    const last = result.value.last_id;
    if (!last || last === after) {
      const failure: ApiFailure = { kind: "truncated_pagination", transient: false, message: `${ENDPOINT} said has_more: true without a last_id that moves on` };
      return { ok: false, failure, requests: api.requests - start };
    }
    after = last;
  }
  return { ok: true, changes: { ...changesOf(read, cursor), truncated, requests: api.requests - start } };
}

/** What the events (newest first) say, in the order they happened; events already read at the cursor are skipped. */
function changesOf(items: readonly unknown[], cursor: AuditCursor): Omit<KeyChanges, "truncated" | "requests"> {
  const seenAtCursor = new Set(cursor.ids);
  const events: { id: string; type: WatchedEventType; at: number; project: ChangedKey["project"]; target: string; item: unknown }[] = [];
  let unreadable = 0;
  for (const item of items) {
    const event = watchedEvent.safeParse(item);
    const target = event.success ? details.safeParse((item as Record<string, unknown>)[event.data.type]) : undefined;
    if (!event.success || !target?.success) {
      unreadable++;
      continue;
    }
    if (event.data.effective_at === cursor.at && seenAtCursor.has(event.data.id)) continue;
    const project = event.data.project ? { id: event.data.project.id, name: event.data.project.name ?? null } : null;
    events.push({ id: event.data.id, type: event.data.type, at: event.data.effective_at, project, target: target.data.id, item });
  }
  events.sort((a, b) => a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const keys = new Map<string, ChangedKey>();
  const serviceAccounts = new Map<string, ChangedServiceAccount>();
  const creators: Record<string, CreatorFact> = {};
  for (const event of events) {
    if (event.type === "api_key.deleted") keys.delete(event.target);
    else if (event.type === "api_key.created" || event.type === "api_key.updated") {
      const earlier = keys.get(event.target);
      const createdAt = event.type === "api_key.created" ? event.at : (earlier?.createdAt ?? null);
      keys.set(event.target, { project: event.project ?? earlier?.project ?? null, first: earlier?.first ?? event.at, last: event.at, createdAt });
    } else if (event.project) {
      const ref = `${event.project.id}\u0000${event.target}`;
      serviceAccounts.set(ref, { project: event.project, id: event.target, first: serviceAccounts.get(ref)?.first ?? event.at, last: event.at });
    }
    if (event.type === "api_key.created") {
      const created = keyCreatedEvent.safeParse(event.item);
      if (created.success) mergeCreator(creators, event.target, creatorFact(created.data));
    }
  }
  return { keys, serviceAccounts: [...serviceAccounts.values()], creators, events: events.length + unreadable, unreadable, cursor: nextCursor(items, cursor) };
}

/** The newest `effective_at` read and the ids of every event read at it (readable or not): the next read starts there. */
function nextCursor(items: readonly unknown[], cursor: AuditCursor): AuditCursor {
  let at = cursor.at;
  let ids = new Set(cursor.ids);
  for (const item of items) {
    const event = z.object({ id: z.string().min(1), effective_at: unixTime }).safeParse(item);
    if (!event.success || event.data.effective_at < at) continue;
    if (event.data.effective_at > at) {
      at = event.data.effective_at;
      ids = new Set();
    }
    ids.add(event.data.id);
  }
  return { at, ids: [...ids].sort() };
}

/** Whether a failure means the organization has audit logging off, or the admin key may not read it (the simulator's 403). */
export function auditLogUnavailable(failure: ApiFailure): boolean {
  return failure.kind === "auth" && failure.status === 403;
}
