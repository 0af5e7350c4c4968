import type OpenAI from "openai";
import type { z } from "zod";
import { type AdminApiOptions, AdminSession, type AttemptFault, type RawCall } from "./admin-api.js";
import type { EnrichmentErrorKind } from "../../model/enrichment.js";

export type EnrichmentApiOptions = AdminApiOptions;

/** Why a request gave nothing usable; `message` names the endpoint and never contains a secret. */
export interface ApiFailure {
  kind: EnrichmentErrorKind;
  status?: number;
  message: string;
  /** The same request may pass later (network, a retryable status, the retry budget). */
  transient: boolean;
}

export type ApiResult<T> = { ok: true; value: T } | { ok: false; failure: ApiFailure };

/** An enrichment request's failure, worded for `endpoint`. */
function apiFailure(endpoint: string, fault: AttemptFault): ApiFailure {
  const transient = fault.retryable;
  switch (fault.kind) {
    case "network":
      return { kind: "network", transient, message: `${endpoint}: ${fault.said}` };
    case "auth":
    case "http":
      return { kind: fault.kind, status: fault.status, transient, message: `${endpoint} answered HTTP ${fault.status}${fault.suffix}` };
    case "invalid_json":
      return { kind: "invalid_json", transient, message: `${endpoint}: the response body is not valid JSON` };
    case "invalid_shape":
      return { kind: "invalid_shape", transient, message: `${endpoint}: unexpected response (${fault.issues})` };
  }
}

/**
 * The enrichment's Admin API session (a run, or one Workflow step of it): the inventory's
 * AdminSession (src/providers/openai/admin-api.ts), the same retries, budget, timeout and redaction, for
 * bodies that are not list pages, with failures worded as ApiFailure.
 */
export class EnrichmentApi extends AdminSession<string, ApiFailure> {
  constructor(options: EnrichmentApiOptions) {
    super(options, { fault: apiFailure, refused: (_endpoint, first) => first, budget: "the retry budget" });
  }

  /** GETs one page of `endpoint` (a label for messages) and validates it with `schema`. */
  async get<T>(endpoint: string, schema: z.ZodType<T>, call: (client: OpenAI) => RawCall): Promise<ApiResult<T>> {
    const result = await this.request(endpoint, schema, call);
    return result.ok ? result : { ok: false, failure: result.error };
  }
}
