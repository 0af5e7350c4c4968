import { WorkflowEntrypoint, type WorkflowEvent, type WorkflowStep } from "cloudflare:workers";
import { applyLifecycle } from "../audit/lifecycle.js";
import { type RunBase, checkPolicy, concludeRun, invalidPolicyRun, summarizeRun } from "../audit/run.js";
import type { AuditRun, Trigger } from "../audit/types.js";
import { readConfig } from "../config.js";
import { assembleInventory, collectInventorySlice } from "../inventory/collect.js";
import { isTransientError } from "../inventory/retry.js";
import { initialWorkState } from "../inventory/work.js";
import { buildRunEvidence, evidencePrefix, importSigningKey } from "../report/evidence/index.js";
import { EvidenceStore } from "../store/evidence-store.js";
import { RunHistory } from "../store/run-history.js";
import { KEYWARDEN_VERSION } from "../version.js";
import { WorkStore } from "../store/work-store.js";
import { answerSlashCommand, deliverRunReport } from "./notify.js";
import { bundledPolicy } from "./policies.js";
import { type RetryPlan, stepWithRetries } from "./step-retries.js";
import { sha256Hex } from "../util/hash.js";
import { redact } from "../util/redact.js";
import { log, rememberSecrets } from "./log.js";

export interface AuditParams {
  run_id: string;
  trigger: Trigger;
  policy: string;
  notify: boolean;
  started_at: string;
}

export interface SliceResult {
  requests: number;
  remaining: number;
  fatal: boolean;
}

/**
 * Each step's own `retries` are for the unexpected (an isolate lost mid-step, D1 unreachable). Failures
 * that are expected to pass are tried again by `stepWithRetries`, under the plans below.
 */
const SLICE_STEP = { retries: { limit: 2, delay: "30 seconds", backoff: "exponential" }, timeout: "10 minutes" } as const;
const EVIDENCE_STEP = { retries: { limit: 3, delay: "10 seconds", backoff: "exponential" }, timeout: "5 minutes" } as const;
const SLACK_STEP = { retries: { limit: 2, delay: "1 minute", backoff: "exponential" }, timeout: "10 minutes" } as const;
const RECORD_STEP = { retries: { limit: 5, delay: "5 seconds", backoff: "exponential" }, timeout: "5 minutes" } as const;
/** A slice whose errors may pass (rate limits, 5xx, network) is tried again as a whole before they are accepted. */
const SLICE_ATTEMPTS: RetryPlan = { attempts: 3, firstDelaySeconds: 30 };
const EVIDENCE_ATTEMPTS: RetryPlan = { attempts: 4, firstDelaySeconds: 10 };
const SLACK_ATTEMPTS: RetryPlan = { attempts: 3, firstDelaySeconds: 60 };

function configuredSecrets(env: Env): string[] {
  try {
    return readConfig(env).secrets;
  } catch {
    return [];
  }
}


/**
 * One audit run as a Workflow instance (id = run id): the policy check, then the
 * inventory in steps of at most AUDIT_SUBREQUESTS_PER_STEP Admin API requests
 * (each step's part kept in R2), then evaluation and recording in D1. A retried
 * or restarted instance replays finished steps from their stored results, so a
 * run is never lost or done twice.
 */
export class AuditWorkflow extends WorkflowEntrypoint<Env, AuditParams> {
  override async run(event: WorkflowEvent<AuditParams>, step: WorkflowStep): Promise<{ status: string; summary: string; step_requests: number[] }> {
    rememberSecrets(this.env);
    const params = event.payload;
    const stepRequests: number[] = [];
    let outcome: { status: string; summary: string };
    let slices = 0;
    try {
      ({ slices, ...outcome } = await this.audit(step, params, stepRequests));
    } catch (error) {
      // Every retry of a step is spent: end the run as failed rather than leave it running.
      outcome = await step.do("record failure", async () => {
        const reason = `the run stopped: ${error instanceof Error ? error.message : "unknown error"}`;
        // The lock stays until the evidence step below: the chain needs this run's manifest first.
        await new RunHistory(this.env.DB).abandon(params.run_id, redact(reason, configuredSecrets(this.env)), { keepLock: true });
        return { status: "failed", summary: `keywarden ${params.run_id} failed: ${error instanceof Error ? error.name : "error"}` };
      });
    }
    (outcome.status === "complete" ? log.info : log.error)(outcome.summary);
    try {
      await this.storeEvidence(step, params, outcome.status === "failed" ? 0 : slices);
    } catch (error) {
      // The step itself kept failing (D1 unreachable?): say so on the run if possible, then go on.
      const message = redact(error instanceof Error ? error.message : String(error), configuredSecrets(this.env));
      log.error(`keywarden ${params.run_id}: evidence step failed: ${message}`);
      await step.do("record evidence failure", async () => {
        try {
          await new RunHistory(this.env.DB).recordEvidence(params.run_id, { stored: false, prefix: "", error: message });
        } catch {
          // Nothing more can be recorded; the log line above stays.
        }
        return null;
      });
    }
    await step.do("release and clean up", async () => {
      await new RunHistory(this.env.DB).release(params.run_id);
      await new WorkStore(this.env.EVIDENCE, params.run_id).clear();
      return null;
    });
    try {
      await this.tell(step, params);
    } catch (error) {
      // The delivery outcome is already recorded on the run; the instance still ends cleanly.
      log.error(`keywarden ${params.run_id}: reporting failed: ${redact(error instanceof Error ? error.message : String(error), configuredSecrets(this.env))}`);
    }
    return { ...outcome, step_requests: stepRequests };
  }

  /** Policy check, inventory steps, evaluation and recording; returns the recorded status and summary line. */
  private async audit(step: WorkflowStep, params: AuditParams, stepRequests: number[]): Promise<{ status: string; summary: string; slices: number }> {
    const env = this.env;
    const history = new RunHistory(env.DB);
    const work = new WorkStore(env.EVIDENCE, params.run_id);
    const base: RunBase = { id: params.run_id, trigger: params.trigger, started_at: params.started_at };
    const policyProblem = await step.do("check policy", async () => {
      const source = bundledPolicy(params.policy);
      if (!source) return { ref: { name: params.policy, file: `policies/${params.policy}.yaml`, sha256: "" }, details: [`no bundled policy named ${params.policy}`] };
      const checked = checkPolicy(source);
      return checked.ok ? null : { ref: checked.ref, details: checked.details };
    });
    if (policyProblem) {
      const recorded = await step.do("record invalid policy", async () => {
        const run = invalidPolicyRun(base, { ok: false, ...policyProblem }, new Date());
        await history.record(run, params.policy);
        return { status: run.status, summary: summarizeRun(run) };
      });
      return { ...recorded, slices: 0 };
    }
    let index = 0;
    for (let remaining = 1; remaining > 0; index++) {
      const sliceIndex = index;
      const slice: SliceResult = await stepWithRetries<SliceResult>(step, `inventory ${sliceIndex}`, SLICE_STEP, SLICE_ATTEMPTS, async ({ last }) => {
        const config = readConfig(env);
        const state = sliceIndex === 0 ? initialWorkState() : await work.state(sliceIndex - 1);
        const { part, state: next } = await collectInventorySlice({ adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl }, state, config.subrequestsPerStep);
        const transient = part.errors.filter(isTransientError);
        if (transient.length > 0 && !last && !part.fatal) {
          return { retry: `${transient.length} transient failure(s), first: ${redact(transient[0]?.message ?? "", config.secrets)}` };
        }
        await work.putSlice(sliceIndex, part, next);
        return { done: { requests: part.requests, remaining: part.fatal ? 0 : next.units.length, fatal: part.fatal !== undefined } };
      });
      stepRequests.push(slice.requests);
      remaining = slice.remaining;
    }
    const sliceCount = index;
    const outcome = await step.do("evaluate and record", RECORD_STEP, async () => {
      const config = readConfig(env);
      const source = bundledPolicy(params.policy);
      const checked = source ? checkPolicy(source) : undefined;
      if (!checked?.ok) throw new Error(`policy ${params.policy} is no longer valid`);
      const inventory = assembleInventory(await work.parts(sliceCount));
      const now = new Date();
      const concluded = concludeRun({ base, policy: checked, inventory, evaluatedAt: now, finishedAt: now, secrets: config.secrets });
      const run = applyLifecycle(concluded, await history.openFindings(params.policy));
      await history.record(run, params.policy);
      return { status: run.status, summary: summarizeRun(run) };
    });
    return { ...outcome, slices: sliceCount };
  }

  /**
   * Writes the run's evidence to R2 before anyone is told about the run, chained
   * to the last stored manifest. A store that keeps failing is recorded on the
   * run (and so shown in Slack), never skipped silently.
   */
  private async storeEvidence(step: WorkflowStep, params: AuditParams, slices: number): Promise<void> {
    const env = this.env;
    await stepWithRetries<{ stored: boolean }>(step, "store evidence", EVIDENCE_STEP, EVIDENCE_ATTEMPTS, async ({ last }) => {
      const config = readConfig(env);
      const history = new RunHistory(env.DB);
      const run = (await history.get(params.run_id)) as AuditRun | null;
      if (!run || (run.status as string) === "running") throw new Error(`run ${params.run_id} is not recorded`);
      const prefix = evidencePrefix(run);
      try {
        const signing = config.evidenceSigningKey ? await importSigningKey(config.evidenceSigningKey) : null;
        if (signing && !signing.ok) throw new Error(`EVIDENCE_SIGNING_KEY is not usable: ${signing.message}`);
        const parts = slices > 0 ? await new WorkStore(env.EVIDENCE, params.run_id).parts(slices) : [];
        const inventory = parts.length > 0 ? assembleInventory(parts) : null;
        const policyText = bundledPolicy(params.policy)?.text ?? "";
        if (run.policy.sha256 && sha256Hex(policyText) !== run.policy.sha256) {
          throw new Error(`policy ${params.policy} changed since the run was evaluated (a deploy during the run); its exact text is not available`);
        }
        const evidence = await buildRunEvidence({
          run,
          inventory: inventory && !inventory.fatal ? { keys: inventory.keys, projects: inventory.projects } : null,
          policyText,
          secrets: config.secrets,
          previousManifestSha256: await history.previousManifest(params.run_id, run.started_at),
          version: KEYWARDEN_VERSION,
          signingKey: signing?.ok ? signing.key : null,
        });
        await new EvidenceStore(env.EVIDENCE).write(evidence);
        await history.recordEvidence(params.run_id, { stored: true, prefix: evidence.prefix, manifest_sha256: evidence.manifestSha256 });
        return { done: { stored: true } };
      } catch (error) {
        const message = redact(error instanceof Error ? error.message : String(error), config.secrets);
        if (!last) return { retry: `evidence not stored: ${message}` };
        await history.recordEvidence(params.run_id, { stored: false, prefix, error: message });
        log.error(`keywarden ${params.run_id}: evidence NOT stored: ${message}`);
        return { done: { stored: false } };
      }
    });
  }

  /**
   * Reports the recorded run: the Slack channel (unless notify is false) and the
   * slash command that asked for it. A delivery that fails is recorded on the run
   * and the step retried; after the last retry the failure stays on the run.
   */
  private async tell(step: WorkflowStep, params: AuditParams): Promise<void> {
    const history = new RunHistory(this.env.DB);
    const env = this.env;
    if (params.notify) {
      // Whether Slack is configured is decided inside the step, so a replay takes the same path.
      await stepWithRetries<{ status: string }>(step, "report to slack", SLACK_STEP, SLACK_ATTEMPTS, async ({ attempt, last }) => {
        const config = readConfig(env);
        if (!config.slack) return { done: { status: "not configured" } };
        const run = await history.get(params.run_id);
        if (!run || run.status === "running") throw new Error(`run ${params.run_id} is not recorded`);
        // A retry after a delivery that was recorded must not post the report twice.
        if (run.delivery?.status === "delivered") return { done: { status: "delivered" } };
        const delivery = await deliverRunReport(run as AuditRun, config, attempt, run.delivery);
        await history.recordDelivery(params.run_id, delivery);
        if (delivery.status === "failed" && !last) return { retry: `Slack delivery failed at ${delivery.stage}: ${delivery.error}` };
        if (delivery.status === "failed") log.error(`keywarden ${params.run_id}: Slack delivery failed for good at ${delivery.stage}: ${delivery.error}`);
        return { done: { status: delivery.status } };
      });
    }
    await step.do("answer slash command", SLACK_STEP, async () => {
      const responseUrl = await history.responseUrl(params.run_id);
      if (!responseUrl) return { answered: false };
      const run = await history.get(params.run_id);
      const answer = await answerSlashCommand(run as AuditRun, responseUrl, readConfig(env));
      // A response_url expires after 30 minutes: an answer that fails is logged, not retried forever.
      if (!answer.ok) log.error(`keywarden ${params.run_id}: could not answer the slash command: ${answer.error}`);
      return { answered: answer.ok };
    });
  }
}
