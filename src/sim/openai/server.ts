/**
 * Local HTTP simulator of the OpenAI Admin API endpoints Keywarden uses
 * (node:http only), built from shared/reference/openai-admin-openapi.yaml.
 * Serves a `SimOrg` verbatim, with the real API's list semantics and quirks
 * (routes.ts lists the routes and the module of each), plus fault injection
 * (../faults.ts) and a request log (../request-log.ts).
 *
 * Control routes (no auth, not logged): ../control-routes.ts, with a
 * `Fault` (./faults.ts) to POST /__sim/faults and a `SimOrg` at /__sim/org;
 * GET /__sim/requests gives `RequestLogEntry[]`; POST /__sim/keys creates a key
 * with its audit-log event, POST /__sim/events adds an event (./control-keys.ts).
 *
 * Order of processing for an API request (after reading its body): faults are
 * matched (and consumed) first — by method, path and `after` / `page` cursor —
 * and a `status` fault short-circuits before authentication, like an edge
 * proxy or rate limiter would, so a faulted mutation changes nothing (a 429
 * with Retry-After is a `status` fault with `retryAfter`); then auth (401),
 * routing (404/405), body and parameter validation (400), lookups (404 / 400)
 * and the list or mutation itself. Body faults (`malformed_json`,
 * `lie_has_more`, `invalid_shape`) transform the response that would
 * otherwise have been sent (the last two only alter 200 list pages), and a
 * `latency` fault only delays the answer: in both cases a mutation HAS
 * happened (a client that times out on a DELETE then finds the key gone, and
 * a retry gets a 404).
 */
import type { IncomingMessage } from "node:http";
import { cutInHalf } from "../faults.js";
import { JSON_TYPE, type Reply, send } from "../http.js";
import { isRecord } from "../json.js";
import type { RequestLogEntry } from "../request-log.js";
import { type RestSimulator, type RestSimulatorOptions, startRestSimulator } from "../rest-simulator.js";
import { authenticate } from "./auth.js";
import { addAuditEvent, createKeyWithEvent } from "./control-keys.js";
import { errorBody } from "./errors.js";
import { faultStatusResult, transformPage } from "./faulted-answers.js";
import { type Fault, OPENAI_FAULTS } from "./faults.js";
import type { SimOrg } from "./org.js";
import { route } from "./routes.js";

export interface Simulator extends RestSimulator<SimOrg, Fault, RequestLogEntry> {
  /** Base URL ending in `/v1`, e.g. "http://127.0.0.1:8788/v1". */
  readonly url: string;
}

export type StartSimulatorOptions = RestSimulatorOptions<SimOrg>;

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

/** The path without the `/v1` prefix, as routes and faults name it. */
function apiPath(fullPath: string): string {
  return fullPath === "/v1" ? "/" : fullPath.startsWith("/v1/") ? fullPath.slice(3) : fullPath;
}

function requestUrl(req: IncomingMessage): URL {
  const rawUrl = req.url ?? "/";
  try {
    return new URL(rawUrl.startsWith("/") ? `http://simulator.invalid${rawUrl}` : rawUrl, "http://simulator.invalid");
  } catch {
    return new URL("http://simulator.invalid/");
  }
}

export async function startSimulator(opts: StartSimulatorOptions): Promise<Simulator> {
  const adminKey = opts.adminKey;
  return startRestSimulator(opts, {
    parseOrg,
    dialect: OPENAI_FAULTS,
    urlSuffix: "/v1",
    requestUrl,
    controlError: (_status, message) => errorBody(message, "invalid_request_error"),
    unknownControlRoute: (method, path) => `Invalid URL (${method} ${path})`,
    controlActions: {
      "POST /__sim/keys": (org, input) => createKeyWithEvent(org, input, new Date()),
      "POST /__sim/events": (org, input) => ({ event: addAuditEvent(org, input, new Date()) }),
    },
    answerApi({ req, res, url, method, bodyText, at, requestId }, { org, faults, log, delayed }) {
      const fullPath = url.pathname;
      const path = apiPath(fullPath);
      const query: Record<string, string> = Object.fromEntries(url.searchParams);

      const { latencyMs, effect } = faults.take(method, path, { after: query["after"] ?? "", page: query["page"] ?? "" });
      let result: Reply;
      if (effect?.kind === "status") {
        result = faultStatusResult(effect.status, effect.retryAfter);
      } else {
        const authHeader = req.headers.authorization;
        result = authenticate(authHeader, adminKey) ?? route(org(), method, fullPath, path, query, bodyText, url.searchParams);
        if (effect?.kind === "lie_has_more" || effect?.kind === "invalid_shape") result = transformPage(result, effect.kind);
      }
      let body = JSON.stringify(result.json);
      if (effect?.kind === "malformed_json") body = cutInHalf(body);
      log.add({ method, path: fullPath, query, status: result.status, at }, bodyText);

      const headers = { "x-request-id": requestId, ...result.headers };
      delayed.run(latencyMs, () => send(res, result.status, JSON_TYPE, body, headers));
    },
  });
}
