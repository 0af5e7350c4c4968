import { z } from "zod";
import { withEnrichment } from "../enrichment/run.js";
import type { EnrichmentState } from "../model/enrichment.js";
import type { AuditRun } from "../model/run.js";
import { checked, recordedRunSchema } from "../model/run-schema.js";
import { type InventoryResult, assembleInventory } from "../providers/openai/collect.js";
import { type OwnerDeliveryRecord, ownerDeliveryRecordsSchema } from "../slack/owner-delivery.js";
import { readEnrichmentResult } from "../store/enrichment-state.js";
import type { AuditContext } from "./context.js";

/**
 * What a step reads of its run, each once per step and checked: the run as "evaluate and record"
 * recorded it (D1), and the inventory its slices read (R2).
 */

/** A recorded run, with the owner messages "tell owners" recorded on it (their records, for a retry). */
export type RecordedRun = AuditRun & { owner_messages?: { records: OwnerDeliveryRecord[] } };

const recordedRunWithOwners: z.ZodType<RecordedRun> = z.intersection(
  recordedRunSchema,
  z.object({ owner_messages: z.object({ records: ownerDeliveryRecordsSchema }).optional() }),
);

/** The run as recorded, checked with zod; throws when it is not recorded yet or does not read as a run. */
export async function loadRun(ctx: AuditContext): Promise<RecordedRun> {
  const { run_id: runId } = ctx.params;
  const stored = await ctx.history.get(runId);
  if (!stored || stored.status === "running") throw new Error(`run ${runId} is not recorded`);
  return checked(recordedRunWithOwners, stored, `run ${runId} as recorded`);
}

/** What the `slices` inventory steps read, assembled from their parts in R2. */
export async function loadInventory(ctx: AuditContext, slices: number): Promise<InventoryResult> {
  return assembleInventory(await ctx.work.parts(slices));
}

/** As loadInventory, with the enrichment's result (null when there is none) and its fields on the keys. */
export async function loadEnrichedInventory(ctx: AuditContext, slices: number): Promise<{ inventory: InventoryResult; enrichment: EnrichmentState | null }> {
  const inventory = await loadInventory(ctx, slices);
  const enrichment = await readEnrichmentResult(ctx.enrichment);
  return { inventory: withEnrichment(inventory, enrichment), enrichment };
}
