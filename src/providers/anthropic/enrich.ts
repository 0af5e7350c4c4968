import { type EnrichSource, type EnrichUnit, type EnrichmentError, type EnrichmentState, UNAVAILABLE, USAGE_WINDOW_DAYS } from "../../model/enrichment.js";
import type { CreatorFact } from "../../model/enrichment.js";
import { drainQueue } from "../../util/drain.js";
import type { ActionOptions } from "./actions.js";
import { sessionOptions } from "./client.js";
import { totalsRange } from "./key-totals.js";
import { MAX_REPORT_ROWS, type ReportQuery, followPage, readReportPage, reportTime, reportWhat } from "./reports.js";
import { type ApiKeyJson, costRowSchema, usageRowSchema } from "./schemas.js";
import { AnthropicSession, type SessionFailure } from "./session.js";

/**
 * The enrichment of an Anthropic account, in the model's EnrichmentState (so the run applies and
 * reports it as OpenAI's): the creator is the key's `created_by`, already in the listing (no request);
 * requests and spend over 30 days are the usage and cost reports grouped by `api_key_id` (key-totals.ts),
 * one page per unit so a Workflow step stays under its request cap. A source that fails is unknown
 * (null on every key), never 0, and never makes the run incomplete.
 */

/** The usage and cost window of `now`, in unix seconds (key-totals.ts: whole hours, nothing before 2026-01-01). */
export function anthropicEnrichmentWindow(now: Date): { start: number; end: number } {
  const { from, to } = totalsRange(now, USAGE_WINDOW_DAYS);
  return { start: Math.floor(from / 1000), end: Math.floor(to / 1000) };
}

/** The creator of each key that names one, as the enrichment keeps it (`created_by` → user id, with the user's email). */
export function anthropicCreators(keys: readonly ApiKeyJson[], emails: ReadonlyMap<string, string | null>): Record<string, CreatorFact> {
  const creators: Record<string, CreatorFact> = {};
  for (const key of keys) {
    const actor = key.created_by;
    const at = Math.floor(Date.parse(key.created_at) / 1000);
    creators[key.id] = {
      created_by: actor === null ? null : { type: actor.type, id: actor.id, email: actor.type === "user" ? (emails.get(actor.id) ?? null) : null, api_key_id: null },
      created_from_ip: null,
      at,
    };
  }
  return creators;
}

/** The report units the sources ask for (the audit log's creator needs none). */
export function anthropicEnrichmentUnits(sources: readonly EnrichSource[]): EnrichUnit[] {
  const units: EnrichUnit[] = [];
  if (sources.includes("usage")) units.push({ source: "usage" });
  if (sources.includes("costs")) units.push({ source: "costs" });
  return units;
}

/** Runs the units of `state` until none is left or the next could exceed `requestCap`; the state to continue from. */
export async function anthropicEnrichmentStep(state: EnrichmentState, options: ActionOptions & { concurrency?: number }, requestCap?: number): Promise<EnrichmentState> {
  if (state.units.length === 0) return state;
  const next: EnrichmentState = structuredClone(state);
  const session = new AnthropicSession(sessionOptions(options));
  const queue = next.units;
  const query: ReportQuery = { starting_at: reportTime(next.window.start * 1000), ending_at: reportTime(next.window.end * 1000), group_by: ["api_key_id"], limit: MAX_REPORT_ROWS };

  function fail(source: EnrichSource, failure: SessionFailure): void {
    if (!next.failed.includes(source)) next.failed.push(source);
    if (!next.errors.some((e) => e.source === source)) {
      const error: EnrichmentError = { source, kind: failure.kind, message: `${UNAVAILABLE[source]}: ${failure.message}` };
      if (failure.status !== undefined) error.status = failure.status;
      next.errors.push(error);
    }
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i]?.source === source) queue.splice(i, 1);
  }

  async function runUnit(unit: EnrichUnit): Promise<void> {
    if (unit.source === "audit_log" || next.failed.includes(unit.source)) return;
    const source = unit.source;
    const report = source === "usage" ? "usage" : "cost";
    const what = reportWhat(report, query);
    if (source === "usage") {
      const read = await readReportPage(session, "usage", query, usageRowSchema, unit.page);
      if (!read.ok) return fail(source, read.error);
      for (const row of read.rows) {
        const keyId = row.group.api_key_id;
        if (keyId === null) continue;
        if (row.usage.requests === null) return fail(source, session.failure(what, "invalid_shape", "the usage report gave no request count for a key"));
        next.model_requests[keyId] = (next.model_requests[keyId] ?? 0) + row.usage.requests;
      }
      return follow(source, what, read);
    }
    const read = await readReportPage(session, "cost", query, costRowSchema, unit.page);
    if (!read.ok) return fail(source, read.error);
    for (const row of read.rows) {
      // cost.d.ts: amounts are "in fractional cents (minor units)", currently always USD.
      if (row.cost.currency !== "USD") return fail(source, session.failure(what, "invalid_shape", `the cost report is in ${row.cost.currency}, not USD`));
      const keyId = row.group.api_key_id;
      if (keyId !== null) next.spend_usd[keyId] = (next.spend_usd[keyId] ?? 0) + Number(row.cost.amount) / 100;
    }
    return follow(source, what, read);
  }

  function follow(source: "usage" | "costs", what: string, read: { hasMore: boolean; nextPage: string | null }): void {
    if (!read.hasMore) return;
    const seen = next.seen_cursors[source] ?? [];
    const page = followPage(session, what, read.nextPage, seen);
    if (!page.ok) return fail(source, page.error);
    next.seen_cursors[source] = [...seen, page.page];
    queue.push({ source, page: page.page });
  }

  await drainQueue(queue, {
    concurrency: options.concurrency ?? 2,
    requests: () => session.requests,
    attemptsPerUnit: session.options.retry.maxAttempts,
    ...(requestCap !== undefined ? { requestCap } : {}),
    stopped: () => session.authFailure !== undefined,
    run: runUnit,
  });
  const refused = session.authFailure;
  if (refused) for (const source of new Set(queue.map((u) => u.source))) if (source !== "audit_log") fail(source, refused);
  next.api_requests += session.requests;
  return next;
}
