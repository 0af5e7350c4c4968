import { askedSources } from "../store/enrichment-state.js";
import { redact } from "../util/redact.js";
import { type AuditContext, type SliceResult, errorMessage, safeSettings } from "./context.js";
import { enrichAccountsStep, failedRunEnrichment, planRunEnrichment, unitsLeft } from "./enrich.js";
import { loadInventory } from "./load-run.js";
import type { AttemptInfo, StepOutcome } from "./step-outcome.js";

/**
 * "enrich <i>": the enrichment (ENRICH, src/enrichment) of every account at once, in steps of at most
 * AUDIT_SUBREQUESTS_PER_STEP Admin API requests shared between the accounts, each step's state in R2,
 * the first planning it from the inventory's parts. What it cannot tell becomes an enrichment error
 * of the run: it never fails the run nor makes it incomplete. As for the inventory, only a failure a
 * client deferred asks for another attempt of the step.
 */
export async function enrichSlice(ctx: AuditContext, sliceCount: number, index: number, { last }: AttemptInfo): Promise<StepOutcome<SliceResult>> {
  const enrichment = ctx.enrichment;
  const nothing = { done: { requests: 0, remaining: 0, fatal: false } };
  if (!enrichment) return nothing;
  const config = ctx.settings();
  const state = index > 0 ? await enrichment.store.state(index - 1) : planRunEnrichment((await loadInventory(ctx, sliceCount)).accounts, enrichment.sources, ctx.now());
  if (!state) return nothing;
  const { enrichments: next, deferred } = await enrichAccountsStep(state, config.accounts, {}, config.subrequestsPerStep);
  if (deferred.length > 0 && !last) return { retry: `enrichment: ${redact(deferred[0]?.message ?? "", config.secrets)}` };
  await enrichment.store.putState(index, next);
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
