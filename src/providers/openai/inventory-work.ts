import type { z } from "zod";
import { type AdminApi, validateItems } from "./admin-api.js";
import { drainQueue } from "../../util/drain.js";
import { normalizeProject, normalizeProjectKey, normalizeUser } from "./normalize.js";
import { type AdminApiKeyJson, adminApiKeySchema, projectApiKeySchema, projectSchema, userSchema } from "./schemas.js";
import type { InventoryError, InventoryScope, KeyRecord, ProjectRecord, UserRecord } from "../../model/inventory.js";
import { describeScope } from "../../model/inventory.js";

/**
 * The inventory as a queue of work units, one list page each. A unit that reads
 * a page may queue the next page of its list and, for project pages, the key
 * lists of those projects. The queue can be run to the end in one go (CLI,
 * demo) or in slices that each stay under a request cap (Workflow steps), with
 * the remaining units and the partial result carried to the next slice.
 */
export type WorkUnit =
  | { list: "admin_api_keys"; after?: string }
  | { list: "projects"; after?: string }
  | { list: "users"; after?: string }
  | { list: "project_api_keys"; project: ProjectRecord; after?: string };

export interface WorkState {
  units: WorkUnit[];
  /** The user list is only needed when there is an admin key to attribute; queued once. */
  usersQueued: boolean;
  /** Cursors already followed per list, to catch a pagination that does not advance. */
  seenCursors: Record<string, string[]>;
  /** Projects whose key list is already queued: a project listed twice (pages shifting) is listed once. */
  projectIds: string[];
}

/** What one slice read. Plain JSON, so a Workflow step can persist it. */
export interface InventoryPart {
  adminKeys: AdminApiKeyJson[];
  projects: ProjectRecord[];
  users: UserRecord[];
  projectKeys: KeyRecord[];
  errors: InventoryError[];
  requests: number;
  fatal?: InventoryError;
}

export function initialWorkState(): WorkState {
  return { units: [{ list: "admin_api_keys" }, { list: "projects" }], usersQueued: false, seenCursors: {}, projectIds: [] };
}

export function emptyPart(): InventoryPart {
  return { adminKeys: [], projects: [], users: [], projectKeys: [], errors: [], requests: 0 };
}

function scopeOf(unit: WorkUnit): InventoryScope {
  return unit.list === "project_api_keys"
    ? { list: "project_api_keys", project_id: unit.project.id, project_name: unit.project.name }
    : { list: unit.list };
}

function listKey(unit: WorkUnit): string {
  return unit.list === "project_api_keys" ? `project_api_keys:${unit.project.id}` : unit.list;
}

export interface ExecuteOptions {
  api: AdminApi;
  pageSize: number;
  concurrency: number;
  /** Most requests this slice may make, retries included; undefined for no cap. */
  requestCap?: number;
  /** Requests one unit may need at most (its retry attempts). */
  attemptsPerUnit: number;
  adminKey: string;
  /** Told when a page is requested and when it is read (CLI progress). */
  onProgress?: (progress: InventoryProgress) => void;
}

/** How far the inventory got, for a progress display. */
export interface InventoryProgress {
  /** The list a page was last requested from, e.g. `API keys of project "web" (proj_web)`. */
  listing: string;
  /** Projects whose key list was read to its end (or given up on), of the projects found so far. */
  projectsListed: number;
  projectsFound: number;
  /** Requests made so far, retries included. */
  requests: number;
}

/**
 * Runs units from `state` with `concurrency` workers until the queue is empty
 * or the next unit could exceed the request cap. Returns what was read and the
 * state to resume from.
 */
export async function executeWork(state: WorkState, options: ExecuteOptions): Promise<{ part: InventoryPart; state: WorkState }> {
  const queue = [...state.units];
  const seenCursors = new Map(Object.entries(state.seenCursors).map(([k, v]) => [k, new Set(v)]));
  let usersQueued = state.usersQueued;
  const projectIds = new Set(state.projectIds);
  const part = emptyPart();
  const startRequests = options.api.requests;
  let projectsListed = 0;

  const report = (unit: WorkUnit) =>
    options.onProgress?.({ listing: describeScope(scopeOf(unit)), projectsListed, projectsFound: projectIds.size, requests: options.api.requests - startRequests });

  /** Reads one page; true when it queued the next page of the same list. */
  async function runUnit(unit: WorkUnit): Promise<boolean | undefined> {
    const scope = scopeOf(unit);
    const query = unit.after === undefined ? { limit: options.pageSize } : { limit: options.pageSize, after: unit.after };
    const result = await options.api.page(scope, (client) => {
      switch (unit.list) {
        case "admin_api_keys":
          return client.admin.organization.adminAPIKeys.list(query);
        case "projects":
          return client.admin.organization.projects.list({ ...query, include_archived: true });
        case "users":
          return client.admin.organization.users.list(query);
        case "project_api_keys":
          return client.admin.organization.projects.apiKeys.list(unit.project.id, { ...query, owner_project_access: "any" });
      }
    });
    if (!result.ok) {
      part.errors.push(result.error);
      return;
    }
    const items = result.page.data;
    switch (unit.list) {
      case "admin_api_keys": {
        const valid = collect(scope, items, adminApiKeySchema, part);
        part.adminKeys.push(...valid);
        if (valid.length > 0 && !usersQueued) {
          usersQueued = true;
          queue.push({ list: "users" });
        }
        break;
      }
      case "projects":
        for (const project of collect(scope, items, projectSchema, part).map(normalizeProject)) {
          if (projectIds.has(project.id)) continue;
          projectIds.add(project.id);
          part.projects.push(project);
          queue.push({ list: "project_api_keys", project });
        }
        break;
      case "users":
        part.users.push(...collect(scope, items, userSchema, part).map(normalizeUser));
        break;
      case "project_api_keys":
        for (const key of collect(scope, items, projectApiKeySchema, part)) part.projectKeys.push(normalizeProjectKey(key, unit.project));
        break;
    }
    if (!result.page.has_more) return;
    const cursor = result.page.last_id;
    if (!cursor) {
      part.errors.push({ scope, kind: "truncated_pagination", message: `${describeScope(scope)}: the API said has_more: true without a last_id, so the remaining pages could not be requested` });
      return;
    }
    const seen = seenCursors.get(listKey(unit)) ?? new Set<string>();
    if (seen.has(cursor)) {
      part.errors.push({ scope, kind: "truncated_pagination", message: `${describeScope(scope)}: pagination did not advance (cursor ${cursor} repeated)` });
      return;
    }
    seen.add(cursor);
    seenCursors.set(listKey(unit), seen);
    queue.push({ ...unit, after: cursor });
    return true;
  }

  function collect<T>(scope: InventoryScope, items: unknown[], schema: z.ZodType<T>, into: InventoryPart): T[] {
    const { valid, errors } = validateItems(scope, items, schema, options.adminKey);
    into.errors.push(...errors);
    return valid;
  }

  await drainQueue(queue, {
    concurrency: options.concurrency,
    requests: () => options.api.requests - startRequests,
    attemptsPerUnit: options.attemptsPerUnit,
    ...(options.requestCap !== undefined ? { requestCap: options.requestCap } : {}),
    stopped: () => options.api.authFailure !== undefined,
    run: async (unit) => {
      report(unit);
      try {
        const continues = await runUnit(unit);
        if (unit.list === "project_api_keys" && !continues) projectsListed++;
      } finally {
        report(unit);
      }
    },
  });

  part.requests = options.api.requests - startRequests;
  if (options.api.authFailure) {
    part.fatal = options.api.authFailure;
    part.errors = [options.api.authFailure];
    queue.length = 0;
  }
  return {
    part,
    state: { units: queue, usersQueued, seenCursors: Object.fromEntries([...seenCursors].map(([k, v]) => [k, [...v]])), projectIds: [...projectIds] },
  };
}
