/**
 * The retry policy, in one place: one layer retries a request, and no layer above multiplies it.
 *
 * 1. The client that sends a request retries it, and nothing else does: the Admin API session
 *    (src/providers/openai/admin-api.ts, the OpenAI SDK's own retries off) and the Slack client
 *    (src/slack/transport.ts, @slack/web-api's own retries off). A request is tried at most `maxAttempts`
 *    times; a Retry-After is honoured (else backoff with jitter); no single wait is longer than
 *    `maxDelayMs`, and every wait is drawn from one budget per session (a run, a slice, a step): a
 *    run must never hang, so the SDKs' unbounded waits (up to a minute per attempt) are not used.
 * 2. What the client gave up on after all its attempts is final for that step: the run records it
 *    (an inventory page not seen makes the run incomplete). So one page that keeps failing is asked
 *    `maxAttempts` times in all, not once more per attempt of its Workflow step.
 * 3. A Workflow step is tried again (stepWithRetries, src/worker/step-retries.ts, after a durable
 *    sleep that holds no isolate) only for what its client did not retry to the end: a wait longer
 *    than it may hold an isolate for (a Retry-After above `maxDelayMs`, the budget used up:
 *    AdminSession.deferred). The step's own `retries` (its Workflow config) are for what is thrown:
 *    D1 or R2 failing, an isolate lost. A step body answers an API failure, it never throws one.
 * 4. The one exception: a Slack delivery (hundreds of calls) cut short is resumed by the next attempt
 *    of its step where it stopped, so the call that failed is asked again by a client that retries it:
 *    at most 3 × 3 times for a 5xx that lasts, minutes apart. A channel report is worth that wait.
 */
import type { InventoryError } from "../model/inventory.js";

/** How the Admin API client retries a request (see the policy above). */
export interface RetryPolicy {
  /** Attempts per request, the first one included. */
  maxAttempts: number;
  /** First backoff when the server gives no Retry-After; doubles per attempt. */
  baseDelayMs: number;
  /** Longest single wait. A Retry-After above it fails the request instead of waiting. */
  maxDelayMs: number;
  /** Total waiting allowed across the whole run. */
  budgetMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  budgetMs: 120_000,
};

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The waiting one session may still do, all its requests together. */
export class RetryBudget {
  private remainingMs: number;
  constructor(policy: Pick<RetryPolicy, "budgetMs">) {
    this.remainingMs = policy.budgetMs;
  }
  /** Takes `ms` from the budget; false when not enough is left. */
  take(ms: number): boolean {
    if (ms > this.remainingMs) return false;
    this.remainingMs -= ms;
    return true;
  }
}

/** Retry-After is either delay-seconds or an HTTP date. Returns ms, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.ceil(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

/** The one definition of an HTTP answer that may pass if asked again (the client retries it). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** An error (inventory or enrichment) that may pass on a later attempt: the network, a retryable status, or a retry budget used up. */
export function isTransientError<E extends Pick<InventoryError, "status"> & { kind: string }>(error: E): boolean {
  return error.kind === "network" || error.kind === "budget_exhausted" || (error.kind === "http" && isRetryableStatus(error.status ?? 0));
}

/** Backoff with full jitter when the server did not say how long to wait. */
export function backoffMs(policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
