import type { z } from "zod";
import { type InventoryError, type InventoryScope, describeScope } from "../../model/inventory.js";
import { drainQueue } from "../../util/drain.js";
import { redact } from "../../util/redact.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type Sleep, realSleep } from "../../util/retry.js";
import { type ApiKeyJson, type UserJson, type WorkspaceJson, apiKeySchema, describeZodError, pageEnvelope, userSchema, workspaceSchema } from "./schemas.js";
import { AnthropicSession, type AnthropicSessionOptions, type SessionFailure, type SessionFailureKind } from "./session.js";

/**
 * Lists an Anthropic organization through the official SDK: every API key (all statuses), every
 * workspace (archived and default included) and every user, each list page by page with `limit` and
 * `after_id` ← `last_id` until `has_more` is false. The three lists run at once. Fail closed: a page
 * that keeps failing, a `has_more` without `last_id`, a cursor that repeats or an item that does not
 * parse is an InventoryError naming the account and the list, never a shorter list.
 */

/** Largest `limit` of the three lists: api_keys 1–1000 (platform-notes §14), workspaces and users 1–1000 (platform.claude.com/docs/en/api/cli/organization/{workspaces,users}/list). */
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_CONCURRENCY = 6;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface AnthropicInventoryOptions {
  /** The configured account's name (`anthropic`, or a name from ACCOUNTS). */
  account: string;
  adminKey: string;
  /** The API root as the SDK takes it: `https://api.anthropic.com`. */
  baseURL: string;
  /** Items per list request, 1..1000; default the largest. */
  pageSize?: number;
  concurrency?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  sleep?: Sleep;
}

type ListName = "api_keys" | "workspaces" | "users";
export type WorkUnit = { list: ListName; after?: string };

/** Where a slice stopped: the pages still to read and the cursors already followed. Plain JSON. */
export interface WorkState {
  units: WorkUnit[];
  seenCursors: Record<string, string[]>;
}

/** What one slice read, raw (normalizing needs every user and workspace, so it waits for the assembly). Plain JSON. */
export interface InventoryPart {
  apiKeys: ApiKeyJson[];
  workspaces: WorkspaceJson[];
  users: UserJson[];
  errors: InventoryError[];
  requests: number;
  /** The admin key was refused (401): nothing more is asked. */
  fatal?: InventoryError;
}

export function initialWorkState(): WorkState {
  return { units: [{ list: "api_keys" }, { list: "workspaces" }, { list: "users" }], seenCursors: {} };
}

/** The session settings of `options`, defaults filled in. */
export function sessionOptions(options: Omit<AnthropicInventoryOptions, "pageSize" | "concurrency">): AnthropicSessionOptions {
  return {
    account: options.account,
    adminKey: options.adminKey,
    baseURL: options.baseURL,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    sleep: options.sleep ?? realSleep,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

/** An InventoryError of `scope` from a session failure (its message already names the account). */
export function inventoryError(scope: InventoryScope, account: string, failure: SessionFailure): InventoryError {
  return { scope, kind: failure.kind, ...(failure.status !== undefined ? { status: failure.status } : {}), message: failure.message, account };
}

/**
 * Runs one slice: at most `requestCap` requests (retries included; undefined for no cap), then
 * returns what it read and where to resume.
 */
export async function collectAnthropicSlice(options: AnthropicInventoryOptions, state: WorkState, requestCap?: number): Promise<{ part: InventoryPart; state: WorkState }> {
  const pageSize = options.pageSize ?? MAX_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw new RangeError(`pageSize must be 1..${MAX_PAGE_SIZE}, got ${pageSize}`);
  const settings = sessionOptions(options);
  if (requestCap !== undefined && requestCap < settings.retry.maxAttempts) {
    throw new RangeError(`a slice of ${requestCap} requests cannot fit one page with ${settings.retry.maxAttempts} attempts`);
  }
  const session = new AnthropicSession(settings);
  const queue = [...state.units];
  const seenCursors = new Map(Object.entries(state.seenCursors).map(([list, cursors]) => [list, new Set(cursors)]));
  const part: InventoryPart = { apiKeys: [], workspaces: [], users: [], errors: [], requests: 0 };

  async function readPage(unit: WorkUnit): Promise<void> {
    const scope: InventoryScope = { list: unit.list };
    const what = describeScope(scope);
    const query = unit.after === undefined ? { limit: pageSize } : { limit: pageSize, after_id: unit.after };
    const result = await session.request(what, pageEnvelope, (client) => {
      switch (unit.list) {
        case "api_keys":
          // No `status` filter: it is optional ("Filter by API key status"), so one listing has every status.
          return client.organization.apiKeys.list(query);
        case "workspaces":
          return client.organization.workspaces.list({ ...query, include_archived: true, include_default: true });
        case "users":
          return client.organization.users.list(query);
      }
    });
    if (!result.ok) {
      part.errors.push(inventoryError(scope, options.account, result.error));
      return;
    }
    const items = result.value.data;
    if (unit.list === "api_keys") part.apiKeys.push(...validate(scope, items, apiKeySchema));
    else if (unit.list === "workspaces") part.workspaces.push(...validate(scope, items, workspaceSchema));
    else part.users.push(...validate(scope, items, userSchema));
    if (!result.value.has_more) return;
    const cursor = result.value.last_id;
    if (!cursor) {
      part.errors.push(failed(scope, "truncated_pagination", "the API said has_more: true without a last_id, so the remaining pages could not be requested"));
      return;
    }
    const seen = seenCursors.get(unit.list) ?? new Set<string>();
    if (seen.has(cursor)) {
      part.errors.push(failed(scope, "truncated_pagination", `pagination did not advance (cursor ${cursor} repeated)`));
      return;
    }
    seen.add(cursor);
    seenCursors.set(unit.list, seen);
    queue.push({ list: unit.list, after: cursor });
  }

  function failed(scope: InventoryScope, kind: SessionFailureKind, detail: string): InventoryError {
    return inventoryError(scope, options.account, session.failure(describeScope(scope), kind, detail));
  }

  /** Each item on its own, so one unreadable key does not hide the others (but still makes the account incomplete). */
  function validate<T>(scope: InventoryScope, items: unknown[], schema: z.ZodType<T>): T[] {
    const valid: T[] = [];
    for (const [index, item] of items.entries()) {
      const parsed = schema.safeParse(item);
      if (parsed.success) {
        valid.push(parsed.data);
        continue;
      }
      const id = typeof item === "object" && item !== null && typeof (item as { id?: unknown }).id === "string" ? (item as { id: string }).id : undefined;
      const detail = redact(`item ${id ? `"${id}"` : `#${index}`} could not be read: ${describeZodError(parsed.error)}`, [options.adminKey]);
      part.errors.push(failed(scope, "invalid_shape", detail));
    }
    return valid;
  }

  await drainQueue(queue, {
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    requests: () => session.requests,
    attemptsPerUnit: settings.retry.maxAttempts,
    ...(requestCap !== undefined ? { requestCap } : {}),
    stopped: () => session.authFailure !== undefined,
    run: readPage,
  });

  part.requests = session.requests;
  if (session.authFailure) {
    const fatal = inventoryError({ list: "api_keys" }, options.account, session.authFailure);
    part.fatal = fatal;
    part.errors = [fatal];
    queue.length = 0;
  }
  return { part, state: { units: queue, seenCursors: Object.fromEntries([...seenCursors].map(([list, cursors]) => [list, [...cursors]])) } };
}
