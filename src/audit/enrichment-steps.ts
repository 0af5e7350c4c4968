import type { AccountSettings } from "../config-accounts.js";
import type { AccountEnrichment } from "../providers/index.js";
import { askedSources } from "../store/enrichment-state.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import { type AuditContext, type SliceResult, errorMessage, safeSettings } from "./context.js";
import { enrichAccountsStep, failedRunEnrichment, unitsLeft } from "./enrich.js";
import { startRunEnrichment } from "./enrich-plan.js";
import type { AttemptInfo, StepOutcome } from "./step-outcome.js";

/**
 * The enrichment (ENRICH, src/enrichment) in the Workflow: started by "inventory 0" and carried by the
 * inventory steps (run-slice.ts), its state after each step in R2 (`enrich-state-<i>`, i counting the
 * inventory steps and then the "enrich <j>" steps); what the inventory steps leave, the "enrich <j>"
 * steps read, at most AUDIT_SUBREQUESTS_PER_STEP Admin API requests each, shared between the
 * accounts. What it cannot tell becomes an enrichment error of the run: it never fails the run nor
 * makes it incomplete. As for the inventory, only a failure a client deferred asks for another
 * attempt of the step.
 */

/** What inventory step `index` carries of the enrichment: started by the first, else what the step before kept (null: none, or over). */
export async function enrichmentBefore(ctx: AuditContext, accounts: readonly AccountSettings[], index: number): Promise<{ enrichment: AccountEnrichment[] | null; failure?: unknown }> {
  if (!ctx.enrichment) return { enrichment: null };
  try {
    if (index === 0) return { enrichment: startRunEnrichment(accounts, ctx.enrichment.sources, ctx.now()) };
    const before = await ctx.enrichment.store.stateIfAny(index - 1);
    return { enrichment: before && !enrichmentDone(before) ? before : null };
  } catch (failure) {
    return { enrichment: null, failure };
  }
}

/**
 * Keeps what inventory step `index` did of the enrichment: its state, and its result once nothing is
 * left. Anything that broke it (a store that failed, something thrown) ends the enrichment, said
 * once on the run; never the inventory step.
 */
export async function keepEnrichment(ctx: AuditContext, index: number, enrichment: AccountEnrichment[] | null, failure?: unknown): Promise<void> {
  if (!ctx.enrichment || (enrichment === null && failure === undefined)) return;
  try {
    if (failure !== undefined) throw failure;
    await ctx.enrichment.store.putState(index, enrichment ?? []);
    if (enrichment && enrichmentDone(enrichment)) await ctx.enrichment.store.putResult(enrichment);
  } catch (error) {
    await recordEnrichmentFailure(ctx, error).catch((lost: unknown) => {
      // The run goes on without enrichment fields; the log line carries no name from the API.
      log.error(`keywarden ${ctx.params.run_id}: the enrichment failure could not be recorded: ${lost instanceof Error ? lost.name : "error"}`);
    });
  }
}

/** Nothing left to read, and every account's keys applied. */
function enrichmentDone(enrichments: readonly AccountEnrichment[]): boolean {
  return unitsLeft(enrichments) === 0 && !enrichments.some((e) => e.awaitingKeys);
}

/** "enrich <i>": what the inventory steps left of the enrichment, within the step's request cap. */
export async function enrichSlice(ctx: AuditContext, sliceCount: number, index: number, { last }: AttemptInfo): Promise<StepOutcome<SliceResult>> {
  const enrichment = ctx.enrichment;
  const nothing = { done: { requests: 0, remaining: 0, fatal: false } };
  if (!enrichment) return nothing;
  const config = ctx.settings();
  const at = sliceCount + index;
  const state = await enrichment.store.stateIfAny(at - 1);
  if (!state || enrichmentDone(state)) return nothing;
  const { enrichments: next, deferred } = await enrichAccountsStep(state, config.accounts, {}, config.subrequestsPerStep);
  if (deferred.length > 0 && !last) return { retry: `enrichment: ${redact(deferred[0]?.message ?? "", config.secrets)}` };
  await enrichment.store.putState(at, next);
  const remaining = unitsLeft(next);
  if (remaining === 0) await enrichment.store.putResult(next);
  return { done: { requests: requestsOf(next) - requestsOf(state), remaining, fatal: false } };
}

function requestsOf(enrichments: readonly { state: { api_requests: number } }[]): number {
  return enrichments.reduce((n, e) => n + e.state.api_requests, 0);
}

/** "record enrichment failure": the enrichment step kept failing; the run goes on, saying once that enrichment was unavailable. */
export async function recordEnrichmentFailure(ctx: AuditContext, error: unknown): Promise<null> {
  if (!ctx.enrichment) return null;
  const message = redact(`the enrichment step failed: ${errorMessage(error)}`, safeSettings(ctx)?.secrets ?? []);
  await ctx.enrichment.store.putResult(failedRunEnrichment(askedSources(ctx.enrichment), ctx.now(), { kind: "step_failed", message }));
  return null;
}
