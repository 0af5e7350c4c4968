/**
 * The control routes a REST API simulator (OpenAI, Anthropic) serves beside its
 * API, without auth and not logged:
 *   POST   /__sim/faults    body: a fault (JSON; omit `times` for "unlimited") → 201 { ok, faults }
 *   DELETE /__sim/faults
 *   GET    /__sim/requests  → { requests, maxConcurrent }
 *   DELETE /__sim/requests  (also resets maxConcurrent)
 *   GET    /__sim/org       → the organization (the current state, changes included)
 *   PUT    /__sim/org       body: an organization (JSON)
 * and whatever further actions a simulator offers (`actions`, e.g. OpenAI's POST /__sim/keys).
 * A body that does not parse or check is a 400 and any other route a 404, in
 * the provider's error envelope.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { JSON_TYPE, readText, send } from "./http.js";
import type { RequestLog, RequestLogEntry } from "./request-log.js";

/** What the control routes act on, and the provider's words for a refusal. */
export interface ControlledSimulator<E extends RequestLogEntry> {
  faults: { add(input: unknown): void; clear(): void; readonly size: number };
  log: RequestLog<E>;
  /** The organization as it is now. */
  getOrg(): unknown;
  /** Checks and installs an organization given as JSON; throws a TypeError naming what is wrong. */
  setOrg(input: unknown): void;
  /** The provider's error body for a refused control request. */
  controlError(status: number, message: string): unknown;
  /** The message of the 404 for a route that is not a control route. */
  unknownControlRoute(method: string, path: string): string;
  /** Further control routes by `METHOD /__sim/path`: each takes the JSON body and answers 201 with what it returns (throws a TypeError for a bad body). */
  actions?: Readonly<Record<string, (input: unknown) => unknown>>;
}

export function isControlPath(path: string): boolean {
  return path === "/__sim" || path.startsWith("/__sim/");
}

export async function answerControl<E extends RequestLogEntry>(req: IncomingMessage, res: ServerResponse, url: URL, sim: ControlledSimulator<E>): Promise<void> {
  const method = (req.method ?? "GET").toUpperCase();
  const ok = (json: unknown, status = 200): void => send(res, status, JSON_TYPE, JSON.stringify(json));
  const refuse = (status: number, message: string): void => ok(sim.controlError(status, message), status);
  const parseJsonBody = async (): Promise<unknown> => JSON.parse(await readText(req)) as unknown;
  try {
    switch (`${method} ${url.pathname}`) {
      case "POST /__sim/faults":
        sim.faults.add(await parseJsonBody());
        return ok({ ok: true, faults: sim.faults.size }, 201);
      case "DELETE /__sim/faults":
        sim.faults.clear();
        return ok({ ok: true });
      case "GET /__sim/requests":
        return ok({ requests: sim.log.requests, maxConcurrent: sim.log.maxConcurrent });
      case "DELETE /__sim/requests":
        sim.log.clear();
        return ok({ ok: true });
      case "GET /__sim/org":
        return ok(sim.getOrg());
      case "PUT /__sim/org":
        sim.setOrg(await parseJsonBody());
        return ok({ ok: true });
      default: {
        const action = sim.actions?.[`${method} ${url.pathname}`];
        if (action) return ok(action(await parseJsonBody()), 201);
        req.resume();
        return refuse(404, sim.unknownControlRoute(method, url.pathname));
      }
    }
  } catch (err) {
    return refuse(400, err instanceof Error ? err.message : String(err));
  }
}
