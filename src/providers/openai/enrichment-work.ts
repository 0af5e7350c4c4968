import type { z } from "zod";
import type { RawCall } from "./admin-api.js";
import { drainQueue } from "../../util/drain.js";
import type OpenAI from "openai";
import type { ApiFailure, EnrichmentApi } from "./enrichment-api.js";
import { creatorFact, mergeCreator } from "./creator.js";
import { auditLogPage, completionsResult, costsResult, keyCreatedEvent, usagePage } from "./enrichment-schemas.js";
import { AUDIT_LOG_PAGE_SIZE, type EnrichSource, type EnrichUnit, type EnrichmentError, type EnrichmentState, UNAVAILABLE } from "../../model/enrichment.js";

/** Buckets of a usage or costs page: the window's 30 UTC days (31 buckets when it does not start at midnight) fit one. */
export const USAGE_BUCKETS_PER_PAGE = 31;

export interface ExecuteEnrichmentOptions {
  api: EnrichmentApi;
  concurrency: number;
  /** Requests one unit may need at most (its retry attempts). */
  attemptsPerUnit: number;
  /** Most requests this call may make, retries included; undefined for no cap. */
  requestCap?: number;
}

const ENDPOINT: Record<EnrichSource, string> = {
  audit_log: "the audit log (GET /organization/audit_logs)",
  usage: "completions usage (GET /organization/usage/completions)",
  costs: "costs (GET /organization/costs)",
};

/**
 * Runs the units of `state` with `concurrency` workers until none is left or the next one could
 * exceed the request cap, and returns the state to resume from (what was read added to it). A unit
 * that fails gives one error for its source; a source that failed in a way that would fail again
 * (401/403, a bad page) has its remaining units dropped, so "creator unavailable" is said once.
 */
export async function executeEnrichment(state: EnrichmentState, options: ExecuteEnrichmentOptions): Promise<EnrichmentState> {
  const next: EnrichmentState = structuredClone(state);
  const queue = next.units;
  const { api } = options;
  const startRequests = api.requests;

  function fail(source: EnrichSource, failure: ApiFailure): void {
    if (source !== "audit_log" && !next.failed.includes(source)) next.failed.push(source);
    if (!next.errors.some((e) => e.source === source)) {
      const error: EnrichmentError = { source, kind: failure.kind, message: `${UNAVAILABLE[source]}: ${failure.message}${hint(source, failure)}` };
      if (failure.status !== undefined) error.status = failure.status;
      next.errors.push(error);
    }
    // Asking again would fail the same way (or the numbers can no longer be summed whole).
    if (!failure.transient || source !== "audit_log") dropUnits(source);
  }

  function dropUnits(source: EnrichSource): void {
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.source === source) queue.splice(i, 1);
  }

  /** Remembers a cursor; false (and an error) when the list already gave it: the pagination does not advance. */
  function advance(unit: EnrichUnit, cursor: string): boolean {
    const list = unit.source === "audit_log" ? `audit_log:${unit.gte}` : unit.source;
    const seen = next.seen_cursors[list] ?? [];
    if (seen.includes(cursor)) {
      fail(unit.source, { kind: "truncated_pagination", transient: false, message: `${ENDPOINT[unit.source]}: pagination did not advance (cursor ${cursor} repeated)` });
      return false;
    }
    next.seen_cursors[list] = [...seen, cursor];
    return true;
  }

  function truncated(source: EnrichSource, field: string): void {
    fail(source, { kind: "truncated_pagination", transient: false, message: `${ENDPOINT[source]} said has_more: true without a ${field}, so the remaining pages could not be requested` });
  }

  async function runUnit(unit: EnrichUnit): Promise<void> {
    if (unit.source === "audit_log") return runAuditLog(unit);
    if (next.failed.includes(unit.source)) return;
    const window = next.window;
    const query = {
      start_time: window.start,
      end_time: window.end,
      bucket_width: "1d" as const,
      group_by: ["api_key_id" as const],
      limit: USAGE_BUCKETS_PER_PAGE,
      ...(unit.page === undefined ? {} : { page: unit.page }),
    };
    const call: (client: OpenAI) => RawCall =
      unit.source === "usage" ? (client) => client.admin.organization.usage.completions(query) : (client) => client.admin.organization.usage.costs(query);
    const result = await api.get(ENDPOINT[unit.source], usagePage, call);
    if (!result.ok) return fail(unit.source, result.failure);
    const page = result.value;
    const results = page.data.flatMap((bucket) => bucket.results);
    const read = unit.source === "usage" ? addUsage(results, next.model_requests) : addCosts(results, next.spend_usd);
    if (read !== null) return fail(unit.source, { kind: "invalid_shape", transient: false, message: `${ENDPOINT[unit.source]}: ${read}` });
    if (!page.has_more) return;
    if (!page.next_page) return truncated(unit.source, "next_page");
    if (advance(unit, page.next_page)) queue.push({ source: unit.source, page: page.next_page });
  }

  async function runAuditLog(unit: Extract<EnrichUnit, { source: "audit_log" }>): Promise<void> {
    const effectiveAt = unit.lt === null ? { gte: unit.gte } : { gte: unit.gte, lt: unit.lt };
    const query = {
      event_types: ["api_key.created" as const],
      effective_at: effectiveAt,
      limit: AUDIT_LOG_PAGE_SIZE,
      ...(unit.after === undefined ? {} : { after: unit.after }),
    };
    const result = await api.get(ENDPOINT.audit_log, auditLogPage, (client) => client.admin.organization.auditLogs.list(query));
    if (!result.ok) return fail("audit_log", result.failure);
    const page = result.value;
    let unreadable = 0;
    for (const item of page.data) {
      const event = keyCreatedEvent.safeParse(item);
      if (event.success) mergeCreator(next.creators, event.data["api_key.created"].id, creatorFact(event.data));
      else unreadable++;
    }
    if (unreadable > 0) {
      fail("audit_log", { kind: "invalid_shape", transient: false, message: `${ENDPOINT.audit_log}: ${unreadable} api_key.created event(s) could not be read` });
    }
    if (!page.has_more) return;
    if (!page.last_id) return truncated("audit_log", "last_id");
    if (advance(unit, page.last_id)) queue.push({ ...unit, after: page.last_id });
  }

  await drainQueue(queue, {
    concurrency: options.concurrency,
    requests: () => api.requests - startRequests,
    attemptsPerUnit: options.attemptsPerUnit,
    ...(options.requestCap !== undefined ? { requestCap: options.requestCap } : {}),
    stopped: () => api.authFailure !== undefined,
    run: runUnit,
  });
  if (api.authFailure) for (const source of new Set(queue.map((u) => u.source))) fail(source, api.authFailure);
  next.api_requests += api.requests - startRequests;
  return next;
}

/** Adds each result's num_model_requests to its key; null, or what could not be read. */
function addUsage(results: readonly unknown[], into: Record<string, number>): string | null {
  return addEach(results, completionsResult, (r) => {
    if (r.api_key_id) into[r.api_key_id] = (into[r.api_key_id] ?? 0) + r.num_model_requests;
    return null;
  });
}

/** Adds each result's amount (USD) to its key; another currency is not summed with dollars. */
function addCosts(results: readonly unknown[], into: Record<string, number>): string | null {
  return addEach(results, costsResult, (r) => {
    if (r.amount.currency.toLowerCase() !== "usd") return "a cost is not in USD, so no total in dollars can be given";
    if (r.api_key_id) into[r.api_key_id] = (into[r.api_key_id] ?? 0) + r.amount.value;
    return null;
  });
}

function addEach<T>(results: readonly unknown[], schema: z.ZodType<T>, add: (result: T) => string | null): string | null {
  let unreadable = 0;
  for (const item of results) {
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      unreadable++;
      continue;
    }
    const problem = add(parsed.data);
    if (problem !== null) return problem;
  }
  return unreadable > 0 ? `${unreadable} result(s) could not be read` : null;
}

/** What a 403 from the audit log most likely means (the simulator answers it for an organization without audit logging). */
function hint(source: EnrichSource, failure: ApiFailure): string {
  if (source === "audit_log" && failure.status === 403) return "; audit logging may be off in the organization's settings, or the admin key may not read the audit log";
  return "";
}
