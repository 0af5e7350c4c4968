import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { z } from "zod";
import { redact } from "../util/redact.js";
import { type ListEnvelope, describeZodError, listEnvelope } from "./schemas.js";
import {
  RetryBudget,
  type RetryPolicy,
  type Sleep,
  backoffMs,
  isRetryableStatus,
  parseRetryAfter,
} from "./retry.js";
import { type InventoryError, type InventoryScope, describeScope } from "./types.js";

export interface AdminApiOptions {
  adminKey: string;
  baseURL: string;
  /** Per-request timeout. */
  timeoutMs: number;
  retry: RetryPolicy;
  fetch?: typeof fetch;
  sleep: Sleep;
}

/** An SDK call whose raw response Keywarden reads itself, to validate the exact body the API sent. */
export type RawCall = { asResponse(): Promise<Response> };

export type PageResult = { ok: true; page: ListEnvelope } | { ok: false; error: InventoryError };

/** The OpenAI SDK client configured explicitly: with nodejs_compat it would otherwise read process.env. */
export function createOpenAIClient(options: Pick<AdminApiOptions, "adminKey" | "baseURL" | "timeoutMs">, count: () => void, baseFetch: typeof fetch = fetch): OpenAI {
  return new OpenAI({
    adminAPIKey: options.adminKey,
    apiKey: "unused-admin-api-only",
    baseURL: options.baseURL,
    organization: null,
    project: null,
    maxRetries: 0,
    timeout: options.timeoutMs,
    // Called as a plain function: workerd's fetch throws "Illegal invocation" when called as a method.
    fetch: (input, init) => {
      count();
      return baseFetch(input, init);
    },
  });
}

/**
 * One Admin API session (a run, or one slice of it): every request draws on one
 * retry budget, and every failure becomes an InventoryError
 * whose message never contains a secret.
 */
export class AdminApi {
  readonly client: OpenAI;
  requests = 0;
  /** Set on the first 401: the key is wrong, so no further request is made. */
  authFailure: InventoryError | undefined;
  private readonly budget: RetryBudget;

  constructor(private readonly options: AdminApiOptions) {
    this.budget = new RetryBudget(options.retry);
    this.client = createOpenAIClient(options, () => this.requests++, options.fetch);
  }

  /** Fetches one list page and checks its envelope; items are validated by the caller. */
  async page(scope: InventoryScope, call: (client: OpenAI) => RawCall): Promise<PageResult> {
    for (let attempt = 1; ; attempt++) {
      if (this.authFailure) return { ok: false, error: { ...this.authFailure, scope } };
      const outcome = await this.attempt(scope, call);
      if (outcome.ok) return outcome;
      const { error, retryAfterMs } = outcome;
      if (error.kind === "auth" && error.status === 401) this.authFailure = error;
      if (!outcome.retryable) return { ok: false, error };
      if (attempt >= this.options.retry.maxAttempts) {
        return { ok: false, error: { ...error, message: `${error.message} (gave up after ${attempt} attempts)` } };
      }
      const waitMs = retryAfterMs ?? backoffMs(this.options.retry, attempt);
      if (waitMs > this.options.retry.maxDelayMs) {
        return {
          ok: false,
          error: { ...error, message: `${error.message}; Retry-After of ${Math.ceil(waitMs / 1000)} s exceeds the ${Math.ceil(this.options.retry.maxDelayMs / 1000)} s cap` },
        };
      }
      if (!this.budget.take(waitMs)) {
        return { ok: false, error: { ...error, kind: "budget_exhausted", message: `${error.message}; the run's retry budget of ${Math.ceil(this.options.retry.budgetMs / 1000)} s is used up` } };
      }
      await this.options.sleep(waitMs);
    }
  }

  private async attempt(
    scope: InventoryScope,
    call: (client: OpenAI) => RawCall,
  ): Promise<{ ok: true; page: ListEnvelope } | { ok: false; error: InventoryError; retryable: boolean; retryAfterMs?: number }> {
    let body: unknown;
    try {
      const response = await call(this.client).asResponse();
      body = JSON.parse(await response.text());
    } catch (thrown) {
      return this.classify(scope, thrown);
    }
    const parsed = listEnvelope.safeParse(body);
    if (!parsed.success) {
      return {
        ok: false,
        retryable: false,
        error: { scope, kind: "invalid_shape", message: `${describeScope(scope)}: response is not a list page (${this.clean(describeZodError(parsed.error))})` },
      };
    }
    return { ok: true, page: parsed.data };
  }

  private classify(scope: InventoryScope, thrown: unknown): { ok: false; error: InventoryError; retryable: boolean; retryAfterMs?: number } {
    const where = describeScope(scope);
    if (thrown instanceof APIConnectionTimeoutError) {
      return { ok: false, retryable: true, error: { scope, kind: "network", message: `${where}: request timed out after ${this.options.timeoutMs} ms` } };
    }
    if (thrown instanceof APIConnectionError) {
      return { ok: false, retryable: true, error: { scope, kind: "network", message: `${where}: could not connect to the Admin API` } };
    }
    if (thrown instanceof APIError && typeof thrown.status === "number") {
      const status = thrown.status;
      // The API's own message can echo the presented key: only its code and type are kept.
      const detail = [thrown.code, thrown.type].filter(Boolean).join(", ");
      const suffix = detail ? ` (${this.clean(detail)})` : "";
      if (status === 401 || status === 403) {
        const reason = status === 401 ? "the Admin API rejected the admin key" : "the admin key lacks permission";
        return { ok: false, retryable: false, error: { scope, kind: "auth", status, message: `${where}: HTTP ${status}: ${reason}${suffix}` } };
      }
      const retryAfterMs = parseRetryAfter(thrown.headers?.get("retry-after"), Date.now());
      return {
        ok: false,
        retryable: isRetryableStatus(status),
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        error: { scope, kind: "http", status, message: `${where}: HTTP ${status}${suffix}` },
      };
    }
    if (thrown instanceof SyntaxError) {
      return { ok: false, retryable: false, error: { scope, kind: "invalid_json", message: `${where}: response body is not valid JSON` } };
    }
    const name = thrown instanceof Error ? thrown.name : typeof thrown;
    return { ok: false, retryable: false, error: { scope, kind: "network", message: `${where}: unexpected ${this.clean(name)}` } };
  }

  private clean(text: string): string {
    return redact(text, [this.options.adminKey]);
  }
}

/** Validates each item of a page on its own, so one bad key does not hide the others. */
export function validateItems<T>(
  scope: InventoryScope,
  items: readonly unknown[],
  schema: z.ZodType<T>,
  adminKey: string,
): { valid: T[]; errors: InventoryError[] } {
  const valid: T[] = [];
  const errors: InventoryError[] = [];
  for (const [index, item] of items.entries()) {
    const parsed = schema.safeParse(item);
    if (parsed.success) {
      valid.push(parsed.data);
      continue;
    }
    const id = typeof item === "object" && item !== null && typeof (item as { id?: unknown }).id === "string" ? (item as { id: string }).id : undefined;
    errors.push({
      scope,
      kind: "invalid_shape",
      message: redact(`${describeScope(scope)}: item ${id ? `"${id}"` : `#${index}`} could not be read: ${describeZodError(parsed.error)}`, [adminKey]),
    });
  }
  return { valid, errors };
}
