import type OpenAI from "openai";
import type { z } from "zod";
import { createLimiter } from "../util/limiter.js";
import { AdminApi, type RawCall, validateItems } from "./admin-api.js";
import { normalizeAdminKey, normalizeProject, normalizeProjectKey, normalizeUser } from "./normalize.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type Sleep, realSleep } from "./retry.js";
import {
  type AdminApiKeyJson,
  type ProjectApiKeyJson,
  adminApiKeySchema,
  projectApiKeySchema,
  projectSchema,
  userSchema,
} from "./schemas.js";
import type { Inventory, InventoryError, InventoryScope, KeyRecord, ProjectRecord, UserRecord } from "./types.js";
import { describeScope } from "./types.js";

export interface InventoryOptions {
  adminKey: string;
  baseURL: string;
  /** Items per list request (the API allows 1..100). */
  pageSize?: number;
  /** Requests in flight at once (Workers allow 6 simultaneous connections). */
  concurrency?: number;
  timeoutMs?: number;
  retry?: RetryPolicy;
  fetch?: typeof fetch;
  sleep?: Sleep;
}

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 6;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface InventoryResult extends Inventory {
  /** Set when the Admin API refused the credentials: nothing could be seen. */
  fatal?: InventoryError;
}

type ListCall = (client: OpenAI, query: { limit: number; after?: string }) => RawCall;

/**
 * Lists every admin key, every project (archived included), every project key of
 * every project (owner_project_access=any) and, when there are admin keys to
 * attribute, the organization users. Project key lists start as soon as the
 * project page that names them arrives, so the limiter always has work queued.
 */
export async function collectInventory(options: InventoryOptions): Promise<InventoryResult> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw new RangeError(`pageSize must be 1..100, got ${pageSize}`);
  const api = new AdminApi({
    adminKey: options.adminKey,
    baseURL: options.baseURL,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: options.retry ?? DEFAULT_RETRY_POLICY,
    limiter: createLimiter(options.concurrency ?? DEFAULT_CONCURRENCY),
    sleep: options.sleep ?? realSleep,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const errors: InventoryError[] = [];

  async function listAll<T>(scope: InventoryScope, call: ListCall, schema: z.ZodType<T>, onItems?: (items: T[]) => void): Promise<T[]> {
    const all: T[] = [];
    const seenCursors = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const query = after === undefined ? { limit: pageSize } : { limit: pageSize, after };
      const result = await api.page(scope, (client) => call(client, query));
      if (!result.ok) {
        errors.push(result.error);
        return all;
      }
      const { valid, errors: itemErrors } = validateItems(scope, result.page.data, schema, options.adminKey);
      errors.push(...itemErrors);
      all.push(...valid);
      onItems?.(valid);
      if (!result.page.has_more) return all;
      const cursor = result.page.last_id;
      if (!cursor) {
        errors.push({ scope, kind: "truncated_pagination", message: `${describeScope(scope)}: the API said has_more: true without a last_id, so the remaining pages could not be requested` });
        return all;
      }
      if (seenCursors.has(cursor)) {
        errors.push({ scope, kind: "truncated_pagination", message: `${describeScope(scope)}: pagination did not advance (cursor ${cursor} repeated)` });
        return all;
      }
      seenCursors.add(cursor);
      after = cursor;
    }
  }

  let usersPromise: Promise<unknown[]> | undefined;
  const startUsers = () => {
    usersPromise ??= listAll({ list: "users" }, (c, q) => c.admin.organization.users.list(q), userSchema);
  };

  const projectKeyLists: Promise<{ project: ProjectRecord; keys: ProjectApiKeyJson[] }>[] = [];
  const listProjectKeys = (project: ProjectRecord) => {
    const scope: InventoryScope = { list: "project_api_keys", project_id: project.id, project_name: project.name };
    projectKeyLists.push(
      listAll(
        scope,
        (c, q) => c.admin.organization.projects.apiKeys.list(project.id, { ...q, owner_project_access: "any" }),
        projectApiKeySchema,
      ).then((keys) => ({ project, keys })),
    );
  };

  const projects: ProjectRecord[] = [];
  const [adminKeys] = await Promise.all([
    listAll<AdminApiKeyJson>({ list: "admin_api_keys" }, (c, q) => c.admin.organization.adminAPIKeys.list(q), adminApiKeySchema, (items) => {
      if (items.length > 0) startUsers();
    }),
    listAll({ list: "projects" }, (c, q) => c.admin.organization.projects.list({ ...q, include_archived: true }), projectSchema, (items) => {
      for (const item of items) {
        const project = normalizeProject(item);
        projects.push(project);
        listProjectKeys(project);
      }
    }),
  ]);
  const userJson = ((await usersPromise) ?? []) as z.infer<typeof userSchema>[];
  const projectKeys = await Promise.all(projectKeyLists);

  const users: UserRecord[] = userJson.map(normalizeUser);
  const usersById = new Map(users.map((user) => [user.id, user]));
  const keys = new Map<string, KeyRecord>();
  for (const key of adminKeys) keys.set(`admin:${key.id}`, normalizeAdminKey(key, usersById));
  for (const { project, keys: list } of projectKeys) {
    for (const key of list) keys.set(`project:${project.id}:${key.id}`, normalizeProjectKey(key, project));
  }

  const result: InventoryResult = { keys: [...keys.values()], projects, users, errors, requests: api.requests };
  if (api.authFailure) {
    result.fatal = api.authFailure;
    // Every list failed for the same reason; one error says it.
    result.errors = [api.authFailure];
  }
  return result;
}
