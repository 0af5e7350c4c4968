import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import type { z } from "zod";
import { redact } from "../../util/redact.js";
import { type ListEnvelope, describeZodError, listEnvelope } from "./schemas.js";
import {
  RetryBudget,
  type RetryPolicy,
  type Sleep,
  backoffMs,
  isRetryableStatus,
  parseRetryAfter,
} from "../../util/retry.js";
import { type InventoryError, type InventoryScope, describeScope } from "../../model/inventory.js";

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
 * What went wrong with one attempt, before a caller words it as its own error. It never carries the
 * API's own message (it can echo the presented key), only its status, code and type (`suffix`).
 */
export type AttemptFault =
  /** `said`: "request timed out after … ms", "could not connect to the Admin API", "unexpected TypeError". */
  | { kind: "network"; retryable: boolean; said: string }
  /** 401/403; `suffix` is " (code, type)" or "". */
  | { kind: "auth"; status: number; retryable: false; suffix: string }
  | { kind: "http"; status: number; retryable: boolean; retryAfterMs?: number; suffix: string }
  | { kind: "invalid_json"; retryable: false }
  /** `issues`: what the schema found, redacted. */
  | { kind: "invalid_shape"; retryable: false; issues: string };

/** How a session words its errors: `C` says which request it was (a scope, an endpoint), `E` is the caller's error. */
export interface SessionWording<C, E> {
  fault(context: C, fault: AttemptFault): E;
  /** The error of a request made after an earlier one got a 401. */
  refused(context: C, first: E): E;
  /** Named in the message when the retry budget runs out ("the run's retry budget"). */
  budget: string;
}

/** An error the retry loop can amend; its kind must allow "budget_exhausted". */
export interface SessionError {
  kind: string;
  status?: number;
  message: string;
}

export type SessionResult<T, E> = { ok: true; value: T } | { ok: false; error: E };

/**
 * One Admin API session (a run, a slice or a step of it), whoever reads it: the one layer that
 * retries a request (src/util/retry.ts): the SDK's own retries off, at most `retry.maxAttempts`
 * attempts per request, Retry-After honoured, waits capped and drawn from one retry budget, a
 * per-request timeout, no request after a 401, and failures that never contain a secret.
 */
export class AdminSession<C, E extends SessionError> {
  readonly client: OpenAI;
  requests = 0;
  /** Set on the first 401: the key is wrong, so no further request is made. */
  authFailure: E | undefined;
  /**
   * Failures given up before their attempts were spent because the wait was longer than a session may
   * hold an isolate for (a Retry-After above the cap, the budget used up): the only ones a later,
   * durable attempt of the Workflow step is for (src/util/retry.ts).
   */
  readonly deferred: E[] = [];
  private readonly budget: RetryBudget;

  constructor(
    private readonly options: AdminApiOptions,
    private readonly wording: SessionWording<C, E>,
  ) {
    this.budget = new RetryBudget(options.retry);
    this.client = createOpenAIClient(options, () => this.requests++, options.fetch);
  }

  /** Makes the request `call` (described by `context`) and validates its body with `schema`, retrying what may pass. */
  async request<T>(context: C, schema: z.ZodType<T>, call: (client: OpenAI) => RawCall): Promise<SessionResult<T, E>> {
    const { retry } = this.options;
    for (let attempt = 1; ; attempt++) {
      if (this.authFailure) return { ok: false, error: this.wording.refused(context, this.authFailure) };
      const outcome = await this.attempt(schema, call);
      if (outcome.ok) return outcome;
      const { fault } = outcome;
      const error = this.wording.fault(context, fault);
      if (fault.kind === "auth" && fault.status === 401) this.authFailure = error;
      if (!fault.retryable) return { ok: false, error };
      if (attempt >= retry.maxAttempts) {
        return { ok: false, error: { ...error, message: `${error.message} (gave up after ${attempt} attempts)` } };
      }
      const waitMs = (fault.kind === "http" ? fault.retryAfterMs : undefined) ?? backoffMs(retry, attempt);
      if (waitMs > retry.maxDelayMs) {
        const cap = Math.ceil(retry.maxDelayMs / 1000);
        return this.defer({ ...error, message: `${error.message}; Retry-After of ${Math.ceil(waitMs / 1000)} s exceeds the ${cap} s cap` });
      }
      if (!this.budget.take(waitMs)) {
        const budget = Math.ceil(retry.budgetMs / 1000);
        return this.defer({ ...error, kind: "budget_exhausted", message: `${error.message}; ${this.wording.budget} of ${budget} s is used up` });
      }
      await this.options.sleep(waitMs);
    }
  }

  private defer(error: E): { ok: false; error: E } {
    this.deferred.push(error);
    return { ok: false, error };
  }

  private async attempt<T>(schema: z.ZodType<T>, call: (client: OpenAI) => RawCall): Promise<{ ok: true; value: T } | { ok: false; fault: AttemptFault }> {
    let body: unknown;
    try {
      const response = await call(this.client).asResponse();
      body = JSON.parse(await response.text());
    } catch (thrown) {
      return { ok: false, fault: this.classify(thrown) };
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) return { ok: false, fault: { kind: "invalid_shape", retryable: false, issues: this.clean(describeZodError(parsed.error)) } };
    return { ok: true, value: parsed.data };
  }

  private classify(thrown: unknown): AttemptFault {
    if (thrown instanceof APIConnectionTimeoutError) {
      return { kind: "network", retryable: true, said: `request timed out after ${this.options.timeoutMs} ms` };
    }
    if (thrown instanceof APIConnectionError) return { kind: "network", retryable: true, said: "could not connect to the Admin API" };
    if (thrown instanceof APIError && typeof thrown.status === "number") {
      const status = thrown.status;
      // The API's own message can echo the presented key: only its code and type are kept.
      const detail = [thrown.code, thrown.type].filter(Boolean).join(", ");
      const suffix = detail ? ` (${this.clean(detail)})` : "";
      if (status === 401 || status === 403) return { kind: "auth", status, retryable: false, suffix };
      const retryAfterMs = parseRetryAfter(thrown.headers?.get("retry-after"), Date.now());
      return { kind: "http", status, retryable: isRetryableStatus(status), suffix, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    }
    if (thrown instanceof SyntaxError) return { kind: "invalid_json", retryable: false };
    const name = thrown instanceof Error ? thrown.name : typeof thrown;
    return { kind: "network", retryable: false, said: `unexpected ${this.clean(name)}` };
  }

  private clean(text: string): string {
    return redact(text, [this.options.adminKey]);
  }
}

/** An inventory request's failure, as an InventoryError. */
function inventoryError(scope: InventoryScope, fault: AttemptFault): InventoryError {
  const where = describeScope(scope);
  switch (fault.kind) {
    case "network":
      return { scope, kind: "network", message: `${where}: ${fault.said}` };
    case "auth": {
      const reason = fault.status === 401 ? "the Admin API rejected the admin key" : "the admin key lacks permission";
      return { scope, kind: "auth", status: fault.status, message: `${where}: HTTP ${fault.status}: ${reason}${fault.suffix}` };
    }
    case "http":
      return { scope, kind: "http", status: fault.status, message: `${where}: HTTP ${fault.status}${fault.suffix}` };
    case "invalid_json":
      return { scope, kind: "invalid_json", message: `${where}: response body is not valid JSON` };
    case "invalid_shape":
      return { scope, kind: "invalid_shape", message: `${where}: response is not a list page (${fault.issues})` };
  }
}

/**
 * The inventory's Admin API session (a run, or one slice of it): every request draws on one
 * retry budget, and every failure becomes an InventoryError whose message never contains a secret.
 */
export class AdminApi extends AdminSession<InventoryScope, InventoryError> {
  constructor(options: AdminApiOptions) {
    super(options, { fault: inventoryError, refused: (scope, first) => ({ ...first, scope }), budget: "the run's retry budget" });
  }

  /** Fetches one list page and checks its envelope; items are validated by the caller. */
  async page(scope: InventoryScope, call: (client: OpenAI) => RawCall): Promise<PageResult> {
    const result = await this.request(scope, listEnvelope, call);
    return result.ok ? { ok: true, page: result.value } : result;
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
