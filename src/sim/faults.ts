/**
 * Fault injection for a simulated REST API: which requests a fault hits (by
 * method, path and page cursors), what it does, and how many times. What
 * differs by provider is named by its `FaultDialect` (the cursors a fault
 * matches on, the names of the two page faults); the error body a `status`
 * fault answers with is the provider's own (its error envelope), and so is
 * the way a page fault breaks a page.
 */
import { isRecord } from "./json.js";

/** A provider's names for the parts of a fault that differ by provider. */
export interface FaultDialect<Cursor extends string, PageFault extends string> {
  /**
   * The match fields that compare a page cursor, in the order they are checked,
   * e.g. OpenAI's ["after", "page"]. A cursor's field only matches when the
   * request's cursor equals it; "" means the first page (no cursor).
   */
  readonly cursors: readonly Cursor[];
  /**
   * The two effects that break a 200 page, data as usual otherwise: one that
   * claims more pages but gives no cursor to them, one where an item lacks a
   * field every client needs, e.g. OpenAI's ["lie_has_more", "invalid_shape"].
   */
  readonly pageFaults: readonly [PageFault, PageFault];
}

export type FaultMatch<Cursor extends string> = {
  /** HTTP method, case-insensitive, e.g. "DELETE"; absent = any method. */
  method?: string;
  /** Exact path without the version prefix (`/v1`), e.g. "/organization/projects/proj_ml/api_keys". */
  path?: string;
  /** Path prefix without the version prefix (`/v1`), e.g. "/organization/projects". */
  pathPrefix?: string;
} & { [K in Cursor]?: string };

export type FaultEffect<PageFault extends string> =
  | { kind: "status"; status: number; /** seconds; sets the Retry-After header */ retryAfter?: number }
  | { kind: "malformed_json" }
  | { [K in PageFault]: { kind: K } }[PageFault]
  | { kind: "latency"; ms: number };

export interface Fault<Cursor extends string, PageFault extends string> {
  match: FaultMatch<Cursor>;
  /** How many matching requests it affects; default Infinity. */
  times?: number;
  effect: FaultEffect<PageFault>;
}

/** Every effect but latency: what happens to the answer itself. */
export type AnswerFault<PageFault extends string> = Exclude<FaultEffect<PageFault>, { kind: "latency" }>;

/** Checks a fault given as JSON (POST /__sim/faults) or by a test; throws a TypeError naming the bad field. */
export function parseFault<C extends string, P extends string>(dialect: FaultDialect<C, P>, input: unknown): Fault<C, P> {
  if (!isRecord(input)) throw new TypeError("fault must be an object");
  const match = input["match"] ?? {};
  if (!isRecord(match)) throw new TypeError("fault.match must be an object");
  const fields = ["method", "path", "pathPrefix", ...dialect.cursors];
  for (const k of fields) {
    if (match[k] !== undefined && typeof match[k] !== "string") throw new TypeError(`fault.match.${k} must be a string`);
  }
  const times = input["times"];
  if (times !== undefined && times !== null && (typeof times !== "number" || Number.isNaN(times) || times < 0)) {
    throw new TypeError("fault.times must be a non-negative number");
  }
  const effect = input["effect"];
  if (!isRecord(effect)) throw new TypeError("fault.effect must be an object");
  const parsedEffect = parseEffect(dialect, effect);
  const parsedMatch: Record<string, string> = {};
  for (const k of fields) {
    const value = match[k];
    if (typeof value === "string") parsedMatch[k] = k === "method" ? value.toUpperCase() : value;
  }
  const fault: Fault<C, P> = { match: parsedMatch as FaultMatch<C>, effect: parsedEffect };
  if (typeof times === "number") fault.times = times;
  return fault;
}

function parseEffect<P extends string>(dialect: FaultDialect<string, P>, effect: Record<string, unknown>): FaultEffect<P> {
  const kind = effect["kind"];
  switch (kind) {
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
      return { kind };
    default:
      if ((dialect.pageFaults as readonly unknown[]).includes(kind)) return { kind } as FaultEffect<P>;
      throw new TypeError(`unknown fault.effect.kind: ${String(kind)}`);
  }
}

/** The faults in force, each with the number of requests it may still hit. */
export class FaultList<Cursor extends string, PageFault extends string> {
  private readonly active: { fault: Fault<Cursor, PageFault>; remaining: number }[] = [];

  constructor(private readonly dialect: FaultDialect<Cursor, PageFault>) {}

  /** How many faults were added since the last clear (used up ones included). */
  get size(): number {
    return this.active.length;
  }

  add(input: unknown): void {
    const fault = parseFault(this.dialect, input);
    this.active.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.active.length = 0;
  }

  /**
   * Matches and consumes the faults for one request (`path` without the
   * version prefix; a cursor "" when absent): every matching latency fault
   * adds up; the first other matching fault is the effect.
   */
  take(method: string, path: string, cursors: Record<Cursor, string>): { latencyMs: number; effect: AnswerFault<PageFault> | null } {
    let latencyMs = 0;
    let effect: AnswerFault<PageFault> | null = null;
    for (const active of this.active) {
      if (active.remaining <= 0 || !this.matches(active.fault.match, method, path, cursors)) continue;
      const e = active.fault.effect;
      if (isLatency(e)) {
        latencyMs += e.ms;
        active.remaining--;
      } else if (effect === null) {
        effect = e as AnswerFault<PageFault>;
        active.remaining--;
      }
    }
    return { latencyMs, effect };
  }

  private matches(match: FaultMatch<Cursor>, method: string, path: string, cursors: Record<Cursor, string>): boolean {
    if (match.method !== undefined && match.method !== method) return false;
    if (match.path !== undefined && match.path !== path) return false;
    if (match.pathPrefix !== undefined && !path.startsWith(match.pathPrefix)) return false;
    const byCursor = match as Partial<Record<Cursor, string>>;
    return this.dialect.cursors.every((c) => byCursor[c] === undefined || byCursor[c] === cursors[c]);
  }
}

function isLatency(effect: FaultEffect<string>): effect is { kind: "latency"; ms: number } {
  return effect.kind === "latency";
}

/** What `malformed_json` sends: the answer cut in half (a strict prefix of a JSON object is never valid JSON). */
export function cutInHalf(body: string): string {
  return body.slice(0, Math.max(1, Math.floor(body.length / 2)));
}
