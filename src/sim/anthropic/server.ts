/**
 * Local HTTP simulator of the Anthropic Admin API endpoints Keywarden uses (node:http only), for
 * offline tests and demos. Independent of src/providers/ (it never imports the client it tests).
 *
 * API routes (base URL without `/v1`, as the SDK takes it; paths carry `/v1`):
 *   GET  /v1/organizations/me
 *   GET  /v1/organizations/api_keys            limit, after_id, status, workspace_id, created_by_user_id
 *   GET  /v1/organizations/api_keys/{id}
 *   POST /v1/organizations/api_keys/{id}       body { name?, status?: active|inactive|archived }
 *   GET  /v1/organizations/workspaces          limit, after_id, include_archived, include_default
 *   GET  /v1/organizations/users               limit, after_id, email
 *   GET  /v1/organizations/analytics/usage     (beta) see analytics.ts
 *   GET  /v1/organizations/analytics/cost      (beta) see analytics.ts
 *
 * Every API request needs the admin key, as `x-api-key` (the documented header, platform-notes §14)
 * or as `Authorization: Bearer` (what SDK 1.17.0 sends for `apiKey`), and an `anthropic-version`
 * header: 2023-06-01 (platform-notes §14) or 2026-10-21 (what SDK 1.17.0 sends); another or none is a
 * 400. A wrong key's 401 deliberately echoes the whole presented key (the real API does not) so that
 * a client that surfaces error bodies verbatim is caught. Errors use the envelope
 * `{type: "error", error: {type, message}, request_id}` and a `request-id` header.
 *
 * Control routes (no auth, not logged): POST/DELETE /__sim/faults, GET/DELETE /__sim/requests,
 * GET/PUT /__sim/org. Order for an API request: faults are matched and used up first, and a `status`
 * fault answers before authentication (like an edge proxy or rate limiter), so a faulted update
 * changes nothing; then auth (401), version (400), routing (404/405), validation (400) and the
 * answer; body faults transform that answer (an update under a body fault HAS happened).
 */
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type JsonResult, apiError } from "./errors.js";
import { type Fault, FaultBook, transformPage } from "./faults.js";
import { readBody, send } from "./http.js";
import { route } from "./routes.js";
import type { SimAnthropicOrg } from "./types.js";

export const API_VERSIONS = ["2023-06-01", "2026-10-21"] as const;

export interface AnthropicRequestLogEntry {
  method: string;
  /** The path as received, with `/v1`. */
  path: string;
  /** Query parameters (a repeated one: its last value; `group_by[]` keeps its brackets). */
  query: Record<string, string>;
  status: number;
  /** Arrival, ms since the epoch. */
  at: number;
  /** How the key was presented (never the key itself). */
  auth: "x-api-key" | "bearer" | "none";
  version: string | null;
  beta: string | null;
  /** The request body when one was sent: parsed JSON if it parses, else the raw text. */
  body?: unknown;
}

export interface AnthropicSimulator {
  /** Base URL as the SDK takes it, without `/v1`: "http://127.0.0.1:8789". */
  readonly url: string;
  /** Every API request in arrival order (faulted and unauthorized ones too). Live array. */
  readonly requests: AnthropicRequestLogEntry[];
  /** Most API requests in flight at once since start (or the last clearLog). */
  readonly maxConcurrent: number;
  setOrg(org: SimAnthropicOrg): void;
  /** A deep copy of the organization now (updates included). */
  getOrg(): SimAnthropicOrg;
  addFault(fault: Fault): void;
  clearFaults(): void;
  clearLog(): void;
  close(): Promise<void>;
}

export interface StartAnthropicSimulatorOptions {
  org: SimAnthropicOrg;
  adminKey: string;
  /** The simulator's clock (the reports' 365-day window, data_refreshed_at); default the real one. */
  now?: () => Date;
  /** Added to every API answer. Default 0. */
  latencyMs?: number;
  /** Default 0 (any free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

function parseOrg(input: unknown): SimAnthropicOrg {
  if (typeof input !== "object" || input === null) throw new TypeError("org must be an object");
  const org = input as Record<string, unknown>;
  for (const k of ["workspaces", "users", "apiKeys", "usage"]) if (!Array.isArray(org[k])) throw new TypeError(`org.${k} must be an array`);
  if (typeof org["defaultWorkspaceId"] !== "string") throw new TypeError("org.defaultWorkspaceId must be a string");
  return structuredClone(input) as SimAnthropicOrg;
}

function authenticate(req: IncomingMessage, adminKey: string): { auth: AnthropicRequestLogEntry["auth"]; refusal: JsonResult | null } {
  const header = req.headers["x-api-key"];
  const bearer = /^Bearer[ \t]+(.*)$/i.exec(req.headers.authorization?.trim() ?? "");
  const presented = typeof header === "string" ? header.trim() : bearer ? (bearer[1] ?? "").trim() : undefined;
  const auth = typeof header === "string" ? "x-api-key" : bearer ? "bearer" : "none";
  if (presented === undefined) return { auth, refusal: apiError(401, "x-api-key header is required") };
  if (presented === adminKey) return { auth, refusal: null };
  return { auth, refusal: apiError(401, `invalid x-api-key: ${presented}`) };
}

function versionRefusal(version: string | null): JsonResult | null {
  if (version === null) return apiError(400, "anthropic-version: header is required");
  if (!(API_VERSIONS as readonly string[]).includes(version)) return apiError(400, `anthropic-version: "${version}" is not a valid version`);
  return null;
}

export async function startAnthropicSimulator(opts: StartAnthropicSimulatorOptions): Promise<AnthropicSimulator> {
  let org = parseOrg(opts.org);
  const now = opts.now ?? (() => new Date());
  const faults = new FaultBook();
  const requests: AnthropicRequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let inFlight = 0;
  let maxConcurrent = 0;
  let requestCounter = 0;

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const at = Date.now();
    inFlight++;
    maxConcurrent = Math.max(maxConcurrent, inFlight);
    res.once("close", () => inFlight--);
    const method = (req.method ?? "GET").toUpperCase();
    let bodyText = "";
    if (method === "GET" || method === "HEAD") req.resume();
    else {
      try {
        bodyText = await readBody(req);
      } catch {
        return;
      }
    }
    const path = url.pathname.startsWith("/v1/") ? url.pathname.slice(3) : url.pathname;
    const header = (name: string): string | null => {
      const value = req.headers[name];
      return typeof value === "string" ? value : null;
    };
    const version = header("anthropic-version");
    const beta = header("anthropic-beta");
    const { latencyMs, effect } = faults.take({ method, path, afterId: url.searchParams.get("after_id") ?? "", page: url.searchParams.get("page") ?? "" });
    const { auth, refusal } = authenticate(req, opts.adminKey);
    let result: JsonResult;
    if (effect?.kind === "status") {
      result = apiError(effect.status, `Simulated error (HTTP ${effect.status}).`);
      if (effect.retryAfter !== undefined) result.headers = { "retry-after": String(effect.retryAfter) };
    } else {
      result = refusal ?? versionRefusal(version) ?? route(org, method, path, url.searchParams, bodyText, { beta: beta ?? "" }, now());
      if (effect?.kind === "truncated_page" || effect?.kind === "invalid_item") result = { ...result, json: transformPage(result.status, result.json, effect.kind) };
    }
    const requestId = `req_sim_${++requestCounter}`;
    const json = result.json as { type?: unknown; request_id?: unknown };
    if (json?.type === "error") json.request_id = requestId;
    let body = JSON.stringify(result.json);
    // A strict prefix of a JSON object is never valid JSON.
    if (effect?.kind === "malformed_json") body = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
    const entry: AnthropicRequestLogEntry = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: result.status, at, auth, version, beta };
    if (bodyText !== "") {
      try {
        entry.body = JSON.parse(bodyText) as unknown;
      } catch {
        entry.body = bodyText;
      }
    }
    requests.push(entry);
    const headers = { "request-id": requestId, ...result.headers };
    const delay = (opts.latencyMs ?? 0) + latencyMs;
    if (delay <= 0) return send(res, result.status, body, headers);
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, result.status, body, headers);
    }, delay);
    timers.add(timer);
  };

  const clearLog = (): void => {
    requests.length = 0;
    maxConcurrent = inFlight;
  };

  const handleControl = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const method = (req.method ?? "GET").toUpperCase();
    const ok = (json: unknown, status = 200): void => send(res, status, JSON.stringify(json));
    try {
      switch (`${method} ${url.pathname}`) {
        case "POST /__sim/faults":
          faults.add(JSON.parse(await readBody(req)) as Fault);
          return ok({ ok: true, faults: faults.size }, 201);
        case "DELETE /__sim/faults":
          faults.clear();
          return ok({ ok: true });
        case "GET /__sim/requests":
          return ok({ requests, maxConcurrent });
        case "DELETE /__sim/requests":
          clearLog();
          return ok({ ok: true });
        case "GET /__sim/org":
          return ok(org);
        case "PUT /__sim/org":
          org = parseOrg(JSON.parse(await readBody(req)));
          return ok({ ok: true });
        default:
          req.resume();
          return ok(apiError(404, `no control route ${method} ${url.pathname}`).json, 404);
      }
    } catch (err) {
      return ok(apiError(400, err instanceof Error ? err.message : String(err)).json, 400);
    }
  };

  const server = http.createServer((req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://simulator.invalid");
    } catch {
      url = new URL("http://simulator.invalid/");
    }
    void (url.pathname === "/__sim" || url.pathname.startsWith("/__sim/") ? handleControl(req, res, url) : handleApi(req, res, url));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const host = opts.host ?? "127.0.0.1";
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    requests,
    get maxConcurrent() {
      return maxConcurrent;
    },
    setOrg: (next) => {
      org = parseOrg(next);
    },
    getOrg: () => structuredClone(org),
    addFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
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
