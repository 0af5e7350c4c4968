import { newRunId } from "../audit/run-id.js";
import type { Trigger } from "../audit/types.js";
import { type Config, readConfig } from "../config.js";
import { RunHistory } from "../store/run-history.js";
import { bundledPolicy, bundledPolicyNames } from "./policies.js";
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

/** Instance states in which a Workflow will never finish its run. */
const DEAD_INSTANCE = new Set(["errored", "terminated", "complete"]);
/** A trigger inserts its row and then creates the instance: a younger row without an instance is not dead yet. */
const START_GRACE_MS = 2 * 60_000;

/**
 * Starts a durable run, at most one at a time: the D1 insert is the lock, the
 * Workflow instance (id = run id) does the work. A run left `running` by an
 * instance that died is marked failed so the next trigger can start.
 */
export async function triggerRun(env: Env, request: TriggerRequest, config: Config = readConfig(env)): Promise<TriggerResult> {
  const policy = request.policy ?? config.policy;
  if (!bundledPolicy(policy)) throw new UnknownPolicyError(policy);
  const history = new RunHistory(env.DB);

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
      if (attempt === 0 && (await instanceIsDead(env, result.id, await history.row(result.id)))) {
        await history.abandon(result.id, "the durable run ended without recording a result");
        continue;
      }
      return { id: result.id, started: false };
    }
    const params: AuditParams = { run_id: id, trigger: request.trigger, policy, notify: request.notify ?? true, started_at: startedAt.toISOString() };
    try {
      await env.AUDIT_WORKFLOW.create({ id, params });
    } catch (error) {
      await history.abandon(id, "the durable run could not be started");
      throw error;
    }
    return { id, started: true };
  }
  throw new Error("could not start a run");
}

async function instanceIsDead(env: Env, id: string, row: { started_at: string } | null): Promise<boolean> {
  if (!row) return false;
  const old = Date.now() - Date.parse(row.started_at) > START_GRACE_MS;
  let instance;
  try {
    instance = await env.AUDIT_WORKFLOW.get(id);
  } catch (error) {
    // No such instance: the trigger that inserted the row died before creating it — once the grace period is over.
    return old && error instanceof Error && /not.?found/i.test(error.message);
  }
  const { status } = await instance.status();
  return DEAD_INSTANCE.has(status);
}
