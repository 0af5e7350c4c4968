/**
 * Local HTTP simulator of the OpenAI Admin API endpoints Keywarden uses
 * (node:http only). Serves a `SimOrg` verbatim, with the real API's list
 * semantics and quirks, plus fault injection and a request log.
 *
 * API routes (base `/v1`, Bearer auth with the configured admin key):
 *   GET /v1/organization/admin_api_keys                    limit, after, order=asc|desc
 *   GET /v1/organization/projects                          limit, after, include_archived=true|false
 *   GET /v1/organization/projects/{project_id}/api_keys    limit, after, owner_project_access=active|inactive|any
 *   GET /v1/organization/users                             limit, after
 *
 * Control routes (no auth, not logged):
 *   POST   /__sim/faults    body: Fault (JSON; omit `times` for "unlimited")
 *   DELETE /__sim/faults
 *   GET    /__sim/requests  → { requests: RequestLogEntry[], maxConcurrent: number }
 *   DELETE /__sim/requests  (also resets maxConcurrent)
 *   PUT    /__sim/org       body: SimOrg (JSON)
 *
 * Order of processing for an API request: faults are matched (and consumed)
 * first — a `status` fault short-circuits before authentication, like an edge
 * proxy or rate limiter would; then auth (401), routing (404/405), parameter
 * validation (400) and the list itself. Body faults (`malformed_json`,
 * `lie_has_more`, `invalid_shape`) transform the response that would otherwise
 * have been sent (the last two only alter 200 list pages).
 */
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  AdminApiKeyJson,
  ErrorJson,
  ErrorResponseJson,
  ListResponseJson,
  ProjectApiKeyJson,
  ProjectJson,
  SimOrg,
  UserJson,
} from "./org.js";

// ---------------------------------------------------------------------------
// Public types

export interface FaultMatch {
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
// Request handling

const PROJECT_KEYS_RE = /^\/organization\/projects\/([^/]+)\/api_keys$/;

function isKnownRoute(path: string): boolean {
  return (
    path === "/organization/admin_api_keys" ||
    path === "/organization/projects" ||
    path === "/organization/users" ||
    PROJECT_KEYS_RE.test(path)
  );
}

function route(org: SimOrg, method: string, fullPath: string, path: string, query: Record<string, string>): JsonResult {
  const underV1 = fullPath === "/v1" || fullPath.startsWith("/v1/");
  if (!underV1 || !isKnownRoute(path)) {
    return apiError(404, `Invalid URL (${method} ${fullPath})`);
  }
  if (method !== "GET") {
    return { ...apiError(405, `Method ${method} is not allowed on ${fullPath} in the Keywarden simulator (only GET).`), headers: { allow: "GET" } };
  }
  if (path === "/organization/admin_api_keys") return listAdminKeys(org, query);
  if (path === "/organization/projects") return listProjects(org, query);
  if (path === "/organization/users") return listUsers(org, query);
  const m = PROJECT_KEYS_RE.exec(path);
  let projectId = m?.[1] ?? "";
  try {
    projectId = decodeURIComponent(projectId);
  } catch {
    // keep it raw; it will simply not be found
  }
  return listProjectKeys(org, projectId, query);
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
  for (const k of ["path", "pathPrefix", "after"] as const) {
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
  const takeFaults = (path: string, after: string): { latencyMs: number; effect: Exclude<FaultEffect, { kind: "latency" }> | null } => {
    let latencyMs = 0;
    let effect: Exclude<FaultEffect, { kind: "latency" }> | null = null;
    for (const active of faults) {
      if (active.remaining <= 0) continue;
      const { match } = active.fault;
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

  const handleApi = (req: IncomingMessage, res: ServerResponse, url: URL): void => {
    req.resume(); // discard any body
    const at = Date.now();
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    res.once("close", () => {
      inFlight--;
    });

    const method = (req.method ?? "GET").toUpperCase();
    const fullPath = url.pathname;
    const path = fullPath === "/v1" ? "/" : fullPath.startsWith("/v1/") ? fullPath.slice(3) : fullPath;
    const query: Record<string, string> = Object.fromEntries(url.searchParams);

    const { latencyMs, effect } = takeFaults(path, query["after"] ?? "");
    let result: JsonResult;
    if (effect?.kind === "status") {
      result = faultStatusResult(effect.status, effect.retryAfter);
    } else {
      const authHeader = req.headers.authorization;
      result = authenticate(authHeader, adminKey) ?? route(org, method, fullPath, path, query);
      if (effect?.kind === "lie_has_more" || effect?.kind === "invalid_shape") result = transformPage(result, effect.kind);
    }
    let body = JSON.stringify(result.json);
    if (effect?.kind === "malformed_json") {
      // A strict prefix of a JSON object is never valid JSON.
      body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    }
    requests.push({ method, path: fullPath, query, status: result.status, at });

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
      handleApi(req, res, url);
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
