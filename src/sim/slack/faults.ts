/**
 * Fault injection for the fake Slack: a fault hits calls of one method
 * (narrowed by channel, thread, email or user) and answers a rate limit, a
 * Slack error or an HTTP failure instead. Faults are matched (and consumed)
 * before authentication, like an edge rate limiter.
 */
import type { Reply } from "../http.js";
import { slackError } from "./reply.js";
import type { SlackFault, SlackFaultEffect } from "./types.js";

export class SlackFaults {
  private readonly active: { fault: SlackFault; remaining: number }[] = [];

  /** How many faults were added since the last clear (used up ones included). */
  get size(): number {
    return this.active.length;
  }

  add(fault: SlackFault): void {
    if (!fault || typeof fault.method !== "string" || !fault.effect) throw new Error("fault needs method and effect");
    this.active.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  }

  clear(): void {
    this.active.length = 0;
  }

  /** The effect of the first fault that matches this call (consumed), or null. */
  take(method: string, body: Record<string, unknown> = {}): SlackFaultEffect | null {
    const channel = body["channel"] ?? body["channel_id"];
    const threaded = typeof body["thread_ts"] === "string";
    const email = typeof body["email"] === "string" ? body["email"].toLowerCase() : undefined;
    for (const active of this.active) {
      const { fault } = active;
      if (active.remaining <= 0 || fault.method !== method) continue;
      if (fault.channel !== undefined && fault.channel !== channel) continue;
      if (fault.threaded !== undefined && fault.threaded !== threaded) continue;
      if (fault.email !== undefined && fault.email.toLowerCase() !== email) continue;
      if (fault.user !== undefined && fault.user !== body["users"]) continue;
      active.remaining--;
      return fault.effect;
    }
    return null;
  }
}

export function faultReply(effect: SlackFaultEffect): Reply {
  switch (effect.kind) {
    case "ratelimit":
      return { status: 429, headers: { "retry-after": String(effect.retryAfter) }, json: { ok: false, error: "ratelimited" } };
    case "error":
      return slackError(effect.error);
    case "http":
      return { status: effect.status, json: effect.body ?? `fake slack: HTTP ${effect.status}` };
  }
}
