/**
 * Fault injection for the Anthropic simulator, as the OpenAI simulator has it (src/sim/server.ts),
 * with Anthropic's cursors: `after_id` for the lists, `page` for the analytics reports.
 */

export interface FaultMatch {
  /** HTTP method, case-insensitive; absent = any. */
  method?: string;
  /** Exact path without `/v1`, e.g. "/organizations/api_keys". */
  path?: string;
  /** Path prefix without `/v1`, e.g. "/organizations/analytics". */
  pathPrefix?: string;
  /** Only when the `after_id` cursor equals this; "" means the first page. */
  afterId?: string;
  /** Only when the `page` cursor (reports) equals this; "" means the first page. */
  page?: string;
}

export type FaultEffect =
  /** Answers this status before authentication, like an edge proxy or rate limiter; `retryAfter` (seconds) sets `retry-after`. */
  | { kind: "status"; status: number; retryAfter?: number }
  /** The answer cut in half: not JSON. */
  | { kind: "malformed_json" }
  /** A 200 page that says has_more: true without its cursor (lists: no last_id; reports: next_page null). */
  | { kind: "truncated_page" }
  /** A 200 page whose first item lacks a field every client needs (`created_at`, reports: `starting_at`). */
  | { kind: "invalid_item" }
  | { kind: "latency"; ms: number };

export interface Fault {
  match: FaultMatch;
  /** How many matching requests it affects; default unlimited. */
  times?: number;
  effect: FaultEffect;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Checks a fault given over HTTP (POST /__sim/faults) or in code. */
export function parseFault(input: unknown): Fault {
  if (!isRecord(input)) throw new TypeError("fault must be an object");
  const match = input["match"] ?? {};
  if (!isRecord(match)) throw new TypeError("fault.match must be an object");
  const parsedMatch: FaultMatch = {};
  for (const k of ["method", "path", "pathPrefix", "afterId", "page"] as const) {
    const value = match[k];
    if (value === undefined) continue;
    if (typeof value !== "string") throw new TypeError(`fault.match.${k} must be a string`);
    parsedMatch[k] = k === "method" ? value.toUpperCase() : value;
  }
  const times = input["times"];
  if (times !== undefined && times !== null && (typeof times !== "number" || Number.isNaN(times) || times < 0)) throw new TypeError("fault.times must be a non-negative number");
  const effect = input["effect"];
  if (!isRecord(effect)) throw new TypeError("fault.effect must be an object");
  let parsedEffect: FaultEffect;
  switch (effect["kind"]) {
    case "status": {
      const status = effect["status"];
      if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) throw new TypeError("fault.effect.status must be an HTTP status code");
      const retryAfter = effect["retryAfter"];
      if (retryAfter !== undefined && (typeof retryAfter !== "number" || retryAfter < 0)) throw new TypeError("fault.effect.retryAfter must be a non-negative number of seconds");
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
    case "truncated_page":
    case "invalid_item":
      parsedEffect = { kind: effect["kind"] };
      break;
    default:
      throw new TypeError(`unknown fault.effect.kind: ${String(effect["kind"])}`);
  }
  return typeof times === "number" ? { match: parsedMatch, times, effect: parsedEffect } : { match: parsedMatch, effect: parsedEffect };
}

interface ActiveFault {
  fault: Fault;
  remaining: number;
}

export type BodyFault = Exclude<FaultEffect, { kind: "latency" }>;

/** The faults of one simulator: added, matched and used up in order. */
export class FaultBook {
  private readonly active: ActiveFault[] = [];

  add(input: Fault): void {
    const fault = parseFault(input);
    this.active.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.active.length = 0;
  }

  get size(): number {
    return this.active.length;
  }

  /** Matches and uses up faults: every matching latency adds up; the first other match is the effect. */
  take(request: { method: string; path: string; afterId: string; page: string }): { latencyMs: number; effect: BodyFault | null } {
    let latencyMs = 0;
    let effect: BodyFault | null = null;
    for (const entry of this.active) {
      if (entry.remaining <= 0) continue;
      const { match } = entry.fault;
      if (match.method !== undefined && match.method !== request.method) continue;
      if (match.path !== undefined && match.path !== request.path) continue;
      if (match.pathPrefix !== undefined && !request.path.startsWith(match.pathPrefix)) continue;
      if (match.afterId !== undefined && match.afterId !== request.afterId) continue;
      if (match.page !== undefined && match.page !== request.page) continue;
      const e = entry.fault.effect;
      if (e.kind === "latency") {
        latencyMs += e.ms;
        entry.remaining--;
      } else if (effect === null) {
        effect = e;
        entry.remaining--;
      }
    }
    return { latencyMs, effect };
  }
}

/** Applies truncated_page / invalid_item to a 200 page; anything else passes through. */
export function transformPage(status: number, body: unknown, kind: "truncated_page" | "invalid_item"): unknown {
  if (status !== 200 || !isRecord(body) || !Array.isArray(body["data"])) return body;
  const copy = structuredClone(body) as Record<string, unknown> & { data: unknown[] };
  const report = "next_page" in copy;
  if (kind === "truncated_page") {
    copy["has_more"] = true;
    if (report) copy["next_page"] = null;
    else delete copy["last_id"];
    return copy;
  }
  const first = copy.data[0];
  if (isRecord(first)) delete first[report ? "starting_at" : "created_at" in first ? "created_at" : "added_at"];
  else delete copy["has_more"]; // an empty page: break the envelope instead
  return copy;
}
