import { z } from "zod";
import type { EnrichmentState } from "../model/enrichment.js";
import type { AuditRun } from "../model/run.js";
import { checked, recordedRunSchema } from "../model/run-schema.js";
import type { AccountEnrichment, AccountPart, AccountRef } from "../providers/index.js";
import { type OwnerDeliveryRecord, ownerDeliveryRecordsSchema } from "../slack/owner-delivery.js";
import { readEnrichmentResult } from "../store/enrichment-state.js";
import { type RunInventory, assembleRun } from "./accounts.js";
import type { AuditContext } from "./context.js";
import { applyAccountsEnrichment, mergedEnrichment } from "./enrich.js";

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

/** What the `slices` inventory steps read, assembled from their parts in R2, account by account. */
export async function loadInventory(ctx: AuditContext, slices: number): Promise<RunInventory> {
  const parts = await ctx.work.parts(slices);
  return assembleRun(accountsOf(parts), parts);
}

/** The accounts the parts are of, in the order they were first read (the configured order). */
function accountsOf(parts: readonly AccountPart[]): AccountRef[] {
  const accounts = new Map<string, AccountRef>();
  for (const part of parts) if (!accounts.has(part.account)) accounts.set(part.account, { name: part.account, provider: part.provider });
  return [...accounts.values()];
}

/**
 * As loadInventory, each account's keys with what its enrichment read; the enrichment as the run
 * reports it (null when there is none), and each account's.
 */
export async function loadEnrichedInventory(
  ctx: AuditContext,
  slices: number,
): Promise<{ inventory: RunInventory; enrichment: EnrichmentState | null; enrichments: AccountEnrichment[] | null }> {
  const inventory = await loadInventory(ctx, slices);
  const enrichments = await readEnrichmentResult(ctx.enrichment);
  return { inventory: applyAccountsEnrichment(inventory, enrichments), enrichment: mergedEnrichment(enrichments), enrichments };
}
