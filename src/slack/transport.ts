/** How every Slack Web API call travels: fetch made to work in workerd, and the one retry policy. */
import type { FetchFunction } from "@slack/web-api";
import { RetryBudget, type Sleep, backoffMs, parseRetryAfter } from "../util/retry.js";

/**
 * How the client retries a call (the retry policy of src/util/retry.ts): in its transport alone, the
 * SDK's own retries off. The SDK's default (10 retries over ~30 minutes, and any Retry-After followed
 * in full) would hold a Workflow step or a `waitUntil` for far too long; a delivery that cannot finish
 * within about a minute fails fast instead, is recorded on the run, and the durable run resumes it later.
 */
export interface SlackRetryPolicy {
  /** Retries after a network error, a timeout or a non-200 other than 429. */
  retries: number;
  /** Backoff between those retries: min, doubling, up to max. */
  minBackoffMs: number;
  maxBackoffMs: number;
  /** 429: the longest Retry-After honored; a longer one fails the call at once. */
  maxRetryAfterMs: number;
  /** 429: retries per call. */
  maxRateLimitRetries: number;
  /** 429: total waiting on Retry-After over the client's life (one delivery). */
  rateLimitBudgetMs: number;
  /** Per HTTP attempt. */
  timeoutMs: number;
}

export const DEFAULT_SLACK_RETRY: SlackRetryPolicy = {
  retries: 2,
  minBackoffMs: 1000,
  maxBackoffMs: 4000,
  maxRetryAfterMs: 30_000,
  maxRateLimitRetries: 3,
  rateLimitBudgetMs: 60_000,
  timeoutMs: 15_000,
};

/**
 * The one place a Slack call is retried. A 429 waits its Retry-After (at most `maxRateLimitRetries`
 * times, each wait within `maxRetryAfterMs` and all of them within `rateLimitBudgetMs`), else it goes
 * to the SDK, which fails the call with the wait Slack asked for. A network error, a timeout or another
 * non-200 is tried again `retries` times after a backoff of min…2 × min, doubling, up to max.
 */
export function slackTransport(baseFetch: typeof fetch, policy: SlackRetryPolicy, sleep: Sleep): FetchFunction {
  const rateLimitBudget = new RetryBudget({ budgetMs: policy.rateLimitBudgetMs });
  const backoff = { baseDelayMs: 2 * policy.minBackoffMs, maxDelayMs: policy.maxBackoffMs };
  return async (url: string | URL, init?: Parameters<FetchFunction>[1]) => {
    const { redirect, signal: _ignored, ...rest } = init ?? {};
    const request: RequestInit = { ...rest, redirect: redirect === "follow" ? "follow" : "manual" };
    let rateLimited = 0;
    let failed = 0;
    for (;;) {
      let response: Response;
      try {
        response = await baseFetch(url, { ...request, signal: AbortSignal.timeout(policy.timeoutMs) });
      } catch (error) {
        if (failed >= policy.retries) throw error;
        await sleep(backoffMs(backoff, ++failed));
        continue;
      }
      if (response.status === 429) {
        const waitMs = parseRetryAfter(response.headers.get("retry-after"), Date.now());
        if (waitMs === undefined || rateLimited >= policy.maxRateLimitRetries || waitMs > policy.maxRetryAfterMs || !rateLimitBudget.take(waitMs)) return response;
        rateLimited++;
        await response.body?.cancel();
        await sleep(waitMs);
        continue;
      }
      if (response.status === 200 || failed >= policy.retries) return response;
      await response.body?.cancel();
      await sleep(backoffMs(backoff, ++failed));
    }
  };
}
