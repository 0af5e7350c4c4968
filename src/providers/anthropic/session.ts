import Anthropic, { APIConnectionError, APIConnectionTimeoutError, APIError } from "@anthropic-ai/sdk";
import type { z } from "zod";
import type { InventoryErrorKind } from "../../model/inventory.js";
import { redact } from "../../util/redact.js";
import { RetryBudget, type RetryPolicy, type Sleep, backoffMs, isRetryableStatus, parseRetryAfter } from "../../util/retry.js";
import { describeZodError } from "./schemas.js";

export interface AnthropicSessionOptions {
  /** The configured account's name, e.g. `anthropic`: every failure names it. */
  account: string;
  /** The organization's Admin API key (`sk-ant-admin…`). */
  adminKey: string;
  /** The API root as the SDK takes it, e.g. `https://api.anthropic.com` (no `/v1`: the SDK's paths carry it). */
  baseURL: string;
  /** Per-request timeout. */
  timeoutMs: number;
  retry: RetryPolicy;
  sleep: Sleep;
  fetch?: typeof fetch;
}

/** What a request's failure can be (a rule's "undecided" is never a request's). */
export type SessionFailureKind = Exclude<InventoryErrorKind, "undecided">;

/** Why a request failed, worded: `message` names the account and what was asked, never a secret. */
export interface SessionFailure {
  kind: SessionFailureKind;
  status?: number;
  message: string;
}

export type SessionResult<T> = { ok: true; value: T } | { ok: false; error: SessionFailure };

/** An SDK call whose raw response Keywarden reads itself, to validate the exact body the API sent. */
export type RawCall = { asResponse(): Promise<Response> };

type Fault =
  | { kind: "network"; retryable: boolean; said: string }
  | { kind: "auth"; status: number; suffix: string }
  | { kind: "http"; status: number; retryable: boolean; retryAfterMs?: number; suffix: string }
  | { kind: "invalid_json" }
  | { kind: "invalid_shape"; issues: string };

/**
 * The official SDK's client, configured explicitly so that it reads no environment variable, profile
 * or credential file (with nodejs_compat it would otherwise read process.env). With `apiKey`,
 * SDK 1.17.0 sends `Authorization: Bearer <key>` and `anthropic-version: 2026-10-21` (client.js
 * `apiKeyAuth`, `buildHeaders`), not the `x-api-key` + `2023-06-01` of platform-notes §14: the API
 * version decides the shape of the answers, and the SDK's types are those of its own version.
 */
export function createAnthropicClient(options: Pick<AnthropicSessionOptions, "adminKey" | "baseURL" | "timeoutMs">, count: () => void, baseFetch: typeof fetch = fetch): Anthropic {
  return new Anthropic({
    apiKey: options.adminKey,
    baseURL: options.baseURL,
    webhookKey: null,
    maxRetries: 0,
    timeout: options.timeoutMs,
    openTelemetry: false,
    logLevel: "off",
    // Called as a plain function: workerd's fetch throws "Illegal invocation" when called as a method.
    fetch: (input, init) => {
      count();
      return baseFetch(input, init);
    },
  });
}

/**
 * One Admin API session of one Anthropic account: the SDK's own retries off, at most
 * `retry.maxAttempts` attempts per request, waits capped and drawn from one retry budget, a
 * per-request timeout, no request after a 401, and failures that name the account and never
 * contain a secret (the API's own error message is never kept: it may echo the presented key).
 */
export class AnthropicSession {
  readonly client: Anthropic;
  requests = 0;
  /** Set on the first 401: the key is wrong, so no further request is made. */
  authFailure: SessionFailure | undefined;
  private readonly budget: RetryBudget;
  private readonly prefix: string;

  constructor(readonly options: AnthropicSessionOptions) {
    this.budget = new RetryBudget(options.retry);
    this.client = createAnthropicClient(options, () => this.requests++, options.fetch);
    this.prefix = `Anthropic account "${options.account}": `;
  }

  /** Makes the request `call` (described by `what`, e.g. "API keys") and validates its body with `schema`, retrying what may pass. */
  async request<T>(what: string, schema: z.ZodType<T>, call: (client: Anthropic) => RawCall): Promise<SessionResult<T>> {
    const { retry } = this.options;
    for (let attempt = 1; ; attempt++) {
      if (this.authFailure) return { ok: false, error: { ...this.authFailure, message: `${this.where(what)}not requested: the Admin API had rejected the admin key (HTTP 401)` } };
      const outcome = await this.attempt(schema, call);
      if (outcome.ok) return outcome;
      const { fault } = outcome;
      const error = this.word(what, fault);
      if (fault.kind === "auth" && fault.status === 401) this.authFailure = error;
      const retryable = (fault.kind === "network" || fault.kind === "http") && fault.retryable;
      if (!retryable) return { ok: false, error };
      if (attempt >= retry.maxAttempts) return { ok: false, error: { ...error, message: `${error.message} (gave up after ${attempt} attempts)` } };
      const waitMs = (fault.kind === "http" ? fault.retryAfterMs : undefined) ?? backoffMs(retry, attempt);
      if (waitMs > retry.maxDelayMs) {
        const cap = Math.ceil(retry.maxDelayMs / 1000);
        return { ok: false, error: { ...error, message: `${error.message}; Retry-After of ${Math.ceil(waitMs / 1000)} s exceeds the ${cap} s cap` } };
      }
      if (!this.budget.take(waitMs)) {
        const budget = Math.ceil(retry.budgetMs / 1000);
        return { ok: false, error: { ...error, kind: "budget_exhausted", message: `${error.message}; the run's retry budget of ${budget} s is used up` } };
      }
      await this.options.sleep(waitMs);
    }
  }

  /** A failure found by the caller (a page that cannot be followed, an item that does not parse), worded like the others. */
  failure(what: string, kind: SessionFailureKind, detail: string): SessionFailure {
    return { kind, message: this.clean(`${this.where(what)}${detail}`) };
  }

  private where(what: string): string {
    return `${this.prefix}${what}: `;
  }

  private async attempt<T>(schema: z.ZodType<T>, call: (client: Anthropic) => RawCall): Promise<{ ok: true; value: T } | { ok: false; fault: Fault }> {
    let body: unknown;
    try {
      const response = await call(this.client).asResponse();
      body = JSON.parse(await response.text());
    } catch (thrown) {
      return { ok: false, fault: this.classify(thrown) };
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return { ok: false, fault: { kind: "invalid_shape", issues: this.clean(describeZodError(parsed.error)) } };
    return { ok: true, value: parsed.data };
  }

  private classify(thrown: unknown): Fault {
    // APIConnectionError is an APIError without a status: the connection checks come first.
    if (thrown instanceof APIConnectionTimeoutError) return { kind: "network", retryable: true, said: `request timed out after ${this.options.timeoutMs} ms` };
    if (thrown instanceof APIConnectionError) return { kind: "network", retryable: true, said: "could not connect to the Admin API" };
    if (thrown instanceof APIError && typeof thrown.status === "number") {
      const status = thrown.status;
      // error.type and error.details.error_code of the envelope; never error.message.
      const detail = [thrown.type, thrown.errorCode].filter(Boolean).join(", ");
      const suffix = detail ? ` (${this.clean(detail)})` : "";
      if (status === 401 || status === 403) return { kind: "auth", status, suffix };
      const retryAfterMs = parseRetryAfter(thrown.headers?.get("retry-after"), Date.now());
      return { kind: "http", status, retryable: isRetryableStatus(status), suffix, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (thrown instanceof SyntaxError) return { kind: "invalid_json" };
    const name = thrown instanceof Error ? thrown.name : typeof thrown;
    return { kind: "network", retryable: false, said: `unexpected ${this.clean(name)}` };
  }

  private word(what: string, fault: Fault): SessionFailure {
    const where = this.where(what);
    switch (fault.kind) {
      case "network":
        return { kind: "network", message: `${where}${fault.said}` };
      case "auth": {
        const reason = fault.status === 401 ? "the Admin API rejected the admin key" : "the admin key lacks permission";
        return { kind: "auth", status: fault.status, message: `${where}HTTP ${fault.status}: ${reason}${fault.suffix}` };
      }
      case "http":
        return { kind: "http", status: fault.status, message: `${where}HTTP ${fault.status}${fault.suffix}` };
      case "invalid_json":
        return { kind: "invalid_json", message: `${where}response body is not valid JSON` };
      case "invalid_shape":
        return { kind: "invalid_shape", message: `${where}response does not match the SDK's types (${fault.issues})` };
    }
  }

  private clean(text: string): string {
    return redact(text, [this.options.adminKey]);
  }
}
