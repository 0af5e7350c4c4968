import { RemediationStore } from "../store/remediations.js";
import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { readConfig } from "../config.js";
import { AcceptanceStore } from "../store/acceptances.js";
import { WatchLog } from "../store/watch-log.js";
import { EvidenceStore } from "../store/evidence-store.js";
import { RunHistory } from "../store/run-history.js";
import { WorkStore } from "../store/work-store.js";
import { enrichmentContext } from "../store/enrichment-state.js";
import {
  type AuditContext,
  type AuditParams,
  type RecordedOutcome,
  answerCommand,
  enrichSlice,
  evaluateAndRecord,
  inventorySlice,
  listOwnersInReport,
  policyProblem,
  recordEvidenceFailure,
  recordFailure,
  recordDelivery,
  recordEnrichmentFailure,
  recordInvalidPolicy,
  releaseAndCleanUp,
  reportToSlack,
  storeEvidence,
  tellOwners,
} from "../audit/steps.js";
import { log, rememberSecrets } from "../util/log.js";
import { bundledPolicy } from "../policy/bundled.js";
import { type RetryPlan, stepWithRetries } from "./step-retries.js";

export type { AuditParams } from "../audit/steps.js";

/**
 * Each step's own `retries` are for the unexpected (an isolate lost mid-step, D1 unreachable): a step
 * body answers an API failure, it never throws one. Failures that are expected to pass later are tried
 * again by `stepWithRetries`, under the plans below, never multiplying a client's own retries (src/util/retry.ts).
 */
const SLICE_STEP = { retries: { limit: 2, delay: "30 seconds", backoff: "exponential" }, timeout: "10 minutes" } as const;
const EVIDENCE_STEP = { retries: { limit: 3, delay: "10 seconds", backoff: "exponential" }, timeout: "5 minutes" } as const;
// A 20,000-key organization's thread is ~660 messages at ~1 per second: the default 10 minutes is too short.
const SLACK_STEP = { retries: { limit: 2, delay: "1 minute", backoff: "exponential" }, timeout: "30 minutes" } as const;
const RECORD_STEP = { retries: { limit: 5, delay: "5 seconds", backoff: "exponential" }, timeout: "5 minutes" } as const;
/** A slice whose client deferred a wait (a Retry-After above its cap, its budget spent) is tried again as a whole after a durable sleep. */
const SLICE_ATTEMPTS: RetryPlan = { attempts: 3, firstDelaySeconds: 30 };
const EVIDENCE_ATTEMPTS: RetryPlan = { attempts: 4, firstDelaySeconds: 10 };
const SLACK_ATTEMPTS: RetryPlan = { attempts: 3, firstDelaySeconds: 60 };
/** The enrichment is optional: one more try for what its client deferred, then its errors are kept and the run goes on. */
const ENRICH_STEP = { retries: { limit: 1, delay: "10 seconds", backoff: "exponential" }, timeout: "10 minutes" } as const;
const ENRICH_ATTEMPTS: RetryPlan = { attempts: 2, firstDelaySeconds: 10 };

/**
 * One audit run as a Workflow instance (id = run id): a readable list of durable steps whose bodies
 * are the plain functions of src/audit/steps.ts. The policy check, the inventory of every configured
 * account at once in steps of at most AUDIT_SUBREQUESTS_PER_STEP Admin API requests between them (each
 * step's parts kept in R2), carrying the enrichment started with it, whatever of the enrichment is
 * left in steps of its own, evaluation and recording in D1, the evidence, then Slack. A retried or
 * restarted instance replays finished steps from their stored results, so a run is never lost or done
 * twice.
 */
export class AuditWorkflow extends WorkflowEntrypoint<Env, AuditParams> {
  override async run(event: WorkflowEvent<AuditParams>, step: WorkflowStep): Promise<RecordedOutcome & { step_requests: number[] }> {
    rememberSecrets(this.env);
    const ctx = this.context(event.payload);
    const stepRequests: number[] = [];
    let outcome: RecordedOutcome;
    let slices = 0;
    try {
      ({ slices, ...outcome } = await this.audit(step, ctx, stepRequests));
    } catch (error) {
      // Every attempt of a step is spent: end the run as failed rather than leave it running.
      outcome = await step.do("record failure", () => recordFailure(ctx, error));
    }
    (outcome.status === "complete" ? log.info : log.error)(outcome.summary);
    try {
      await stepWithRetries(step, "store evidence", EVIDENCE_STEP, EVIDENCE_ATTEMPTS, (attempt) => storeEvidence(ctx, outcome.status === "failed" ? 0 : slices, attempt));
    } catch (error) {
      await step.do("record evidence failure", () => recordEvidenceFailure(ctx, error));
    }
    try {
      await step.do("release and clean up", () => releaseAndCleanUp(ctx));
    } catch (error) {
      // The run is recorded: Slack must still hear of it. The next trigger ends the lock (trigger.ts).
      // (log redacts the configured secrets from every line.)
      log.error(`keywarden ${ctx.params.run_id}: the lock could not be released: ${error instanceof Error ? error.message : String(error)}`);
    }
    try {
      // Whether Slack is configured is decided inside the step, so a replay takes the same path.
      if (ctx.params.notify) {
        const report = await stepWithRetries(step, "report to slack", SLACK_STEP, SLACK_ATTEMPTS, (attempt) => reportToSlack(ctx, attempt));
        const { delivery } = report;
        if (delivery) await step.do("record delivery", RECORD_STEP, () => recordDelivery(ctx, delivery));
        const owners = await stepWithRetries(step, "tell owners", SLACK_STEP, SLACK_ATTEMPTS, (attempt) => tellOwners(ctx, attempt));
        if (owners.status === "sent") await step.do("list owners in the report", SLACK_STEP, () => listOwnersInReport(ctx, owners));
      }
      await step.do("answer slash command", SLACK_STEP, () => answerCommand(ctx));
    } catch (error) {
      // The delivery outcome is already recorded on the run; the instance still ends cleanly.
      log.error(`keywarden ${ctx.params.run_id}: reporting failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { ...outcome, step_requests: stepRequests };
  }

  /** Policy check, inventory slices, evaluation and recording; the recorded status and summary line. */
  private async audit(step: WorkflowStep, ctx: AuditContext, stepRequests: number[]): Promise<RecordedOutcome & { slices: number }> {
    const problem = await step.do("check policy", async () => policyProblem(ctx));
    if (problem) return { ...(await step.do("record invalid policy", () => recordInvalidPolicy(ctx, problem))), slices: 0 };
    let slices = 0;
    for (let remaining = 1; remaining > 0; slices++) {
      const index = slices;
      const slice = await stepWithRetries(step, `inventory ${index}`, SLICE_STEP, SLICE_ATTEMPTS, (attempt) => inventorySlice(ctx, index, attempt));
      stepRequests.push(slice.requests);
      remaining = slice.remaining;
    }
    const sliceCount = slices;
    await this.enrich(step, ctx, sliceCount, stepRequests);
    return { ...(await step.do("evaluate and record", RECORD_STEP, () => evaluateAndRecord(ctx, sliceCount))), slices };
  }

  /** "enrich <i>": what the inventory steps left of the enrichment (ENRICH), at most AUDIT_SUBREQUESTS_PER_STEP requests each; a failure is said on the run, never fails it. */
  private async enrich(step: WorkflowStep, ctx: AuditContext, sliceCount: number, stepRequests: number[]): Promise<void> {
    try {
      for (let index = 0, remaining = 1; remaining > 0; index++) {
        const at = index;
        const slice = await stepWithRetries(step, `enrich ${at}`, ENRICH_STEP, ENRICH_ATTEMPTS, (attempt) => enrichSlice(ctx, sliceCount, at, attempt));
        if (slice.requests > 0) stepRequests.push(slice.requests);
        remaining = slice.remaining;
      }
    } catch (error) {
      await step.do("record enrichment failure", RECORD_STEP, () => recordEnrichmentFailure(ctx, error)).catch((lost: unknown) => {
        // The run goes on without enrichment fields; the log line carries no name from the API.
        log.error(`keywarden ${ctx.params.run_id}: the enrichment failure could not be recorded: ${lost instanceof Error ? lost.name : "error"}`);
      });
    }
  }

  private context(params: AuditParams): AuditContext {
    return {
      params,
      history: new RunHistory(this.env.DB),
      acceptances: new AcceptanceStore(this.env.DB),
      watches: new WatchLog(this.env.DB),
      remediations: new RemediationStore(this.env.DB),
      work: new WorkStore(this.env.EVIDENCE, params.run_id),
      enrichment: enrichmentContext(this.env, params.run_id),
      evidence: new EvidenceStore(this.env.EVIDENCE),
      settings: () => readConfig(this.env),
      now: () => new Date(),
      policy: bundledPolicy,
    };
  }
}

