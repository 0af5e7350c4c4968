import { RunWorkFiles } from "./work-store.js";
import { failedEnrichment } from "../enrichment/plan.js";
import { readEnrichSettings } from "../config.js";
import type { EnrichSource } from "../model/enrichment.js";
import type { AccountEnrichment } from "../providers/index.js";

/**
 * The enrichment's scratch space in R2, next to the inventory's (WorkStore, src/store/work-store.ts):
 * under the run's `work/<run id>/`, so the run's clean-up removes it with the rest. Every account's
 * enrichment after each Workflow step that carried it (`enrich-state-<i>.json`, i counting the
 * inventory steps, which start it, then the enrich steps), and the result the later steps read
 * (`enrichment.json`).
 */
export class EnrichmentStore extends RunWorkFiles {
  async putState(index: number, state: readonly AccountEnrichment[]): Promise<void> {
    await this.write(`enrich-state-${index}`, state);
  }

  /** The state after step `index`, or null when that step kept none (no enrichment, or it was over). */
  async stateIfAny(index: number): Promise<AccountEnrichment[] | null> {
    return this.readIfAny<AccountEnrichment[]>(`enrich-state-${index}`);
  }

  async putResult(state: readonly AccountEnrichment[]): Promise<void> {
    await this.write("enrichment", state);
  }

  /** The result, or null when the run has none (enrichment not wired, or its step never finished). */
  async result(): Promise<AccountEnrichment[] | null> {
    return this.readIfAny<AccountEnrichment[]>("enrichment");
  }
}

/** What the Workflow's steps need for the enrichment: where its state lives, and ENRICH (read afresh in each step). */
export interface EnrichmentContext {
  store: EnrichmentStore;
  /** Throws ConfigError when ENRICH is not valid. */
  sources: () => EnrichSource[];
}

export function enrichmentContext(env: Env, runId: string): EnrichmentContext {
  return { store: new EnrichmentStore(env.EVIDENCE, runId), sources: () => readEnrichSettings(env) };
}

/**
 * The enrichment's result for the later steps (evaluate, evidence): null when there is none (not
 * wired, nothing asked for, no key seen). A result that cannot be read is an enrichment error, never
 * a failed run.
 */
export async function readEnrichmentResult(context: EnrichmentContext | undefined): Promise<AccountEnrichment[] | null> {
  if (!context) return null;
  try {
    const result = await context.store.result();
    // One state, not one per account: written by a version before accounts (a deploy mid-run).
    if (result !== null && !Array.isArray(result)) throw new TypeError("an older version's result");
    return result;
  } catch (error) {
    const reason = error instanceof Error ? error.name : "error";
    return [{ account: null, state: failedEnrichment(askedSources(context), new Date(), { kind: "step_failed", message: `its result could not be read back (${reason})` }) }];
  }
}

/** The sources ENRICH asks for; none when it is not valid (the step that read it said so). */
export function askedSources(context: EnrichmentContext): EnrichSource[] {
  try {
    return context.sources();
  } catch {
    return [];
  }
}
