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
 *   GET    /v1/organization/projects/{project_id}/api_keys/{api_key_id}
 *   DELETE /v1/organization/projects/{project_id}/api_keys/{api_key_id}
 *   GET    /v1/organization/projects/{project_id}/service_accounts/{service_account_id}
 *   POST   /v1/organization/projects/{project_id}/service_accounts/{service_account_id}   body: { name?, role?: "member"|"owner" }
 *   DELETE /v1/organization/projects/{project_id}/service_accounts/{service_account_id}
 *   GET    /v1/organization/users                             limit, after
 *   GET    /v1/organization/audit_logs                        effective_at[gt|gte|lt|lte], event_types[], project_ids[],
 *                                                             actor_ids[], actor_emails[], resource_ids[], tenant_only,
 *                                                             limit (1..100, default 20), after | before
 *   GET    /v1/organization/usage/completions                 start_time (required), end_time, bucket_width=1m|1h|1d,
 *                                                             project_ids, user_ids, api_key_ids, models, batch, group_by,
 *                                                             limit (1d: 7/≤31, 1h: 24/≤168, 1m: 60/≤1440), page
 *   GET    /v1/organization/costs                             start_time (required), end_time, bucket_width=1d,
 *                                                             project_ids, api_key_ids, group_by, limit (1..180, default 7), page
 * Array parameters are accepted with or without `[]` (the spec spells
 * `event_types[]` but `group_by`), repeated.
 *
 * Audit logs, usage and costs (ListAuditLogsResponse / UsageResponse with
 * UsageCompletionsResult or CostsResult; the spec declares only 200 and 429
 * for them):
 * - audit logs come from `SimOrg.auditLogs`, newest first; with
 *   `auditLoggingEnabled: false` the endpoint answers 403 (the spec declares
 *   no status for it; the notes only say "an error"), ErrorResponse envelope,
 *   code null, AFTER authentication: a feature switched off in the
 *   organization is a refusal of an authenticated caller, not a bad request
 *   (400) nor a missing route (404). UNVERIFIED against the real API.
 * - usage and costs aggregate `SimOrg.usage` records into UTC-aligned buckets
 *   (every bucket of [start_time, end_time), empty ones with `results: []`;
 *   end_time defaults to now), `limit` buckets a page, `next_page` an opaque
 *   cursor for `page`, null on the last page with has_more false.
 * - 429 with Retry-After: a `status` fault with `retryAfter` (FaultMatch.page
 *   targets one usage/costs page as `after` does for lists).
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
  AuditLogJson,
  CostsResultJson,
  DeletedJson,
  ErrorJson,
  ErrorResponseJson,
  ListAuditLogsResponseJson,
  ListResponseJson,
  ProjectApiKeyJson,
  ProjectJson,
  ProjectServiceAccountJson,
  SimOrg,
  SimUsageRecord,
  UsageCompletionsResultJson,
  UsageResponseJson,
  UsageTimeBucketJson,
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
  /** Only when the `page` cursor (usage / costs) equals this; "" means the first page (no cursor). */
  page?: string;
}

export type FaultEffect =
  | { kind: "status"; status: number; /** seconds; sets the Retry-After header */ retryAfter?: number }
  | { kind: "malformed_json" }
  /** A 200 page with has_more: true and last_id removed (usage/costs: next_page null); data as usual. */
  | { kind: "lie_has_more" }
  /** A 200 page where one item lacks a required field (created_at / added_at / effective_at / a bucket's start_time). */
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
// Audit logs, usage and costs

/**
 * The values of an array query parameter. The spec names some with brackets
 * (`event_types[]`) and some without (`group_by`, `api_key_ids`); both
 * spellings are accepted for every array parameter, repeated or not
 * (`group_by[]=a&group_by[]=b`, `group_by=a&group_by=b`), and combined.
 */
function arrayParam(params: URLSearchParams, name: string): string[] {
  return [...params.getAll(name), ...params.getAll(`${name}[]`)];
}

/** An integer query parameter (absent → undefined); a non-integer is a 400 naming `param`. */
function intParam(params: URLSearchParams, name: string): number | undefined | JsonResult {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) {
    return apiError(400, `Invalid type for '${name}': expected an integer, but got '${raw}' instead.`, name, "invalid_type");
  }
  return Number(raw.trim());
}

function boolParam(params: URLSearchParams, name: string): boolean | undefined | JsonResult {
  const raw = params.get(name);
  if (raw === null) return undefined;
  if (raw !== "true" && raw !== "false") {
    return apiError(400, `Invalid value for '${name}': expected a boolean, but got '${raw}' instead.`, name, "invalid_value");
  }
  return raw === "true";
}

function isResult(x: unknown): x is JsonResult {
  return typeof x === "object" && x !== null && "status" in x && "json" in x;
}

/** The spec declares no error for it (only 200 and 429): the simulator's choice, see AUDIT_LOGGING_DISABLED_STATUS. */
export const AUDIT_LOGGING_DISABLED_STATUS = 403;
export const AUDIT_LOGGING_DISABLED_MESSAGE =
  "Audit logging is not enabled for this organization. An organization owner can enable it in the organization settings (Data controls).";

/** Every id an actor is known by (actor_ids[]: "a user ID, a service account ID, or an api key tracking ID"). */
function actorIds(event: AuditLogJson): string[] {
  const a = event.actor;
  if (a === null) return [];
  if (a.type === "session") return [a.session.user.id];
  const k = a.api_key;
  return k.type === "user" ? [k.id, k.user.id] : [k.id, k.service_account.id];
}

function actorEmail(event: AuditLogJson): string | undefined {
  const a = event.actor;
  if (a === null) return undefined;
  if (a.type === "session") return a.session.user.email;
  return a.api_key.type === "user" ? a.api_key.user.email : undefined;
}

/** The target of an event: the `id` of its details object (e.g. `api_key.created.id`). */
function resourceId(event: AuditLogJson): string | undefined {
  const details = event[event.type];
  if (isRecord(details) && typeof details["id"] === "string") return details["id"];
  return undefined;
}

/**
 * GET /organization/audit_logs (ListAuditLogsResponse). Newest first (as in the
 * spec's example: effective_at descending), ties by id descending. `after` =
 * the id of the last event of a page → the older events that follow it;
 * `before` = the id of the first event of a page → the `limit` newer events
 * right before it (still newest first), has_more saying whether even newer
 * ones remain. Cursors are located in the unfiltered list (like the other
 * lists); an unknown id, or both cursors at once, is a 400.
 */
function listAuditLogs(org: SimOrg, query: Record<string, string>, params: URLSearchParams): JsonResult {
  if (org.auditLoggingEnabled === false) {
    return { status: AUDIT_LOGGING_DISABLED_STATUS, json: errorBody(AUDIT_LOGGING_DISABLED_MESSAGE, "invalid_request_error", null, null) };
  }
  const lp = listParams(query);
  if ("status" in lp) return lp;
  const beforeRaw = query["before"];
  const before = beforeRaw === undefined || beforeRaw === "" ? undefined : beforeRaw;
  if (before !== undefined && lp.after !== undefined) {
    return apiError(400, "Only one of 'after' and 'before' may be given.", "before");
  }
  const bounds: Partial<Record<"gt" | "gte" | "lt" | "lte", number>> = {};
  for (const op of ["gt", "gte", "lt", "lte"] as const) {
    const v = intParam(params, `effective_at[${op}]`);
    if (isResult(v)) return v;
    if (v !== undefined) bounds[op] = v;
  }
  const tenantOnly = boolParam(params, "tenant_only");
  if (isResult(tenantOnly)) return tenantOnly;
  const eventTypes = arrayParam(params, "event_types");
  const projectIds = arrayParam(params, "project_ids");
  const actorIdList = arrayParam(params, "actor_ids");
  const actorEmails = arrayParam(params, "actor_emails").map((e) => e.toLowerCase());
  const resourceIds = arrayParam(params, "resource_ids");

  const visible = (e: AuditLogJson): boolean =>
    tenantOnly !== true && // no tenant-scoped events are simulated
    (bounds.gt === undefined || e.effective_at > bounds.gt) &&
    (bounds.gte === undefined || e.effective_at >= bounds.gte) &&
    (bounds.lt === undefined || e.effective_at < bounds.lt) &&
    (bounds.lte === undefined || e.effective_at <= bounds.lte) &&
    (eventTypes.length === 0 || eventTypes.includes(e.type)) &&
    (projectIds.length === 0 || (e.project !== undefined && projectIds.includes(e.project.id))) &&
    (actorIdList.length === 0 || actorIds(e).some((id) => actorIdList.includes(id))) &&
    (actorEmails.length === 0 || actorEmails.includes((actorEmail(e) ?? "").toLowerCase())) &&
    (resourceIds.length === 0 || resourceIds.includes(resourceId(e) ?? ""));

  const sorted = [...(org.auditLogs ?? [])].sort((a, b) => b.effective_at - a.effective_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  let data: AuditLogJson[];
  let hasMore: boolean;
  const cursor = before ?? lp.after;
  const idx = cursor === undefined ? -1 : sorted.findIndex((e) => e.id === cursor);
  if (cursor !== undefined && idx < 0) {
    const param = before !== undefined ? "before" : "after";
    return apiError(400, `Invalid '${param}': no audit log with id '${cursor}'.`, param);
  }
  if (before !== undefined) {
    const newer = sorted.slice(0, idx).filter(visible);
    data = newer.slice(Math.max(0, newer.length - lp.limit));
    hasMore = newer.length > data.length;
  } else {
    const rest = sorted.slice(idx + 1).filter(visible);
    data = rest.slice(0, lp.limit);
    hasMore = rest.length > data.length;
  }
  const body: ListAuditLogsResponseJson = {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: hasMore,
  };
  return { status: 200, json: body };
}

const BUCKET_SECONDS: Record<string, number> = { "1m": 60, "1h": 3600, "1d": 86_400 };

interface BucketRange {
  /** Query range [start, end): only records in it count. */
  start: number;
  end: number;
  width: number;
  /** Start of the first bucket of this page. */
  pageStart: number;
  limit: number;
}

function encodePage(bucketStart: number): string {
  return `page_${Buffer.from(`sim:${bucketStart}`).toString("base64url")}`;
}

function decodePage(cursor: string): number | undefined {
  if (!cursor.startsWith("page_")) return undefined;
  const m = /^sim:(\d+)$/.exec(Buffer.from(cursor.slice(5), "base64url").toString("utf8"));
  return m === null ? undefined : Number(m[1]);
}

/**
 * start_time (required, inclusive), end_time (exclusive; default now),
 * bucket_width, limit and page, shared by usage and costs. Buckets are aligned
 * to multiples of their width in UTC (so a `1d` bucket is a UTC day, as in the
 * spec's examples) and every bucket of the range is returned, empty ones with
 * `results: []`. `page` is an opaque cursor (the `next_page` of the previous
 * answer) that names the first bucket of the next page.
 */
function bucketRange(
  params: URLSearchParams,
  widths: readonly string[],
  limits: (width: string) => { def: number; max: number },
): BucketRange | JsonResult {
  const start = intParam(params, "start_time");
  if (isResult(start)) return start;
  if (start === undefined) return apiError(400, "Missing required parameter: 'start_time'.", "start_time", "missing_required_parameter");
  const endParam = intParam(params, "end_time");
  if (isResult(endParam)) return endParam;
  const end = endParam ?? Math.ceil(Date.now() / 1000);
  if (end <= start) {
    return apiError(400, `Invalid 'end_time': it must be after 'start_time' (${start}), but got ${end}.`, "end_time", "invalid_value");
  }
  const widthName = params.get("bucket_width") ?? "1d";
  if (!widths.includes(widthName)) {
    const expected = widths.map((w) => `'${w}'`).join(", ");
    return apiError(400, `Invalid value for 'bucket_width': expected one of ${expected}, but got '${widthName}' instead.`, "bucket_width", "invalid_value");
  }
  const width = BUCKET_SECONDS[widthName] ?? 86_400;
  const { def, max } = limits(widthName);
  const limitParam = intParam(params, "limit");
  if (isResult(limitParam)) return limitParam;
  const limit = limitParam ?? def;
  if (limit < 1) {
    return apiError(400, `Invalid 'limit': integer below minimum value. Expected a value >= 1, but got ${limit} instead.`, "limit", "integer_below_min_value");
  }
  if (limit > max) {
    return apiError(400, `Invalid 'limit': integer above maximum value. Expected a value <= ${max}, but got ${limit} instead.`, "limit", "integer_above_max_value");
  }
  const first = Math.floor(start / width) * width;
  let pageStart = first;
  const cursor = params.get("page");
  if (cursor !== null && cursor !== "") {
    const decoded = decodePage(cursor);
    if (decoded === undefined || decoded < first || decoded >= end || (decoded - first) % width !== 0) {
      return apiError(400, `Invalid 'page': '${cursor}' is not a page of this query.`, "page", "invalid_value");
    }
    pageStart = decoded;
  }
  return { start, end, width, pageStart, limit };
}

/** The buckets of one page, each with the records that fall into it, and the paging fields. */
function bucketPage<R>(
  range: BucketRange,
  records: SimUsageRecord[],
  aggregate: (inBucket: SimUsageRecord[]) => R[],
): UsageResponseJson<R> {
  const data: UsageTimeBucketJson<R>[] = [];
  let bs = range.pageStart;
  for (; bs < range.end && data.length < range.limit; bs += range.width) {
    const be = bs + range.width;
    const inBucket = records.filter((r) => r.at >= bs && r.at < be && r.at >= range.start && r.at < range.end);
    data.push({ object: "bucket", start_time: bs, end_time: be, results: aggregate(inBucket) });
  }
  const hasMore = bs < range.end;
  return { object: "page", data, has_more: hasMore, next_page: hasMore ? encodePage(bs) : null };
}

/** Validates group_by against `allowed`; returns the distinct fields in the order given. */
function groupByParam(params: URLSearchParams, allowed: readonly string[]): string[] | JsonResult {
  const fields = arrayParam(params, "group_by");
  for (const f of fields) {
    if (!allowed.includes(f)) {
      const expected = allowed.map((a) => `'${a}'`).join(", ");
      return apiError(400, `Invalid value for 'group_by': expected any of ${expected}, but got '${f}' instead.`, "group_by", "invalid_value");
    }
  }
  return [...new Set(fields)];
}

/** Groups records by the values of `keyOf`, in sorted key order. */
function groupRecords<T>(items: T[], keyOf: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [item]);
    else g.push(item);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

const USAGE_GROUP_BY = ["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"] as const;
const COSTS_GROUP_BY = ["project_id", "line_item", "api_key_id"] as const;
const USAGE_LIMITS: Record<string, { def: number; max: number }> = {
  "1d": { def: 7, max: 31 },
  "1h": { def: 24, max: 168 },
  "1m": { def: 60, max: 1440 },
};

/** The dimension values of a record, as the result fields name them. */
function dims(r: SimUsageRecord): Record<(typeof USAGE_GROUP_BY)[number], string | boolean | null> {
  return {
    project_id: r.project_id,
    user_id: r.user_id,
    api_key_id: r.api_key_id,
    model: r.model,
    batch: r.batch ?? false,
    service_tier: r.service_tier ?? "default",
  };
}

/**
 * GET /organization/usage/completions (UsageResponse of UsageCompletionsResult).
 * Filters project_ids, user_ids, api_key_ids, models, batch; group_by ⊆
 * USAGE_GROUP_BY (a field not grouped by is null in the results). A bucket
 * without usage has `results: []`; with usage and no group_by, one result.
 */
function usageCompletions(org: SimOrg, params: URLSearchParams): JsonResult {
  const range = bucketRange(params, ["1m", "1h", "1d"], (w) => USAGE_LIMITS[w] ?? { def: 7, max: 31 });
  if (isResult(range)) return range;
  const groupBy = groupByParam(params, USAGE_GROUP_BY);
  if (isResult(groupBy)) return groupBy;
  const batch = boolParam(params, "batch");
  if (isResult(batch)) return batch;
  const projectIds = arrayParam(params, "project_ids");
  const userIds = arrayParam(params, "user_ids");
  const keyIds = arrayParam(params, "api_key_ids");
  const models = arrayParam(params, "models");
  const records = (org.usage ?? []).filter(
    (r) =>
      (projectIds.length === 0 || projectIds.includes(r.project_id)) &&
      (userIds.length === 0 || (r.user_id !== null && userIds.includes(r.user_id))) &&
      (keyIds.length === 0 || keyIds.includes(r.api_key_id)) &&
      (models.length === 0 || models.includes(r.model)) &&
      (batch === undefined || (r.batch ?? false) === batch),
  );
  const aggregate = (inBucket: SimUsageRecord[]): UsageCompletionsResultJson[] =>
    groupRecords(inBucket, (r) => JSON.stringify(groupBy.map((f) => dims(r)[f as (typeof USAGE_GROUP_BY)[number]]))).map((group) => {
      const sum = (f: (r: SimUsageRecord) => number): number => group.reduce((n, r) => n + f(r), 0);
      const d = dims(group[0] as SimUsageRecord);
      const pick = <K extends keyof typeof d>(k: K): (typeof d)[K] | null => (groupBy.includes(k) ? d[k] : null);
      const input = sum((r) => r.input_tokens);
      const cached = sum((r) => r.input_cached_tokens);
      return {
        object: "organization.usage.completions.result",
        input_tokens: input,
        input_cached_tokens: cached,
        input_uncached_tokens: input - cached,
        output_tokens: sum((r) => r.output_tokens),
        num_model_requests: sum((r) => r.num_model_requests),
        project_id: pick("project_id") as string | null,
        user_id: pick("user_id") as string | null,
        api_key_id: pick("api_key_id") as string | null,
        model: pick("model") as string | null,
        batch: pick("batch") as boolean | null,
        service_tier: pick("service_tier") as string | null,
      };
    });
  return { status: 200, json: bucketPage(range, records, aggregate) };
}

/** Rounds away float noise from sums of USD amounts (the API's own precision is not documented). */
function roundAmount(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}

/**
 * GET /organization/costs (UsageResponse of CostsResult). bucket_width `1d`
 * only; limit 1–180 (default 7); filters project_ids, api_key_ids; group_by ⊆
 * project_id, line_item, api_key_id. Each usage record costs two line items,
 * "<model>, input" and "<model>, output" (the line-item naming is the
 * simulator's choice); `quantity` (tokens, unit "tokens") only when grouped by
 * line_item. Currency "usd".
 */
function costs(org: SimOrg, params: URLSearchParams): JsonResult {
  const range = bucketRange(params, ["1d"], () => ({ def: 7, max: 180 }));
  if (isResult(range)) return range;
  const groupBy = groupByParam(params, COSTS_GROUP_BY);
  if (isResult(groupBy)) return groupBy;
  const projectIds = arrayParam(params, "project_ids");
  const keyIds = arrayParam(params, "api_key_ids");
  const records = (org.usage ?? []).filter(
    (r) => (projectIds.length === 0 || projectIds.includes(r.project_id)) && (keyIds.length === 0 || keyIds.includes(r.api_key_id)),
  );
  interface Item {
    project_id: string;
    api_key_id: string;
    line_item: string;
    value: number;
    tokens: number;
  }
  const byLineItem = groupBy.includes("line_item");
  const aggregate = (inBucket: SimUsageRecord[]): CostsResultJson[] => {
    const items: Item[] = inBucket.flatMap((r) => [
      { project_id: r.project_id, api_key_id: r.api_key_id, line_item: `${r.model}, input`, value: r.input_cost_usd, tokens: r.input_tokens },
      { project_id: r.project_id, api_key_id: r.api_key_id, line_item: `${r.model}, output`, value: r.output_cost_usd, tokens: r.output_tokens },
    ]);
    return groupRecords(items, (i) => JSON.stringify(groupBy.map((f) => i[f as keyof Item]))).map((group) => {
      const first = group[0] as Item;
      return {
        object: "organization.costs.result",
        amount: { value: roundAmount(group.reduce((n, i) => n + i.value, 0)), currency: "usd" },
        line_item: byLineItem ? first.line_item : null,
        project_id: groupBy.includes("project_id") ? first.project_id : null,
        api_key_id: groupBy.includes("api_key_id") ? first.api_key_id : null,
        quantity: byLineItem ? group.reduce((n, i) => n + i.tokens, 0) : null,
        quantity_unit: byLineItem ? "tokens" : null,
      };
    });
  };
  return { status: 200, json: bucketPage(range, records, aggregate) };
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

/** One key, whatever its owner's access to the project (404 for an unknown project or key). */
function retrieveProjectKey(org: SimOrg, projectId: string, keyId: string): JsonResult {
  if (findProject(org, projectId) === undefined) return notFound(`No project found with id '${projectId}'.`);
  const key = (org.projectKeys[projectId] ?? []).find((k) => k.id === keyId);
  if (key === undefined) return notFound(`No API key found with id '${keyId}' in project '${projectId}'.`);
  return { status: 200, json: key };
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

function serviceAccountJson(key: ProjectApiKeyJson | undefined, serviceAccountId: string): JsonResult {
  if (key === undefined || key.owner.type !== "service_account") return notFound(`No service account found with id '${serviceAccountId}'.`);
  const sa = key.owner.service_account;
  const body: ProjectServiceAccountJson = {
    object: "organization.project.service_account",
    id: sa.id,
    name: sa.name,
    role: sa.role,
    created_at: sa.created_at,
  };
  return { status: 200, json: body };
}

/** GET …/service_accounts/{id}: the account (the simulator knows accounts through their keys). */
function retrieveServiceAccount(org: SimOrg, projectId: string, serviceAccountId: string): JsonResult {
  const project = findProject(org, projectId);
  if (project === undefined) return notFound(`No project found with id '${projectId}'.`);
  return serviceAccountJson(serviceAccountKeys(org, projectId, serviceAccountId)[0], serviceAccountId);
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
  return serviceAccountJson(found[0], serviceAccountId);
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
  /** All query parameters, repeated ones included (array parameters). */
  params: URLSearchParams;
}

/** The simulated methods of a path and what each does. */
type Handlers = Partial<Record<string, (r: RouteRequest) => JsonResult>>;

function handlersFor(path: string): Handlers | null {
  if (path === "/organization/admin_api_keys") return { GET: (r) => listAdminKeys(r.org, r.query) };
  if (path === "/organization/projects") return { GET: (r) => listProjects(r.org, r.query) };
  if (path === "/organization/users") return { GET: (r) => listUsers(r.org, r.query) };
  if (path === "/organization/audit_logs") return { GET: (r) => listAuditLogs(r.org, r.query, r.params) };
  if (path === "/organization/usage/completions") return { GET: (r) => usageCompletions(r.org, r.params) };
  if (path === "/organization/costs") return { GET: (r) => costs(r.org, r.params) };
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
    return { GET: (r) => retrieveProjectKey(r.org, projectId, keyId), DELETE: (r) => deleteProjectKey(r.org, projectId, keyId) };
  }
  m = SERVICE_ACCOUNT_RE.exec(path);
  if (m !== null) {
    const projectId = decodeSegment(m[1]);
    const serviceAccountId = decodeSegment(m[2]);
    return {
      GET: (r) => retrieveServiceAccount(r.org, projectId, serviceAccountId),
      POST: (r) => updateServiceAccount(r.org, projectId, serviceAccountId, r.body),
      DELETE: (r) => deleteServiceAccount(r.org, projectId, serviceAccountId),
    };
  }
  return null;
}

function route(
  org: SimOrg,
  method: string,
  fullPath: string,
  path: string,
  query: Record<string, string>,
  body: string,
  params: URLSearchParams,
): JsonResult {
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
  return handler({ org, method, query, body, params });
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
  const usagePage = copy["object"] === "page";
  if (kind === "lie_has_more") {
    copy["has_more"] = true;
    if (usagePage) copy["next_page"] = null;
    else delete copy["last_id"];
  } else {
    const first = copy.data[0];
    if (first !== undefined) {
      // Users carry added_at, audit log events effective_at and usage buckets start_time instead of created_at.
      const field = ["created_at", "effective_at", "start_time"].find((f) => f in first) ?? "added_at";
      delete first[field];
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
  for (const k of ["method", "path", "pathPrefix", "after", "page"] as const) {
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
  if (typeof match["page"] === "string") parsedMatch.page = match["page"];
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
  const takeFaults = (method: string, path: string, after: string, pageCursor: string): { latencyMs: number; effect: Exclude<FaultEffect, { kind: "latency" }> | null } => {
    let latencyMs = 0;
    let effect: Exclude<FaultEffect, { kind: "latency" }> | null = null;
    for (const active of faults) {
      if (active.remaining <= 0) continue;
      const { match } = active.fault;
      if (match.method !== undefined && match.method !== method) continue;
      if (match.path !== undefined && match.path !== path) continue;
      if (match.pathPrefix !== undefined && !path.startsWith(match.pathPrefix)) continue;
      if (match.after !== undefined && match.after !== after) continue;
      if (match.page !== undefined && match.page !== pageCursor) continue;
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

    const { latencyMs, effect } = takeFaults(method, path, query["after"] ?? "", query["page"] ?? "");
    let result: JsonResult;
    if (effect?.kind === "status") {
      result = faultStatusResult(effect.status, effect.retryAfter);
    } else {
      const authHeader = req.headers.authorization;
      result = authenticate(authHeader, adminKey) ?? route(org, method, fullPath, path, query, bodyText, url.searchParams);
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
