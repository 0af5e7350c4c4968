import { newRunId } from "../model/run-id.js";
import type { Trigger } from "../model/run.js";
import { type Config, ConfigError, readConfig } from "../config.js";
import { SchemaNotMigratedError, isUnmigratedSchemaError } from "../store/schema.js";
import { services } from "../services.js";
import { bundledPolicy, bundledPolicyNames, configuredPolicyProblem } from "../policy/bundled.js";
import { recordTriggerFailure, reportEndedRun } from "./trigger-failure.js";
import type { AuditParams } from "./workflow.js";

export class UnknownPolicyError extends Error {
  constructor(readonly policy: string) {
    super(`unknown policy "${policy}"; available: ${bundledPolicyNames().join(", ")}`);
    this.name = "UnknownPolicyError";
  }
}

export interface TriggerRequest {
  trigger: Trigger;
  policy?: string;
  notify?: boolean;
  response_url?: string;
  requested_by?: string;
}

export interface TriggerResult {
  id: string;
  /** false when a run was already running: its id is returned instead of starting a second one. */
  started: boolean;
}

/** The run was recorded as failed (and reported) already; the caller must not record it again. */
export class RunNotStartedError extends Error {
  constructor(readonly runId: string, cause: unknown) {
    super(`run ${runId} could not be started: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "RunNotStartedError";
  }
}

/** Instance states in which a Workflow will never finish its run. */
const DEAD_INSTANCE = new Set(["errored", "terminated", "complete"]);
/** A trigger inserts its row and then creates the instance: a younger row without an instance is not dead yet. */
const START_GRACE_MS = 2 * 60_000;
/** No run takes this long (every step has a timeout and a few retries): one still going is hung. */
export const HUNG_AFTER_HOURS = 24;

/**
 * Every trigger goes through here: a run that cannot start is recorded as failed and told to Slack
 * where possible, then the error goes on to the caller (a bad policy name is the caller's mistake
 * and only answered).
 */
export async function startRun(env: Env, request: TriggerRequest): Promise<TriggerResult> {
  try {
    return await triggerRun(env, request);
  } catch (error) {
    if (error instanceof UnknownPolicyError || error instanceof RunNotStartedError) throw error;
    await recordTriggerFailure(env, request, error);
    if (isUnmigratedSchemaError(error)) throw new SchemaNotMigratedError([]);
    throw error;
  }
}

/**
 * Starts a durable run, at most one at a time: the D1 insert is the lock, the
 * Workflow instance (id = run id) does the work. A run left `running` by an
 * instance that died is marked failed so the next trigger can start.
 */
export async function triggerRun(env: Env, request: TriggerRequest, config: Config = readConfig(env)): Promise<TriggerResult> {
  if (request.policy === undefined) {
    // The configured policy, not one the request named: a settings problem, recorded and told like one.
    const problem = configuredPolicyProblem(config.policy);
    if (problem) throw new ConfigError([problem]);
  }
  const policy = request.policy ?? config.policy;
  if (!bundledPolicy(policy)) throw new UnknownPolicyError(policy);
  const svc = services(env, config);
  const history = svc.runs;

  for (let attempt = 0; attempt < 2; attempt++) {
    const startedAt = new Date();
    const id = newRunId(startedAt);
    const result = await history.start({
      id,
      trigger: request.trigger,
      policy_name: policy,
      notify: request.notify ?? true,
      started_at: startedAt.toISOString(),
      response_url: request.response_url ?? null,
      requested_by: request.requested_by ?? null,
    });
    if (!result.started) {
      const reason = attempt === 0 ? await abandonedReason(env, result.id, await history.row(result.id)) : null;
      if (reason) {
        await history.abandon(result.id, reason);
        // Its scratch space would otherwise stay in R2 for good.
        await svc.workStore(result.id).clear().catch(() => undefined);
        await reportEndedRun(env, result.id);
        continue;
      }
      return { id: result.id, started: false };
    }
    const params: AuditParams = { run_id: id, trigger: request.trigger, policy, notify: request.notify ?? true, started_at: startedAt.toISOString() };
    try {
      await env.AUDIT_WORKFLOW.create({ id, params });
    } catch (error) {
      await history.abandon(id, "the durable run could not be started", { beforeEvidence: true });
      await reportEndedRun(env, id);
      throw new RunNotStartedError(id, error);
    }
    return { id, started: true };
  }
  throw new Error("could not start a run");
}

/** Why the run holding the lock will never finish, or null while it may still. */
async function abandonedReason(env: Env, id: string, row: { started_at: string; status: string } | null): Promise<string | null> {
  if (!row) return null;
  const age = Date.now() - Date.parse(row.started_at);
  let instance;
  try {
    instance = await env.AUDIT_WORKFLOW.get(id);
  } catch (error) {
    // No such instance: the trigger that inserted the row died before creating it — once the grace period is over.
    const gone = age > START_GRACE_MS && error instanceof Error && /not.?found/i.test(error.message);
    return gone ? "the durable run was never created (the trigger stopped before starting it)" : null;
  }
  const { status } = await instance.status();
  if (DEAD_INSTANCE.has(status)) return `the durable run ended (${status}) without recording a result`;
  if (age > HUNG_AFTER_HOURS * 3_600_000) {
    try {
      await instance.terminate();
    } catch {
      // Already ending: the run is abandoned either way.
    }
    return `the durable run was still ${status} after ${HUNG_AFTER_HOURS} hours: stopped as hung`;
  }
  return null;
}
