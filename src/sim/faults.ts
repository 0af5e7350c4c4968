/**
 * Fault injection for a simulated REST API: which requests a fault hits (by
 * method, path and page cursor), what it does, and how many times. The
 * error body a `status` fault answers with is the provider's own (its error
 * envelope), and so is the way `lie_has_more` / `invalid_shape` break a page.
 */
import { isRecord } from "./json.js";

export interface FaultMatch {
  /** HTTP method, case-insensitive, e.g. "DELETE"; absent = any method. */
  method?: string;
  /** Exact path without the version prefix (`/v1`), e.g. "/organization/projects/proj_ml/api_keys". */
  path?: string;
  /** Path prefix without the version prefix (`/v1`), e.g. "/organization/projects". */
  pathPrefix?: string;
  /** Only when the `after` cursor equals this; "" means the first page (no cursor). */
  after?: string;
  /** Only when the `page` cursor (OpenAI's usage / costs) equals this; "" means the first page (no cursor). */
  page?: string;
}

export type FaultEffect =
  | { kind: "status"; status: number; /** seconds; sets the Retry-After header */ retryAfter?: number }
  | { kind: "malformed_json" }
  /** A 200 page that claims more but gives no cursor to them (OpenAI: has_more true, last_id removed; usage/costs: next_page null); data as usual. */
  | { kind: "lie_has_more" }
  /** A 200 page where one item lacks a required field (OpenAI: created_at / added_at / effective_at / a bucket's start_time). */
  | { kind: "invalid_shape" }
  | { kind: "latency"; ms: number };

export interface Fault {
  match: FaultMatch;
  /** How many matching requests it affects; default Infinity. */
  times?: number;
  effect: FaultEffect;
}

/** Every effect but latency: what happens to the answer itself. */
export type AnswerFault = Exclude<FaultEffect, { kind: "latency" }>;

/** Checks a fault given as JSON (POST /__sim/faults) or by a test; throws a TypeError naming the bad field. */
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
  const parsedEffect = parseEffect(effect);
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

function parseEffect(effect: Record<string, unknown>): FaultEffect {
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
      return retryAfter === undefined ? { kind: "status", status } : { kind: "status", status, retryAfter };
    }
    case "latency": {
      const ms = effect["ms"];
      if (typeof ms !== "number" || !(ms >= 0)) throw new TypeError("fault.effect.ms must be a non-negative number");
      return { kind: "latency", ms };
    }
    case "malformed_json":
    case "lie_has_more":
    case "invalid_shape":
      return { kind: effect["kind"] };
    default:
      throw new TypeError(`unknown fault.effect.kind: ${String(effect["kind"])}`);
  }
}

/** The faults in force, each with the number of requests it may still hit. */
export class FaultList {
  private readonly active: { fault: Fault; remaining: number }[] = [];

  /** How many faults were added since the last clear (used up ones included). */
  get size(): number {
    return this.active.length;
  }

  add(input: unknown): void {
    const fault = parseFault(input);
    this.active.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.active.length = 0;
  }

  /**
   * Matches and consumes the faults for one request (`path` without the
   * version prefix, "" for an absent cursor): every matching latency fault
   * adds up; the first other matching fault is the effect.
   */
  take(method: string, path: string, after: string, page: string): { latencyMs: number; effect: AnswerFault | null } {
    let latencyMs = 0;
    let effect: AnswerFault | null = null;
    for (const active of this.active) {
      if (active.remaining <= 0) continue;
      const { match } = active.fault;
      if (match.method !== undefined && match.method !== method) continue;
      if (match.path !== undefined && match.path !== path) continue;
      if (match.pathPrefix !== undefined && !path.startsWith(match.pathPrefix)) continue;
      if (match.after !== undefined && match.after !== after) continue;
      if (match.page !== undefined && match.page !== page) continue;
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
  }
}
