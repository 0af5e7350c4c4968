import type { WorkflowStep, WorkflowStepConfig } from "cloudflare:workers";
import type { AttemptInfo, StepOutcome } from "../audit/step-outcome.js";
import { log } from "../util/log.js";

export interface RetryPlan {
  attempts: number;
  /** Before attempt n + 1 the Workflow sleeps firstDelaySeconds × 2^(n−1). */
  firstDelaySeconds: number;
}

/**
 * Runs a step whose body decides by itself whether a failure is worth another attempt (the retry
 * policy of src/util/retry.ts). Expected failures that may pass later (a Retry-After longer than a
 * client waits, a Slack delivery cut short) are answered as `{ retry }` instead of thrown, so they are
 * not logged as uncaught exceptions; each attempt is its own durable step with a durable sleep
 * between, replayed exactly on a restart. The step's own `retries` still covers what is unexpected.
 */
export async function stepWithRetries<T>(
  step: WorkflowStep,
  name: string,
  config: WorkflowStepConfig,
  plan: RetryPlan,
  body: (info: AttemptInfo) => Promise<StepOutcome<T>>,
): Promise<T> {
  let carried: unknown;
  for (let attempt = 1; ; attempt++) {
    const last = attempt >= plan.attempts;
    const label = attempt === 1 ? name : `${name} (attempt ${attempt})`;
    const info: AttemptInfo = carried === undefined ? { attempt, last } : { attempt, last, carried };
    // Step results must be serializable; every T this is used with is plain JSON.
    const outcome = (await step.do(label, config, () => body(info) as Promise<never>)) as StepOutcome<T>;
    if ("done" in outcome) return outcome.done;
    carried = outcome.carry;
    if (last) throw new Error(`${name}: the last attempt asked for another (${outcome.retry})`);
    // The reason stays in the step's stored result; the log line carries no name from the API.
    log.info(`keywarden: ${name}: attempt ${attempt} failed in a way that may pass; trying again`);
    await step.sleep(`wait before ${name} (attempt ${attempt + 1})`, `${plan.firstDelaySeconds * 2 ** (attempt - 1)} seconds`);
  }
}
