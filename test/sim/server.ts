/**
 * Local HTTP simulator of the OpenAI Admin API endpoints Keywarden uses
 * (node:http only). Serves a `SimOrg` verbatim, with the real API's list
 * semantics and quirks, plus fault injection and a request log.
 *
 * API routes (base `/v1`, Bearer auth with the configured admin key):
 *   GET    /v1/organization/admin_api_keys                    limit, after, order=asc|desc
 *   DELETE /v1/organization/admin_api_keys/{key_id}
 *   GET    /v1/organization/projects                          limit, after, include_archived=true|false
 *   GET    /v1/organization/projects/{project_id}/api_keys    limit, after, owner_project_access=active|inactive|any
 *   DELETE /v1/organization/projects/{project_id}/api_keys/{api_key_id}
 *   POST   /v1/organization/projects/{project_id}/service_accounts/{service_account_id}   body: { name?, role?: "member"|"owner" }
 *   DELETE /v1/organization/projects/{project_id}/service_accounts/{service_account_id}
 *   GET    /v1/organization/users                             limit, after
 * Any other method on these paths is a 405 with an `Allow` header naming the
 * simulated methods (the spec also has GET retrieve and POST create operations
 * that are not simulated).
 *
 * Mutations (shapes from shared/reference/openai-admin-openapi.yaml; the
 * spec declares no 404s, so those bodies are the simulator's own, in the
 * usual error envelope with code "not_found"):
 * - DELETE a project key → 200 ProjectApiKeyDeleteResponse and the key leaves
 *   every later listing; 400 when the key is owned by a service account (the
 *   spec: "an error if the key belonged to a service account"; such a key goes
 *   only with its service account); 404 for an unknown project, or a key that
 *   is not in that project. Keys of archived projects can be deleted (the spec
 *   declares no error for that).
 * - DELETE an admin key → 200 `{id, object: "organization.admin_api_key.deleted",
 *   deleted: true}`; 404 unknown. (It only removes the fixture: the key the
 *   simulator authenticates with is `adminKey`, which is not in the listing.)
 * - DELETE a service account → 200 ProjectServiceAccountDeleteResponse, and the
 *   simulator ALSO REMOVES ALL OF THAT ACCOUNT'S KEYS from the project's key
 *   listing. Whether the real API does that is UNVERIFIED (neither the spec nor
 *   the docs say; platform-notes §13): a client must confirm by listing again.
 *   400 when the project is archived (the spec: "an error if the project is
 *   archived (archived projects have no service accounts)"; it declares no
 *   status for it, 400 is the one its list/create operations declare for an
 *   archived project); 404 unknown project or account.
 * - POST a service account (UpdateProjectServiceAccountBody: optional `name`,
 *   optional `role` member|owner) → 200 ProjectServiceAccount; the new
 *   name/role shows in `owner.service_account` of that account's keys
 *   afterwards. 400 for a body that is not a JSON object, an unknown field or a
 *   bad value; 400 on an archived project (as for DELETE); 404 unknown.
 * A project's service accounts are DERIVED from the owners of its keys (the
 * SimOrg has no service-account list): an account without keys does not exist
 * here. The account object takes name/created_at/role from its first key.
 *
 * Control routes (no auth, not logged):
 *   POST   /__sim/faults    body: Fault (JSON; omit `times` for "unlimited")
 *   DELETE /__sim/faults
 *   GET    /__sim/requests  → { requests: RequestLogEntry[], maxConcurrent: number }
 *   DELETE /__sim/requests  (also resets maxConcurrent)
 *   GET    /__sim/org       → SimOrg (the current state, mutations included)
 *   PUT    /__sim/org       body: SimOrg (JSON)
 *
 * Order of processing for an API request (after reading its body): faults are
 * matched (and consumed) first — by method, path and `after` cursor — and a
 * `status` fault short-circuits before authentication, like an edge proxy or
 * rate limiter would, so a faulted mutation changes nothing; then auth (401),
 * routing (404/405), body and parameter validation (400), lookups (404 / 400)
 * and the list or mutation itself. Body faults (`malformed_json`, `lie_has_more`, `invalid_shape`)
 * transform the response that would otherwise have been sent (the last two
 * only alter 200 list pages), and a `latency` fault only delays the answer: in
 * both cases a mutation HAS happened (a client that times out on a DELETE then
 * finds the key gone, and a retry gets a 404).
 */
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  AdminApiKeyJson,
  DeletedJson,
  ErrorJson,
  ErrorResponseJson,
  ListResponseJson,
  ProjectApiKeyJson,
  ProjectJson,
  ProjectServiceAccountJson,
  SimOrg,
  UserJson,
} from "./org.js";

// ---------------------------------------------------------------------------
// Public types

export interface FaultMatch {
  /** HTTP method, case-insensitive, e.g. "DELETE"; absent = any method. */
  method?: string;
  /** Exact path without the `/v1` prefix, e.g. "/organization/projects/proj_ml/api_keys". */
  path?: string;
  /** Path prefix without the `/v1` prefix, e.g. "/organization/projects". */
  pathPrefix?: string;
  /** Only when the `after` cursor equals this; "" means the first page (no cursor). */
  after?: string;
}

export type FaultEffect =
  | { kind: "status"; status: number; /** seconds; sets the Retry-After header */ retryAfter?: number }
  | { kind: "malformed_json" }
  /** A 200 page with has_more: true and last_id removed (data as usual). */
  | { kind: "lie_has_more" }
  /** A 200 page where one item lacks a required field (created_at / added_at). */
  | { kind: "invalid_shape" }
  | { kind: "latency"; ms: number };

export interface Fault {
  match: FaultMatch;
  /** How many matching requests it affects; default Infinity. */
  times?: number;
  effect: FaultEffect;
}

export interface RequestLogEntry {
  method: string;
  /**
   * The URL path as received, WITH the `/v1` prefix, e.g. "/v1/organization/projects"
   * (unlike `FaultMatch.path`, which omits it).
   */
  path: string;
  /** Query parameters (for a repeated parameter, the last value). */
  query: Record<string, string>;
  status: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  /** The request body, when one was sent: parsed JSON if it parses, else the raw text. */
  body?: unknown;
}

export interface Simulator {
  /** Base URL ending in `/v1`, e.g. "http://127.0.0.1:8788/v1". */
  readonly url: string;
  /** Every API request in arrival order (including faulted and unauthorized ones). Live array. */
  readonly requests: RequestLogEntry[];
  /** Highest number of API requests in flight at once since start (or the last clearLog). */
  readonly maxConcurrent: number;
  /** Replace the organization (a deep copy is taken). */
  setOrg(org: SimOrg): void;
  /** A deep copy of the organization as it is now (after any mutations). */
  getOrg(): SimOrg;
  addFault(fault: Fault): void;
  clearFaults(): void;
  /** Empty `requests` (in place) and reset `maxConcurrent` to the number now in flight. */
  clearLog(): void;
  close(): Promise<void>;
}

export interface StartSimulatorOptions {
  org: SimOrg;
  adminKey: string;
  /** Added to every API response (simulated network). Default 0. */
  latencyMs?: number;
  /** Default 0 (an ephemeral port). */
  port?: number;
  /** Default "127.0.0.1". */
  host?: string;
}

// ---------------------------------------------------------------------------
// Errors

const API_KEYS_URL = "https://platform.openai.com/account/api-keys";

function errorBody(message: string, type: string, param: string | null = null, code: string | null = null): ErrorResponseJson {
  const error: ErrorJson = { message, type, param, code };
  return { error };
}

interface JsonResult {
  status: number;
  headers?: Record<string, string>;
  json: unknown;
}

function apiError(status: number, message: string, param: string | null = null, code: string | null = null): JsonResult {
  return { status, json: errorBody(message, "invalid_request_error", param, code) };
}

function faultStatusResult(status: number, retryAfter: number | undefined): JsonResult {
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  let body: ErrorResponseJson;
  if (status === 429) {
    body = errorBody("Rate limit reached for requests. Please try again later.", "requests", null, "rate_limit_exceeded");
  } else if (status >= 500) {
    body = errorBody("The server had an error while processing your request. Sorry about that!", "server_error");
  } else if (status === 401) {
    body = errorBody("Unauthorized.", "invalid_request_error", null, "invalid_api_key");
  } else if (status === 403) {
    body = errorBody("You have insufficient permissions for this operation.", "invalid_request_error", null, "insufficient_permissions");
  } else {
    body = errorBody(`Simulated error (HTTP ${status}).`, "invalid_request_error");
  }
  return { status, headers, json: body };
}

// ---------------------------------------------------------------------------
// Listing

type ListItem = { id: string };

interface ListParams {
  limit: number;
  after: string | undefined;
}

/** Validates `limit` (integer 1..100, default 20) and reads `after` ("" = absent). */
function listParams(query: Record<string, string>): ListParams | JsonResult {
  let limit = 20;
  const raw = query["limit"];
  if (raw !== undefined) {
    if (!/^-?\d+$/.test(raw.trim())) {
      return apiError(400, `Invalid type for 'limit': expected an integer, but got '${raw}' instead.`, "limit", "invalid_type");
    }
    limit = Number(raw.trim());
    if (limit < 1) {
      return apiError(400, `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`, "limit", "integer_below_min_value");
    }
    if (limit > 100) {
      return apiError(400, `Invalid 'limit': integer above maximum value. Expected a value <= 100, but got ${limit} instead.`, "limit", "integer_above_max_value");
    }
  }
  const after = query["after"];
  return { limit, after: after === undefined || after === "" ? undefined : after };
}

/**
 * One page of `all` (already sorted). The `after` cursor is located in the full
 * sorted list (so a cursor pointing at an item hidden by a filter still works);
 * an id that is not in the collection at all is a 400.
 */
function page<T extends ListItem>(all: T[], visible: (item: T) => boolean, params: ListParams): JsonResult {
  let start = 0;
  if (params.after !== undefined) {
    const idx = all.findIndex((item) => item.id === params.after);
    if (idx < 0) {
      return apiError(400, `Invalid 'after': no object with id '${params.after}' in this list.`, "after");
    }
    start = idx + 1;
  }
  const rest = all.slice(start).filter(visible);
  const data = rest.slice(0, params.limit);
  const body: ListResponseJson<T> = {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: rest.length > data.length,
  };
  return { status: 200, json: body };
}

function byTimeThenId<T extends ListItem>(time: (item: T) => number): (a: T, b: T) => number {
  return (a, b) => time(a) - time(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function listAdminKeys(org: SimOrg, query: Record<string, string>): JsonResult {
  const params = listParams(query);
  if ("status" in params) return params;
  const order = query["order"] ?? "asc";
  if (order !== "asc" && order !== "desc") {
    return apiError(400, `Invalid value for 'order': expected one of 'asc' or 'desc', but got '${order}' instead.`, "order", "invalid_value");
  }
  const sorted = [...org.adminKeys].sort(byTimeThenId<AdminApiKeyJson>((k) => k.created_at));
  if (order === "desc") sorted.reverse();
  return page(sorted, () => true, params);
}

function listProjects(org: SimOrg, query: Record<string, string>): JsonResult {
  const params = listParams(query);
  if ("status" in params) return params;
  const raw = query["include_archived"];
  if (raw !== undefined && raw !== "true" && raw !== "false") {
    return apiError(400, `Invalid value for 'include_archived': expected a boolean, but got '${raw}' instead.`, "include_archived", "invalid_value");
  }
  const includeArchived = raw === "true";
  const sorted = [...org.projects].sort(byTimeThenId<ProjectJson>((p) => p.created_at));
  return page(sorted, (p) => includeArchived || p.status !== "archived", params);
}

function listProjectKeys(org: SimOrg, projectId: string, query: Record<string, string>): JsonResult {
  if (!org.projects.some((p) => p.id === projectId)) {
    return apiError(404, `No project found with id '${projectId}'.`, null, "not_found");
  }
  const params = listParams(query);
  if ("status" in params) return params;
  const access = query["owner_project_access"];
  if (access !== undefined && access !== "active" && access !== "inactive" && access !== "any") {
    return apiError(
      400,
      `Invalid value for 'owner_project_access': expected one of 'active', 'inactive' or 'any', but got '${access}' instead.`,
      "owner_project_access",
      "invalid_value",
    );
  }
  // The quirk: when owner_project_access is omitted, keys whose owner lost
  // access to the project are silently left out.
  const visible = (k: ProjectApiKeyJson): boolean =>
    access === "any" ? true : access === undefined ? k.owner_project_access !== "inactive" : k.owner_project_access === access;
  const sorted = [...(org.projectKeys[projectId] ?? [])].sort(byTimeThenId<ProjectApiKeyJson>((k) => k.created_at));
  return page(sorted, visible, params);
}

function listUsers(org: SimOrg, query: Record<string, string>): JsonResult {
  const params = listParams(query);
  if ("status" in params) return params;
  const sorted = [...org.users].sort(byTimeThenId<UserJson>((u) => u.added_at));
  return page(sorted, () => true, params);
}

// ---------------------------------------------------------------------------
// Mutations

function notFound(message: string): JsonResult {
  return apiError(404, message, null, "not_found");
}

function findProject(org: SimOrg, projectId: string): ProjectJson | undefined {
  return org.projects.find((p) => p.id === projectId);
}

function deleteAdminKey(org: SimOrg, keyId: string): JsonResult {
  const idx = org.adminKeys.findIndex((k) => k.id === keyId);
  if (idx < 0) return notFound(`No admin API key found with id '${keyId}'.`);
  org.adminKeys.splice(idx, 1);
  // Field order as in the spec's example for this operation.
  const body: DeletedJson<"organization.admin_api_key.deleted"> = { id: keyId, object: "organization.admin_api_key.deleted", deleted: true };
  return { status: 200, json: body };
}

function deleteProjectKey(org: SimOrg, projectId: string, keyId: string): JsonResult {
  if (findProject(org, projectId) === undefined) return notFound(`No project found with id '${projectId}'.`);
  const keys = org.projectKeys[projectId] ?? [];
  const idx = keys.findIndex((k) => k.id === keyId);
  const key = keys[idx];
  if (key === undefined) return notFound(`No API key found with id '${keyId}' in project '${projectId}'.`);
  if (key.owner.type === "service_account") {
    return apiError(
      400,
      `API key '${keyId}' belongs to service account '${key.owner.service_account.id}' and cannot be deleted; delete the service account instead.`,
    );
  }
  keys.splice(idx, 1);
  const body: DeletedJson<"organization.project.api_key.deleted"> = { object: "organization.project.api_key.deleted", id: keyId, deleted: true };
  return { status: 200, json: body };
}

/** The keys of `projectId` owned by service account `serviceAccountId` (possibly none). */
function serviceAccountKeys(org: SimOrg, projectId: string, serviceAccountId: string): ProjectApiKeyJson[] {
  return (org.projectKeys[projectId] ?? []).filter((k) => k.owner.type === "service_account" && k.owner.service_account.id === serviceAccountId);
}

/** Project (404) → archived (400) → service account (404); the account's keys when all is well. */
function lookupServiceAccount(org: SimOrg, projectId: string, serviceAccountId: string): ProjectApiKeyJson[] | JsonResult {
  const project = findProject(org, projectId);
  if (project === undefined) return notFound(`No project found with id '${projectId}'.`);
  if (project.status === "archived") {
    return apiError(400, `Project '${projectId}' is archived: archived projects have no service accounts.`);
  }
  const keys = serviceAccountKeys(org, projectId, serviceAccountId);
  if (keys.length === 0) return notFound(`No service account found with id '${serviceAccountId}' in project '${projectId}'.`);
  return keys;
}

function deleteServiceAccount(org: SimOrg, projectId: string, serviceAccountId: string): JsonResult {
  const found = lookupServiceAccount(org, projectId, serviceAccountId);
  if (!Array.isArray(found)) return found;
  // UNVERIFIED: the real API may keep the keys' records; the simulator removes them.
  const gone = new Set(found);
  org.projectKeys[projectId] = (org.projectKeys[projectId] ?? []).filter((k) => !gone.has(k));
  const body: DeletedJson<"organization.project.service_account.deleted"> = {
    object: "organization.project.service_account.deleted",
    id: serviceAccountId,
    deleted: true,
  };
  return { status: 200, json: body };
}

const PARSE_ERROR =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
  "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

/** UpdateProjectServiceAccountBody: `{ name?: string, role?: "member" | "owner" }`, nothing else. */
function parseServiceAccountUpdate(text: string): { name?: string; role?: string } | JsonResult {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return apiError(400, PARSE_ERROR);
  }
  if (!isRecord(input)) return apiError(400, `Invalid type for the request body: expected an object, but got ${describeJson(input)} instead.`, null, "invalid_type");
  const update: { name?: string; role?: string } = {};
  for (const [field, value] of Object.entries(input)) {
    if (field === "name") {
      if (typeof value !== "string") {
        return apiError(400, `Invalid type for 'name': expected a string, but got ${describeJson(value)} instead.`, "name", "invalid_type");
      }
      update.name = value;
    } else if (field === "role") {
      if (typeof value !== "string") {
        return apiError(400, `Invalid type for 'role': expected a string, but got ${describeJson(value)} instead.`, "role", "invalid_type");
      }
      if (value !== "member" && value !== "owner") {
        return apiError(400, `Invalid value for 'role': expected one of 'member' or 'owner', but got '${value}' instead.`, "role", "invalid_value");
      }
      update.role = value;
    } else {
      return apiError(400, `Unrecognized request argument supplied: ${field}`, field);
    }
  }
  return update;
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function updateServiceAccount(org: SimOrg, projectId: string, serviceAccountId: string, bodyText: string): JsonResult {
  const update = parseServiceAccountUpdate(bodyText);
  if ("status" in update) return update;
  const found = lookupServiceAccount(org, projectId, serviceAccountId);
  if (!Array.isArray(found)) return found;
  for (const key of found) {
    if (key.owner.type !== "service_account") continue;
    if (update.name !== undefined) key.owner.service_account.name = update.name;
    if (update.role !== undefined) key.owner.service_account.role = update.role;
  }
  const first = found[0];
  if (first === undefined || first.owner.type !== "service_account") return notFound(`No service account found with id '${serviceAccountId}'.`);
  const sa = first.owner.service_account;
  const body: ProjectServiceAccountJson = {
    object: "organization.project.service_account",
    id: sa.id,
    name: sa.name,
    role: sa.role,
    created_at: sa.created_at,
  };
  return { status: 200, json: body };
}

// ---------------------------------------------------------------------------
// Request handling

const PROJECT_KEYS_RE = /^\/organization\/projects\/([^/]+)\/api_keys$/;
const ADMIN_KEY_RE = /^\/organization\/admin_api_keys\/([^/]+)$/;
const PROJECT_KEY_RE = /^\/organization\/projects\/([^/]+)\/api_keys\/([^/]+)$/;
const SERVICE_ACCOUNT_RE = /^\/organization\/projects\/([^/]+)\/service_accounts\/([^/]+)$/;

function decodeSegment(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? "");
  } catch {
    return raw ?? ""; // keep it raw; it will simply not be found
  }
}

interface RouteRequest {
  org: SimOrg;
  method: string;
  query: Record<string, string>;
  body: string;
}

/** The simulated methods of a path and what each does. */
type Handlers = Partial<Record<string, (r: RouteRequest) => JsonResult>>;

function handlersFor(path: string): Handlers | null {
  if (path === "/organization/admin_api_keys") return { GET: (r) => listAdminKeys(r.org, r.query) };
  if (path === "/organization/projects") return { GET: (r) => listProjects(r.org, r.query) };
  if (path === "/organization/users") return { GET: (r) => listUsers(r.org, r.query) };
  let m = PROJECT_KEYS_RE.exec(path);
  if (m !== null) {
    const projectId = decodeSegment(m[1]);
    return { GET: (r) => listProjectKeys(r.org, projectId, r.query) };
  }
  m = ADMIN_KEY_RE.exec(path);
  if (m !== null) {
    const keyId = decodeSegment(m[1]);
    return { DELETE: (r) => deleteAdminKey(r.org, keyId) };
  }
  m = PROJECT_KEY_RE.exec(path);
  if (m !== null) {
    const projectId = decodeSegment(m[1]);
    const keyId = decodeSegment(m[2]);
    return { DELETE: (r) => deleteProjectKey(r.org, projectId, keyId) };
  }
  m = SERVICE_ACCOUNT_RE.exec(path);
  if (m !== null) {
    const projectId = decodeSegment(m[1]);
    const serviceAccountId = decodeSegment(m[2]);
    return {
      POST: (r) => updateServiceAccount(r.org, projectId, serviceAccountId, r.body),
      DELETE: (r) => deleteServiceAccount(r.org, projectId, serviceAccountId),
    };
  }
  return null;
}

function route(org: SimOrg, method: string, fullPath: string, path: string, query: Record<string, string>, body: string): JsonResult {
  const underV1 = fullPath === "/v1" || fullPath.startsWith("/v1/");
  const handlers = underV1 ? handlersFor(path) : null;
  if (handlers === null) {
    return apiError(404, `Invalid URL (${method} ${fullPath})`);
  }
  const handler = handlers[method];
  if (handler === undefined) {
    const allow = Object.keys(handlers).join(", ");
    return { ...apiError(405, `Method ${method} is not allowed on ${fullPath} in the Keywarden simulator (simulated: ${allow}).`), headers: { allow } };
  }
  return handler({ org, method, query, body });
}

function authenticate(header: string | undefined, adminKey: string): JsonResult | null {
  const m = header === undefined ? null : /^Bearer[ \t]+(.*)$/i.exec(header.trim());
  if (m === null) {
    return {
      status: 401,
      json: errorBody(
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), " +
          `or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from ${API_KEYS_URL}.`,
        "invalid_request_error",
        null,
        null,
      ),
    };
  }
  const presented = (m[1] ?? "").trim();
  if (presented === adminKey) return null;
  // Deliberately echoes the FULL presented key (the real API masks most of
  // it) so that a client that logs or surfaces error bodies verbatim is caught.
  return {
    status: 401,
    json: errorBody(
      `Incorrect API key provided: ${presented}. You can find your API key at ${API_KEYS_URL}.`,
      "invalid_request_error",
      null,
      "invalid_api_key",
    ),
  };
}

/** Applies lie_has_more / invalid_shape to a 200 list page; anything else passes through. */
function transformPage(result: JsonResult, kind: "lie_has_more" | "invalid_shape"): JsonResult {
  const body = result.json;
  if (result.status !== 200 || typeof body !== "object" || body === null || !Array.isArray((body as { data?: unknown }).data)) {
    return result;
  }
  const copy = structuredClone(body) as Record<string, unknown> & { data: Record<string, unknown>[] };
  if (kind === "lie_has_more") {
    copy["has_more"] = true;
    delete copy["last_id"];
  } else {
    const first = copy.data[0];
    if (first !== undefined) {
      // Users carry added_at instead of created_at.
      if ("created_at" in first) delete first["created_at"];
      else delete first["added_at"];
    } else {
      delete copy["has_more"]; // an empty page: break the envelope instead
    }
  }
  return { ...result, json: copy };
}

// ---------------------------------------------------------------------------
// Fault validation (shared by addFault and POST /__sim/faults)

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

export function parseFault(input: unknown): Fault {
  if (!isRecord(input)) throw new TypeError("fault must be an object");
  const match = input["match"] ?? {};
  if (!isRecord(match)) throw new TypeError("fault.match must be an object");
  for (const k of ["method", "path", "pathPrefix", "after"] as const) {
    if (match[k] !== undefined && typeof match[k] !== "string") throw new TypeError(`fault.match.${k} must be a string`);
  }
  const times = input["times"];
  if (times !== undefined && times !== null && (typeof times !== "number" || Number.isNaN(times) || times < 0)) {
    throw new TypeError("fault.times must be a non-negative number");
  }
  const effect = input["effect"];
  if (!isRecord(effect)) throw new TypeError("fault.effect must be an object");
  let parsedEffect: FaultEffect;
  switch (effect["kind"]) {
    case "status": {
      const status = effect["status"];
      if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) {
        throw new TypeError("fault.effect.status must be an HTTP status code");
      }
      const retryAfter = effect["retryAfter"];
      if (retryAfter !== undefined && (typeof retryAfter !== "number" || retryAfter < 0)) {
        throw new TypeError("fault.effect.retryAfter must be a non-negative number of seconds");
      }
      parsedEffect = retryAfter === undefined ? { kind: "status", status } : { kind: "status", status, retryAfter };
      break;
    }
    case "latency": {
      const ms = effect["ms"];
      if (typeof ms !== "number" || !(ms >= 0)) throw new TypeError("fault.effect.ms must be a non-negative number");
      parsedEffect = { kind: "latency", ms };
      break;
    }
    case "malformed_json":
    case "lie_has_more":
    case "invalid_shape":
      parsedEffect = { kind: effect["kind"] };
      break;
    default:
      throw new TypeError(`unknown fault.effect.kind: ${String(effect["kind"])}`);
  }
  const parsedMatch: FaultMatch = {};
  if (typeof match["method"] === "string") parsedMatch.method = match["method"].toUpperCase();
  if (typeof match["path"] === "string") parsedMatch.path = match["path"];
  if (typeof match["pathPrefix"] === "string") parsedMatch.pathPrefix = match["pathPrefix"];
  if (typeof match["after"] === "string") parsedMatch.after = match["after"];
  const fault: Fault = { match: parsedMatch, effect: parsedEffect };
  if (typeof times === "number") fault.times = times;
  return fault;
}

function parseOrg(input: unknown): SimOrg {
  if (!isRecord(input)) throw new TypeError("org must be an object");
  for (const k of ["adminKeys", "projects", "users"] as const) {
    if (!Array.isArray(input[k])) throw new TypeError(`org.${k} must be an array`);
  }
  const pk = input["projectKeys"];
  if (!isRecord(pk) || !Object.values(pk).every(Array.isArray)) {
    throw new TypeError("org.projectKeys must be an object of arrays");
  }
  return structuredClone(input) as unknown as SimOrg;
}

// ---------------------------------------------------------------------------
// Server

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

const MAX_CONTROL_BODY = 64 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_CONTROL_BODY) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

export async function startSimulator(opts: StartSimulatorOptions): Promise<Simulator> {
  let org = parseOrg(opts.org);
  const adminKey = opts.adminKey;
  const baseLatency = opts.latencyMs ?? 0;
  const host = opts.host ?? "127.0.0.1";
  const faults: ActiveFault[] = [];
  const requests: RequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxConcurrent = 0;
  let requestCounter = 0;

  const addFault = (f: Fault): void => {
    const fault = parseFault(f);
    faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  };

  /** Matches and consumes faults: all matching latency faults add up; the first other matching fault is the effect. */
  const takeFaults = (method: string, path: string, after: string): { latencyMs: number; effect: Exclude<FaultEffect, { kind: "latency" }> | null } => {
    let latencyMs = 0;
    let effect: Exclude<FaultEffect, { kind: "latency" }> | null = null;
    for (const active of faults) {
      if (active.remaining <= 0) continue;
      const { match } = active.fault;
      if (match.method !== undefined && match.method !== method) continue;
      if (match.path !== undefined && match.path !== path) continue;
      if (match.pathPrefix !== undefined && !path.startsWith(match.pathPrefix)) continue;
      if (match.after !== undefined && match.after !== after) continue;
      const e = active.fault.effect;
      if (e.kind === "latency") {
        latencyMs += e.ms;
        active.remaining--;
      } else if (effect === null) {
        effect = e;
        active.remaining--;
      }
    }
    return { latencyMs, effect };
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const at = Date.now();
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    res.once("close", () => {
      inFlight--;
    });

    const method = (req.method ?? "GET").toUpperCase();
    let bodyText = "";
    if (method === "GET" || method === "HEAD") {
      req.resume(); // discard any body
    } else {
      try {
        bodyText = await readBody(req);
      } catch {
        return; // too large or aborted: the connection is gone
      }
    }
    const fullPath = url.pathname;
    const path = fullPath === "/v1" ? "/" : fullPath.startsWith("/v1/") ? fullPath.slice(3) : fullPath;
    const query: Record<string, string> = Object.fromEntries(url.searchParams);

    const { latencyMs, effect } = takeFaults(method, path, query["after"] ?? "");
    let result: JsonResult;
    if (effect?.kind === "status") {
      result = faultStatusResult(effect.status, effect.retryAfter);
    } else {
      const authHeader = req.headers.authorization;
      result = authenticate(authHeader, adminKey) ?? route(org, method, fullPath, path, query, bodyText);
      if (effect?.kind === "lie_has_more" || effect?.kind === "invalid_shape") result = transformPage(result, effect.kind);
    }
    let body = JSON.stringify(result.json);
    if (effect?.kind === "malformed_json") {
      // A strict prefix of a JSON object is never valid JSON.
      body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    }
    const entry: RequestLogEntry = { method, path: fullPath, query, status: result.status, at };
    if (bodyText !== "") {
      try {
        entry.body = JSON.parse(bodyText) as unknown;
      } catch {
        entry.body = bodyText;
      }
    }
    requests.push(entry);

    const headers = { "x-request-id": `req_sim_${++requestCounter}`, ...result.headers };
    const delay = baseLatency + latencyMs;
    if (delay > 0) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(res, result.status, body, headers);
      }, delay);
      timers.add(timer);
    } else {
      send(res, result.status, body, headers);
    }
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const ok = (json: unknown, status = 200): void => send(res, status, JSON.stringify(json));
    const bad = (status: number, message: string): void => send(res, status, JSON.stringify(errorBody(message, "invalid_request_error")));
    const parseJsonBody = async (): Promise<unknown> => JSON.parse(await readBody(req)) as unknown;
    try {
      switch (`${method} ${url.pathname}`) {
        case "POST /__sim/faults": {
          const fault = parseFault(await parseJsonBody());
          addFault(fault);
          return ok({ ok: true, faults: faults.length }, 201);
        }
        case "DELETE /__sim/faults":
          faults.length = 0;
          return ok({ ok: true });
        case "GET /__sim/requests":
          return ok({ requests, maxConcurrent });
        case "DELETE /__sim/requests":
          clearLog();
          return ok({ ok: true });
        case "GET /__sim/org":
          return ok(org);
        case "PUT /__sim/org":
          org = parseOrg(await parseJsonBody());
          return ok({ ok: true });
        default:
          req.resume();
          return bad(404, `Invalid URL (${method} ${url.pathname})`);
      }
    } catch (err) {
      return bad(400, err instanceof Error ? err.message : String(err));
    }
  };

  const clearLog = (): void => {
    requests.length = 0;
    maxConcurrent = inFlight;
  };

  const server = http.createServer((req, res) => {
    const rawUrl = req.url ?? "/";
    let url: URL;
    try {
      url = new URL(rawUrl.startsWith("/") ? `http://simulator.invalid${rawUrl}` : rawUrl, "http://simulator.invalid");
    } catch {
      url = new URL("http://simulator.invalid/");
    }
    if (url.pathname === "/__sim" || url.pathname.startsWith("/__sim/")) {
      void handleControl(req, res, url);
    } else {
      void handleApi(req, res, url);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = host.includes(":") ? `[${host}]` : host;
  const baseUrl = `http://${urlHost}:${address.port}/v1`;

  let closed: Promise<void> | null = null;
  return {
    url: baseUrl,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    setOrg(next: SimOrg) {
      org = parseOrg(next);
    },
    getOrg() {
      return structuredClone(org);
    },
    addFault,
    clearFaults() {
      faults.length = 0;
    },
    clearLog,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
