import { markResolvedByRemediation } from "../model/lifecycle.js";
import { checkPolicy } from "../policy/check.js";
import { toAcceptedExemption } from "../store/acceptances.js";
import { redact } from "../util/redact.js";
import { type AuditContext, type PolicyProblem, type RecordedOutcome, type SliceResult, runBase, safeSettings } from "./context.js";
import { runUnitsLeft, startRunWork } from "./accounts.js";
import { enrichmentBefore, keepEnrichment } from "./enrichment-steps.js";
import { collectSlice } from "./run-slice.js";
import { accountsOfOpenFindings, applyAccountLifecycle } from "./lifecycle.js";
import { loadEnrichedInventory } from "./load-run.js";
import { concludeRun, invalidPolicyRun, summarizeRun } from "./run.js";
import type { AttemptInfo, StepOutcome } from "./step-outcome.js";

/** The run's first stages: the policy, the inventory in slices, the evaluation and its record. */

/** "check policy": the bundled policy parses and validates, or what is wrong with it. */
export function policyProblem(ctx: AuditContext): PolicyProblem | null {
  const { policy } = ctx.params;
  const source = ctx.policy(policy);
  if (!source) return { ref: { name: policy, file: `policies/${policy}.yaml`, sha256: "" }, details: [`no bundled policy named ${policy}`] };
  const checked = checkPolicy(source);
  return checked.ok ? null : { ref: checked.ref, details: checked.details };
}

/** "record invalid policy": a failed run, nothing requested. */
export async function recordInvalidPolicy(ctx: AuditContext, problem: PolicyProblem): Promise<RecordedOutcome> {
  const run = invalidPolicyRun(runBase(ctx.params), { ok: false, ...problem }, ctx.now());
  await ctx.history.record(run, ctx.params.policy);
  return { status: run.status, summary: summarizeRun(run) };
}

/**
 * "inventory <i>": every configured account at once, at most AUDIT_SUBREQUESTS_PER_STEP Admin API
 * requests between them, from where the previous slice stopped, and with them the enrichment the run
 * started (run-slice.ts); the parts and every account's state after it go to R2, then the
 * enrichment's (enrichment-steps.ts: its failures never fail this step). The clients have already
 * retried each request; only a failure one deferred (a wait too long for it) asks for another attempt
 * of the step, unless this is the last one, which keeps it as an error: the run will say what it did
 * not see.
 */
export async function inventorySlice(ctx: AuditContext, sliceIndex: number, { last }: AttemptInfo): Promise<StepOutcome<SliceResult>> {
  const config = ctx.settings();
  const state = sliceIndex === 0 ? startRunWork(config.accounts, checkedPolicy(ctx).policy) : await ctx.work.state(sliceIndex - 1);
  const carried = await enrichmentBefore(ctx, config.accounts, sliceIndex);
  const before = once(() => ctx.work.parts(sliceIndex));
  const slice = await collectSlice(
    config.accounts,
    { inventory: state, enrichment: carried.enrichment },
    { now: ctx.now(), requestCap: config.subrequestsPerStep, partsBefore: async (account) => (await before()).filter((p) => p.account === account.name) },
  );
  const fatal = slice.state.inventory.accounts.every((account) => account.fatal);
  const waitOut = slice.deferred.length > 0 ? `${slice.deferred.length} failure(s) to wait out, first: ${slice.deferred[0]?.message ?? ""}` : null;
  const retry = waitOut ?? (slice.enrichmentDeferred.length > 0 ? `enrichment: ${slice.enrichmentDeferred[0]?.message ?? ""}` : null);
  if (retry !== null && !last && !fatal) return { retry: redact(retry, config.secrets) };
  await ctx.work.putSlice(sliceIndex, slice.parts, slice.state.inventory);
  await keepEnrichment(ctx, sliceIndex, slice.state.enrichment, carried.failure ?? slice.enrichmentFailure);
  return { done: { requests: slice.requests + slice.enrichmentRequests, remaining: fatal ? 0 : runUnitsLeft(slice.state.inventory), fatal } };
}

/** `load()` once, however often it is asked for. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => {
    loaded ??= load();
    return loaded;
  };
}

/** The run's policy, checked ("check policy" passed it; a deploy since may not have). */
function checkedPolicy(ctx: AuditContext): Extract<ReturnType<typeof checkPolicy>, { ok: true }> {
  const source = ctx.policy(ctx.params.policy);
  const checked = source ? checkPolicy(source) : undefined;
  if (!checked?.ok) throw new Error(`policy ${ctx.params.policy} is no longer valid`);
  return checked;
}

/** "evaluate and record": every slice's part assembled, evaluated, compared with the open findings, stored. */
export async function evaluateAndRecord(ctx: AuditContext, sliceCount: number): Promise<RecordedOutcome> {
  const config = ctx.settings();
  const checked = checkedPolicy(ctx);
  const { inventory, enrichment } = await loadEnrichedInventory(ctx, sliceCount);
  const now = ctx.now();
  // Expired acceptances go in too: the run reports them as expired and the finding as open again.
  const accepted = (await ctx.acceptances.forPolicy(ctx.params.policy)).map(toAcceptedExemption);
  const concluded = concludeRun({ base: runBase(ctx.params), policy: checked, inventory, evaluatedAt: now, finishedAt: now, secrets: config.secrets, accepted, enrichment });
  const open = await ctx.history.openFindings(ctx.params.policy);
  const withLifecycle = applyAccountLifecycle(concluded, open, await accountsOfOpenFindings(ctx.history, concluded, open, config.accounts), config.accounts);
  const resolved = withLifecycle.lifecycle?.resolved_findings ?? [];
  const run = markResolvedByRemediation(withLifecycle, await ctx.remediations.resolvedBy(resolved));
  await ctx.history.record(run, ctx.params.policy);
  return { status: run.status, summary: summarizeRun(run) };
}

/** "record failure": every attempt of a step was spent; the run ends failed (the lock stays for the evidence step). */
export async function recordFailure(ctx: AuditContext, error: unknown): Promise<RecordedOutcome> {
  const config = safeSettings(ctx);
  const reason = `the run stopped: ${error instanceof Error ? error.message : "unknown error"}`;
  await ctx.history.abandon(ctx.params.run_id, redact(reason, config?.secrets ?? []), { keepLock: true });
  return { status: "failed", summary: `keywarden ${ctx.params.run_id} failed: ${error instanceof Error ? error.name : "error"}` };
}
