/**
 * The log of a simulated API: every request in arrival order, and the most
 * requests it had in flight at once (what a client's concurrency limit is
 * checked against). A provider's log may carry more fields per request
 * (`RequestLog<E>`).
 */
import type { ServerResponse } from "node:http";

export interface RequestLogEntry {
  method: string;
  /**
   * The URL path as received, WITH its version prefix, e.g. "/v1/organization/projects"
   * (unlike `FaultMatch.path`, which omits it).
   */
  path: string;
  /** Query parameters (for a repeated parameter, the last value; `group_by[]` keeps its brackets). */
  query: Record<string, string>;
  status: number;
  /** Arrival time, ms since the epoch. */
  at: number;
  /** The request body, when one was sent: parsed JSON if it parses, else the raw text. */
  body?: unknown;
}

export class RequestLog<E extends RequestLogEntry = RequestLogEntry> {
  /** Live array: the simulator hands it out as is. */
  readonly requests: E[] = [];
  private inFlight = 0;
  private highest = 0;

  /** Highest number of requests in flight at once since start (or the last clear). */
  get maxConcurrent(): number {
    return this.highest;
  }

  /** Counts a request as in flight until its response is closed. */
  track(res: ServerResponse): void {
    this.inFlight++;
    this.highest = Math.max(this.highest, this.inFlight);
    res.once("close", () => {
      this.inFlight--;
    });
  }

  /** Logs `entry` with the request's body (if any) as its last field. */
  add(entry: Omit<E, "body">, bodyText: string): void {
    const logged = entry as E;
    if (bodyText !== "") {
      try {
        logged.body = JSON.parse(bodyText) as unknown;
      } catch {
        logged.body = bodyText;
      }
    }
    this.requests.push(logged);
  }

  /** Empties `requests` in place; maxConcurrent starts again from the requests in flight now. */
  clear(): void {
    this.requests.length = 0;
    this.highest = this.inFlight;
  }
}
