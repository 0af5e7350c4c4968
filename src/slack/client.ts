import { LogLevel, type WebAPICallResult, WebClient, type WebClientOptions } from "@slack/web-api";
import { type Sleep, realSleep } from "../util/retry.js";
import { redact } from "../util/redact.js";
import { DEFAULT_SLACK_RETRY, type SlackRetryPolicy, slackTransport } from "./transport.js";

export const DEFAULT_SLACK_API_URL = "https://slack.com/api/";

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
