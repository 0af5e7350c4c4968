import { AdminApi, type AdminApiOptions } from "./admin-api.js";
import { normalizeAdminKey } from "./normalize.js";
import { DEFAULT_RETRY_POLICY, type RetryPolicy, type Sleep, realSleep } from "../../util/retry.js";
import type { Inventory, InventoryError, KeyRecord } from "../../model/inventory.js";
import { type InventoryPart, type InventoryProgress, type WorkState, executeWork, initialWorkState } from "./inventory-work.js";

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
  /** Told when a page is requested and when it is read (CLI progress). */
  onProgress?: (progress: InventoryProgress) => void;
}

export const DEFAULT_PAGE_SIZE = 100;
export const DEFAULT_CONCURRENCY = 6;
export const DEFAULT_TIMEOUT_MS = 30_000;

export interface InventoryResult extends Inventory {
  /** Set when the Admin API refused the credentials or never answered: nothing could be seen. */
  fatal?: InventoryError;
}

/** What an Admin API session is made from (the enrichment's the same, src/providers/openai/enrich.ts). */
export type SessionSettings = Pick<InventoryOptions, "adminKey" | "baseURL" | "timeoutMs" | "retry" | "fetch" | "sleep">;

/**
 * The session options of `settings`, defaults filled in, once it is known that one page with all
 * its attempts fits in `requestCap` (the requests of one `part`: "slice", "step").
 */
export function sessionOptions(settings: SessionSettings, requestCap: number | undefined, part: string): AdminApiOptions {
  const retry = settings.retry ?? DEFAULT_RETRY_POLICY;
  if (requestCap !== undefined && requestCap < retry.maxAttempts) {
    throw new RangeError(`a ${part} of ${requestCap} requests cannot fit one page with ${retry.maxAttempts} attempts`);
  }
  return {
    adminKey: settings.adminKey,
    baseURL: settings.baseURL,
    timeoutMs: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry,
    sleep: settings.sleep ?? realSleep,
    ...(settings.fetch ? { fetch: settings.fetch } : {}),
  };
}

/**
 * Runs one slice of the inventory: at most `requestCap` requests (retries
 * included), then returns what it read, where to resume, and the failures its
 * session deferred (AdminSession.deferred: what a later attempt may get past).
 */
export async function collectInventorySlice(
  options: InventoryOptions,
  state: WorkState,
  requestCap?: number,
): Promise<{ part: InventoryPart; state: WorkState; deferred: InventoryError[] }> {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw new RangeError(`pageSize must be 1..100, got ${pageSize}`);
  const session = sessionOptions(options, requestCap, "slice");
  const api = new AdminApi(session);
  const done = await executeWork(state, {
    api,
    pageSize,
    concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    attemptsPerUnit: session.retry.maxAttempts,
    adminKey: options.adminKey,
    ...(requestCap !== undefined ? { requestCap } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  return { ...done, deferred: api.authFailure ? [] : api.deferred };
}

/**
 * Lists every admin key, every project (archived included), every project key of
 * every project (owner_project_access=any) and, when there are admin keys to
 * attribute, the organization users — in one go.
 */
export async function collectInventory(options: InventoryOptions): Promise<InventoryResult> {
  const { part } = await collectInventorySlice(options, initialWorkState());
  return assembleInventory([part]);
}

/** Joins the parts read by one or more slices into one Inventory. */
export function assembleInventory(parts: readonly InventoryPart[]): InventoryResult {
  const users = parts.flatMap((p) => p.users);
  const usersById = new Map(users.map((user) => [user.id, user]));
  // A key is one record even if a page shift listed it twice; findings are keyed by its id.
  const keys = new Map<string, KeyRecord>();
  const conflicts: InventoryError[] = [];
  for (const part of parts) {
    for (const key of part.adminKeys) keys.set(`admin:${key.id}`, normalizeAdminKey(key, usersById));
  }
  for (const part of parts) {
    for (const key of part.projectKeys) {
      const seen = keys.get(`project:${key.id}`);
      if (seen && seen.project?.id !== key.project?.id) {
        conflicts.push({
          scope: { list: "project_api_keys", project_id: key.project?.id ?? "", project_name: key.project?.name ?? null },
          kind: "invalid_shape",
          message: `key ${key.id} is listed under projects ${seen.project?.id} and ${key.project?.id}; only the first is audited`,
        });
        continue;
      }
      keys.set(`project:${key.id}`, key);
    }
  }
  const fatal = parts.find((p) => p.fatal)?.fatal ?? unreachable(parts);
  return {
    keys: [...keys.values()],
    projects: parts.flatMap((p) => p.projects),
    users,
    // Every list failed for the same reason when the key was refused; one error says it.
    errors: fatal ? [fatal] : [...parts.flatMap((p) => p.errors), ...conflicts],
    requests: parts.reduce((n, p) => n + p.requests, 0),
    ...(fatal ? { fatal } : {}),
  };
}

/**
 * The Admin API never answered (closed port, DNS failure, timeouts): both lists a run starts with
 * failed to connect and nothing was read. That is no result at all, not an incomplete run with 0 findings.
 */
function unreachable(parts: readonly InventoryPart[]): InventoryError | undefined {
  const errors = parts.flatMap((p) => p.errors);
  const readSomething = parts.some((p) => p.adminKeys.length + p.projects.length + p.users.length + p.projectKeys.length > 0);
  if (readSomething || errors.length === 0 || !errors.every((e) => e.kind === "network")) return undefined;
  if (!errors.some((e) => e.scope.list === "admin_api_keys") || !errors.some((e) => e.scope.list === "projects")) return undefined;
  return { scope: { list: "admin_api_keys" }, kind: "network", message: `the Admin API could not be reached, not one request was answered (${errors[0]?.message})` };
}
