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
 * Control routes (no auth, not logged): ../control-routes.ts (POST/DELETE /__sim/faults with a
 * `Fault` of ./faults.ts, GET/DELETE /__sim/requests, GET/PUT /__sim/org). Order for an API request: faults are matched and used up first, and a `status`
 * fault answers before authentication (like an edge proxy or rate limiter), so a faulted update
 * changes nothing; then auth (401), version (400), routing (404/405), validation (400) and the
 * answer; body faults transform that answer (an update under a body fault HAS happened).
 */
import type { IncomingMessage } from "node:http";
import { cutInHalf } from "../faults.js";
import { JSON_TYPE, type Reply, send } from "../http.js";
import type { RequestLogEntry } from "../request-log.js";
import { type RestSimulator, type RestSimulatorOptions, startRestSimulator } from "../rest-simulator.js";
import { apiError } from "./errors.js";
import { ANTHROPIC_FAULTS, type Fault, transformPage } from "./faults.js";
import { route } from "./routes.js";
import type { SimAnthropicOrg } from "./types.js";

export const API_VERSIONS = ["2023-06-01", "2026-10-21"] as const;

export interface AnthropicRequestLogEntry extends RequestLogEntry {
  /** How the key was presented (never the key itself). */
  auth: "x-api-key" | "bearer" | "none";
  version: string | null;
  beta: string | null;
}

export interface AnthropicSimulator extends RestSimulator<SimAnthropicOrg, Fault, AnthropicRequestLogEntry> {
  /** Base URL as the SDK takes it, without `/v1`: "http://127.0.0.1:8789". */
  readonly url: string;
}

export interface StartAnthropicSimulatorOptions extends RestSimulatorOptions<SimAnthropicOrg> {
  /** The simulator's clock (the reports' 365-day window, data_refreshed_at); default the real one. */
  now?: () => Date;
}

function parseOrg(input: unknown): SimAnthropicOrg {
  if (typeof input !== "object" || input === null) throw new TypeError("org must be an object");
  const org = input as Record<string, unknown>;
  for (const k of ["workspaces", "users", "apiKeys", "usage"]) if (!Array.isArray(org[k])) throw new TypeError(`org.${k} must be an array`);
  if (typeof org["defaultWorkspaceId"] !== "string") throw new TypeError("org.defaultWorkspaceId must be a string");
  return structuredClone(input) as SimAnthropicOrg;
}

function authenticate(req: IncomingMessage, adminKey: string): { auth: AnthropicRequestLogEntry["auth"]; refusal: Reply | null } {
  const header = req.headers["x-api-key"];
  const bearer = /^Bearer[ \t]+(.*)$/i.exec(req.headers.authorization?.trim() ?? "");
  const presented = typeof header === "string" ? header.trim() : bearer ? (bearer[1] ?? "").trim() : undefined;
  const auth = typeof header === "string" ? "x-api-key" : bearer ? "bearer" : "none";
  if (presented === undefined) return { auth, refusal: apiError(401, "x-api-key header is required") };
  if (presented === adminKey) return { auth, refusal: null };
  return { auth, refusal: apiError(401, `invalid x-api-key: ${presented}`) };
}

function versionRefusal(version: string | null): Reply | null {
  if (version === null) return apiError(400, "anthropic-version: header is required");
  if (!(API_VERSIONS as readonly string[]).includes(version)) return apiError(400, `anthropic-version: "${version}" is not a valid version`);
  return null;
}

function requestUrl(req: IncomingMessage): URL {
  try {
    return new URL(req.url ?? "/", "http://simulator.invalid");
  } catch {
    return new URL("http://simulator.invalid/");
  }
}

export async function startAnthropicSimulator(opts: StartAnthropicSimulatorOptions): Promise<AnthropicSimulator> {
  const now = opts.now ?? (() => new Date());
  return startRestSimulator(opts, {
    parseOrg,
    dialect: ANTHROPIC_FAULTS,
    urlSuffix: "",
    requestUrl,
    controlError: (status, message) => apiError(status, message).json,
    unknownControlRoute: (method, path) => `no control route ${method} ${path}`,
    answerApi({ req, res, url, method, bodyText, at, requestId }, { org, faults, log, delayed }) {
      const path = url.pathname.startsWith("/v1/") ? url.pathname.slice(3) : url.pathname;
      const header = (name: string): string | null => {
        const value = req.headers[name];
        return typeof value === "string" ? value : null;
      };
      const version = header("anthropic-version");
      const beta = header("anthropic-beta");
      const { latencyMs, effect } = faults.take(method, path, { afterId: url.searchParams.get("after_id") ?? "", page: url.searchParams.get("page") ?? "" });
      const { auth, refusal } = authenticate(req, opts.adminKey);
      let result: Reply;
      if (effect?.kind === "status") {
        result = apiError(effect.status, `Simulated error (HTTP ${effect.status}).`);
        if (effect.retryAfter !== undefined) result.headers = { "retry-after": String(effect.retryAfter) };
      } else {
        result = refusal ?? versionRefusal(version) ?? route(org(), method, path, url.searchParams, bodyText, { beta: beta ?? "" }, now());
        if (effect?.kind === "truncated_page" || effect?.kind === "invalid_item") result = { ...result, json: transformPage(result.status, result.json, effect.kind) };
      }
      const json = result.json as { type?: unknown; request_id?: unknown };
      if (json?.type === "error") json.request_id = requestId;
      let body = JSON.stringify(result.json);
      if (effect?.kind === "malformed_json") body = cutInHalf(body);
      log.add({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: result.status, at, auth, version, beta }, bodyText);
      const headers = { "request-id": requestId, ...result.headers };
      delayed.run(latencyMs, () => send(res, result.status, JSON_TYPE, body, headers));
    },
  });
}
