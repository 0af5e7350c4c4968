import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { z } from "zod";
import { type RawCall, createOpenAIClient } from "../inventory/admin-api.js";
import { RetryBudget, type RetryPolicy, type Sleep, backoffMs, isRetryableStatus, parseRetryAfter } from "../inventory/retry.js";
import { describeZodError } from "../inventory/schemas.js";
import { redact } from "../util/redact.js";
import type { EnrichmentErrorKind } from "./types.js";

export interface EnrichmentApiOptions {
  adminKey: string;
  baseURL: string;
  /** Per-request timeout. */
  timeoutMs: number;
  retry: RetryPolicy;
  fetch?: typeof fetch;
  sleep: Sleep;
}

/** Why a request gave nothing usable; `message` names the endpoint and never contains a secret. */
export interface ApiFailure {
  kind: EnrichmentErrorKind;
  status?: number;
  message: string;
  /** The same request may pass later (network, a retryable status, the retry budget). */
  transient: boolean;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; failure: ApiFailure };

/**
 * The enrichment's Admin API session (a run, or one Workflow step of it), the same rules as the
 * inventory's AdminApi (src/inventory/admin-api.ts), for bodies that are not list pages: the SDK's
 * own retries off, at most `retry.maxAttempts` attempts per request, waits capped and drawn from one
 * retry budget, a per-request timeout, and failures that never carry the API's own message (it can
 * echo the presented key), only its status, code and type.
 */
export class EnrichmentApi {
  readonly client: OpenAI;
  requests = 0;
  /** Set on the first 401: the key is refused, so no further request is made. */
  authFailure: ApiFailure | undefined;
  private readonly budget: RetryBudget;

  constructor(private readonly options: EnrichmentApiOptions) {
    this.budget = new RetryBudget(options.retry);
    this.client = createOpenAIClient(options, () => this.requests++, options.fetch);
  }

  /** GETs one page of `endpoint` (a label for messages) and validates it with `schema`. */
  async get<T>(endpoint: string, schema: z.ZodType<T>, call: (client: OpenAI) => RawCall): Promise<ApiResult<T>> {
    for (let attempt = 1; ; attempt++) {
      if (this.authFailure) return { ok: false, failure: this.authFailure };
      const outcome = await this.attempt(endpoint, schema, call);
      if (outcome.ok) return outcome;
      const { failure, retryAfterMs } = outcome;
      if (failure.kind === "auth" && failure.status === 401) this.authFailure = failure;
      if (!failure.transient || failure.kind === "budget_exhausted") return { ok: false, failure };
      if (attempt >= this.options.retry.maxAttempts) {
        return { ok: false, failure: { ...failure, message: `${failure.message} (gave up after ${attempt} attempts)` } };
      }
      const waitMs = retryAfterMs ?? backoffMs(this.options.retry, attempt);
      if (waitMs > this.options.retry.maxDelayMs) {
        const cap = Math.ceil(this.options.retry.maxDelayMs / 1000);
        return { ok: false, failure: { ...failure, message: `${failure.message}; Retry-After of ${Math.ceil(waitMs / 1000)} s exceeds the ${cap} s cap` } };
      }
      if (!this.budget.take(waitMs)) {
        const budget = Math.ceil(this.options.retry.budgetMs / 1000);
        return { ok: false, failure: { ...failure, kind: "budget_exhausted", message: `${failure.message}; the retry budget of ${budget} s is used up` } };
      }
      await this.options.sleep(waitMs);
    }
  }

  private async attempt<T>(
    endpoint: string,
    schema: z.ZodType<T>,
    call: (client: OpenAI) => RawCall,
  ): Promise<{ ok: true; value: T } | { ok: false; failure: ApiFailure; retryAfterMs?: number }> {
    let body: unknown;
    try {
      const response = await call(this.client).asResponse();
      body = JSON.parse(await response.text());
    } catch (thrown) {
      return this.classify(endpoint, thrown);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      return { ok: false, failure: { kind: "invalid_shape", transient: false, message: `${endpoint}: unexpected response (${this.clean(describeZodError(parsed.error))})` } };
    }
    return { ok: true, value: parsed.data };
  }

  private classify(endpoint: string, thrown: unknown): { ok: false; failure: ApiFailure; retryAfterMs?: number } {
    if (thrown instanceof APIConnectionTimeoutError) {
      return { ok: false, failure: { kind: "network", transient: true, message: `${endpoint}: request timed out after ${this.options.timeoutMs} ms` } };
    }
    if (thrown instanceof APIConnectionError) {
      return { ok: false, failure: { kind: "network", transient: true, message: `${endpoint}: could not connect to the Admin API` } };
    }
    if (thrown instanceof APIError && typeof thrown.status === "number") {
      const status = thrown.status;
      const detail = [thrown.code, thrown.type].filter(Boolean).join(", ");
      const suffix = detail ? ` (${this.clean(detail)})` : "";
      if (status === 401 || status === 403) {
        return { ok: false, failure: { kind: "auth", status, transient: false, message: `${endpoint} answered HTTP ${status}${suffix}` } };
      }
      const retryAfterMs = parseRetryAfter(thrown.headers?.get("retry-after"), Date.now());
      return {
        ok: false,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        failure: { kind: "http", status, transient: isRetryableStatus(status), message: `${endpoint} answered HTTP ${status}${suffix}` },
      };
    }
    if (thrown instanceof SyntaxError) {
      return { ok: false, failure: { kind: "invalid_json", transient: false, message: `${endpoint}: the response body is not valid JSON` } };
    }
    const name = thrown instanceof Error ? thrown.name : typeof thrown;
    return { ok: false, failure: { kind: "network", transient: false, message: `${endpoint}: unexpected ${this.clean(name)}` } };
  }

  private clean(text: string): string {
    return redact(text, [this.options.adminKey]);
  }
}
