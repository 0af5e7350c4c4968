import {
  type FetchFunction,
  LogLevel,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  type WebAPICallResult,
  WebClient,
  type WebClientOptions,
} from "@slack/web-api";
import { RetryBudget, type Sleep, backoffMs, parseRetryAfter, realSleep } from "../util/retry.js";
import { redact } from "../util/redact.js";
import type { RenderedSlackReport } from "./render.js";

export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";

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

export interface SlackClientOptions {
  token: string;
  /** SLACK_API_URL; default https://slack.com/api/ */
  apiUrl?: string;
  retry?: Partial<SlackRetryPolicy>;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  sleep?: Sleep;
  /**
   * Every secret that must never reach Slack (pass Config.secrets; required, so that no client is
   * built without them). The client's own token and anything shaped like an OpenAI or Slack secret
   * are redacted besides.
   */
  secrets: readonly (string | undefined)[];
}

/**
 * A `WebClient` that works in workerd and in Node. Its transport calls fetch
 * as a plain function (workerd's fetch throws "Illegal invocation" when called
 * as the client's method) and turns the SDK's `redirect: "error"` into
 * `"manual"` (workerd refuses "error"; Slack never redirects, and a 3xx then
 * surfaces as an HTTP error). Rate limits are handled in the transport, see
 * `SlackRetryPolicy`.
 *
 * It is the one choke point of text sent to Slack: every Web API call's arguments are redacted
 * (`RedactingWebClient`), whatever code built them. The bytes of an uploaded file go straight to
 * Slack's upload URL, not through a Web API call: whoever uploads redacts them (deliverReport does).
 */
export function createSlackClient(opts: SlackClientOptions): WebClient {
  const policy = { ...DEFAULT_SLACK_RETRY, ...opts.retry };
  const baseFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  return new RedactingWebClient(opts.token, [...opts.secrets, opts.token], {
    slackApiUrl: opts.apiUrl ?? DEFAULT_SLACK_API_URL,
    fetch: slackTransport(baseFetch, policy, opts.sleep ?? realSleep),
    // The transport retried what it was willing to: what reaches the SDK fails the call at once.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    logLevel: LogLevel.ERROR,
  });
}

/** A WebClient whose every call (chat.postMessage, chat.update, views.open, …) goes out with its arguments redacted. */
class RedactingWebClient extends WebClient {
  constructor(
    token: string,
    private readonly secrets: readonly (string | undefined)[],
    options: WebClientOptions,
  ) {
    super(token, options);
  }

  override apiCall(method: string, options?: Record<string, unknown>): Promise<WebAPICallResult> {
    return super.apiCall(method, options === undefined ? undefined : redactArguments(options, this.secrets));
  }
}

/** Every string in plain objects and arrays, redacted; a `token` argument (authentication) and anything else (a Buffer, a stream) untouched. */
function redactArguments<T>(value: T, secrets: readonly (string | undefined)[]): T {
  if (typeof value === "string") return redact(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item) => redactArguments(item, secrets)) as T;
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === "token" ? item : redactArguments(item, secrets)])) as T;
  }
  return value;
}

/**
 * The one place a Slack call is retried. A 429 waits its Retry-After (at most `maxRateLimitRetries`
 * times, each wait within `maxRetryAfterMs` and all of them within `rateLimitBudgetMs`), else it goes
 * to the SDK, which fails the call with the wait Slack asked for. A network error, a timeout or another
 * non-200 is tried again `retries` times after a backoff of min…2 × min, doubling, up to max.
 */
function slackTransport(baseFetch: typeof fetch, policy: SlackRetryPolicy, sleep: Sleep): FetchFunction {
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

export type DeliveryStage = "main" | "thread" | "file";

export type DeliveryResult =
  | { ok: true; channel: string; ts: string; thread_messages: number; thread_ts: string[]; findings_delivered: number; file_id?: string }
  | {
      ok: false;
      stage: DeliveryStage;
      /** Slack's error code or what went wrong, redacted. */
      error: string;
      /** Set when Slack asked to wait: retry no sooner than this many seconds. */
      retry_after?: number;
      /** What was posted before the failure; pass it back as `resume` to continue without posting twice. */
      posted: PostedSoFar;
    };

/** What a delivery posted before it stopped: the main message, and the replies in order (their ts, when known). */
export interface PostedSoFar {
  channel?: string;
  ts?: string;
  thread_messages: number;
  thread_ts?: string[];
}

export interface DeliverOptions {
  /** Every secret that must not appear in an error (the bot token is added automatically). */
  secrets: readonly (string | undefined)[];
  /** Continue a delivery that failed part-way (the `posted` of its failure). */
  resume?: PostedSoFar;
  /**
   * Pause between chat.postMessage calls past the first BURST_MESSAGES of this delivery: Slack allows
   * about 1 message per second per channel, with "generous burst behavior". Default 1000.
   */
  pauseBetweenMessagesMs?: number;
  sleep?: Sleep;
}

/** Messages a delivery posts back to back before it paces the rest (Slack grants short bursts per channel). */
export const BURST_MESSAGES = 3;

/**
 * Posts the main message, then each thread message as a reply, then uploads
 * the CSV into the thread (only when there are findings). Never throws for a
 * Slack or network error: it returns where it stopped and why.
 */
export async function deliverReport(client: WebClient, rendered: RenderedSlackReport, opts: DeliverOptions): Promise<DeliveryResult> {
  const secrets = [...opts.secrets, client.token];
  const sleep = opts.sleep ?? realSleep;
  const pause = opts.pauseBetweenMessagesMs ?? 1000;
  const posted: PostedSoFar & { thread_ts: string[] } = {
    ...opts.resume,
    thread_messages: opts.resume?.ts ? opts.resume.thread_messages : 0,
    thread_ts: opts.resume?.ts ? [...(opts.resume.thread_ts ?? [])] : [],
  };
  const fail = (stage: DeliveryStage, error: unknown): DeliveryResult => {
    const described = describeError(error);
    return {
      ok: false,
      stage,
      error: redact(described.error, secrets),
      ...(described.retryAfter !== undefined ? { retry_after: described.retryAfter } : {}),
      posted: { ...posted },
    };
  };

  if (!posted.ts || !posted.channel) {
    try {
      const res = await client.chat.postMessage({ ...redactMessage(rendered.main, secrets), unfurl_links: false, unfurl_media: false });
      if (!res.ts || !res.channel) return fail("main", new Error("chat.postMessage returned no ts or channel"));
      posted.ts = res.ts;
      posted.channel = res.channel;
      posted.thread_messages = 0;
      posted.thread_ts = [];
    } catch (error) {
      return fail("main", error);
    }
  }
  const channel = posted.channel;
  const ts = posted.ts;
  // A resumed delivery posted its burst before it stopped: it paces from its first reply.
  let postedNow = opts.resume?.ts ? BURST_MESSAGES : 1;

  for (let i = posted.thread_messages; i < rendered.thread.length; i++) {
    const message = rendered.thread[i];
    if (!message) continue;
    if (pause > 0 && postedNow >= BURST_MESSAGES) await sleep(pause);
    postedNow++;
    try {
      // The channel id Slack answered with: a reply must go where the parent is.
      const reply = await client.chat.postMessage({ ...redactMessage(message, secrets), channel, thread_ts: ts, unfurl_links: false, unfurl_media: false });
      posted.thread_messages = i + 1;
      // Which reply holds which page: an acceptance later updates exactly that reply, never a message a click names.
      posted.thread_ts[i] = reply.ts ?? "";
    } catch (error) {
      return fail("thread", error);
    }
  }

  let fileId: string | undefined;
  if (rendered.findings_total > 0) {
    try {
      const res = await client.filesUploadV2({
        channel_id: channel,
        thread_ts: ts,
        filename: rendered.csv.filename,
        title: rendered.csv.title,
        content: redact(rendered.csv.content, secrets),
      });
      fileId = uploadedFileId(res);
    } catch (error) {
      return fail("file", error);
    }
  }

  const findingsDelivered = rendered.thread_finding_counts.reduce((n, c) => n + c, 0);
  return {
    ok: true,
    channel,
    ts,
    thread_messages: rendered.thread.length,
    thread_ts: posted.thread_ts,
    findings_delivered: findingsDelivered,
    ...(fileId !== undefined ? { file_id: fileId } : {}),
  };
}

function uploadedFileId(res: unknown): string | undefined {
  // filesUploadV2 → { files: [ completeUploadExternal response { files: [{ id }] } ] }
  const completions = (res as { files?: { files?: { id?: string }[] }[] }).files;
  return completions?.[0]?.files?.[0]?.id;
}

/** Defense in depth: the renderer never puts a secret in a message, and this makes sure. */
function redactMessage<T extends object>(message: T, secrets: readonly (string | undefined)[]): T {
  return JSON.parse(JSON.stringify(message), (_key, value: unknown) => (typeof value === "string" ? redact(value, secrets) : value)) as T;
}

function describeError(error: unknown): { error: string; retryAfter?: number } {
  if (error instanceof WebAPIPlatformError) return { error: error.data.error };
  if (error instanceof WebAPIRateLimitedError) return { error: `ratelimited: retry after ${error.retryAfter} s`, retryAfter: error.retryAfter };
  if (error instanceof WebAPIHTTPError) {
    const body = typeof error.body === "string" ? error.body.slice(0, 200).replace(/\s+/g, " ").trim() : "";
    return { error: `http_${error.statusCode}${body ? `: ${body}` : ""}` };
  }
  if (error instanceof WebAPIRequestError) return { error: `request_failed: ${error.original.message}` };
  return { error: error instanceof Error ? error.message : String(error) };
}

export interface ResponseUrlMessage {
  text: string;
  blocks?: unknown[];
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
  thread_ts?: string;
}

/**
 * Posts a follow-up to a slash command's `response_url` (up to 5 times within
 * 30 minutes of the command). Never throws; the URL itself is a capability
 * and is never put in the error.
 */
export async function postToResponseUrl(
  url: string,
  message: ResponseUrlMessage,
  opts: { secrets?: readonly (string | undefined)[]; fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<{ ok: true } | { ok: false; error: string }> {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const secrets = [...(opts.secrets ?? []), url];
  try {
    const response = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(redactMessage(message, secrets)),
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const body = (await response.text()).slice(0, 200);
    if (response.status === 200) return { ok: true };
    return { ok: false, error: redact(`http_${response.status}${body ? `: ${body}` : ""}`, secrets) };
  } catch (error) {
    return { ok: false, error: redact(`request_failed: ${error instanceof Error ? error.message : String(error)}`, secrets) };
  }
}

/** For other Slack senders (owner messages): the same error wording and defense-in-depth redaction as deliverReport. */
export { describeError as describeSlackError, redactMessage as redactSlackMessage };
