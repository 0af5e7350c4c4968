import { z } from "zod";
import { type ListEnvelope, listEnvelope, unixTime } from "./schemas.js";

/**
 * Zod schemas for the three enrichment endpoints (shared/reference/openai-admin-openapi.yaml:
 * ListAuditLogsResponse / AuditLog / AuditLogActor*, UsageResponse / UsageTimeBucket /
 * UsageCompletionsResult / CostsResult). As in src/providers/openai/schemas.ts, objects are not strict,
 * and a field Keywarden uses that is missing or of the wrong type is an error, never a guess.
 */

/** ListAuditLogsResponse: the inventory's list envelope; each event is validated on its own (one unreadable event hides no other). */
export const auditLogPage = listEnvelope;
export type AuditLogPage = ListEnvelope;

const actorUser = z.object({ id: z.string().min(1), email: z.string().nullish() });

/** AuditLogActor: `session` (a user in the dashboard, with an IP address) or `api_key` (a user's or a service account's key). */
const actorSchema = z.object({
  type: z.string(),
  session: z.object({ user: actorUser.nullish(), ip_address: z.string().nullish() }).nullish(),
  api_key: z
    .object({
      id: z.string().nullish(),
      type: z.string().nullish(),
      user: actorUser.nullish(),
      service_account: z.object({ id: z.string().min(1) }).nullish(),
    })
    .nullish(),
});
export type AuditLogActor = z.infer<typeof actorSchema>;

/** An `api_key.created` AuditLog: required id, type, effective_at; the key under `api_key.created.id`. */
export const keyCreatedEvent = z.object({
  id: z.string().min(1),
  type: z.literal("api_key.created"),
  effective_at: unixTime,
  actor: actorSchema.nullish(),
  "api_key.created": z.object({ id: z.string().min(1) }),
});
export type KeyCreatedEvent = z.infer<typeof keyCreatedEvent>;

/** UsageResponse around results of any kind; the results are read by the schemas below. */
export const usagePage = z.object({
  object: z.literal("page"),
  data: z.array(
    z.object({
      start_time: unixTime,
      end_time: unixTime,
      results: z.array(z.unknown()),
    }),
  ),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});
export type UsagePage = z.infer<typeof usagePage>;

/** UsageCompletionsResult, grouped by api_key_id (null: usage no key is named for). */
export const completionsResult = z.object({
  object: z.literal("organization.usage.completions.result"),
  num_model_requests: z.number().int().nonnegative(),
  api_key_id: z.string().nullish(),
});

/** CostsResult, grouped by api_key_id. `amount` is optional in the spec; spend cannot be told without it. */
export const costsResult = z.object({
  object: z.literal("organization.costs.result"),
  amount: z.object({ value: z.number(), currency: z.string() }),
  api_key_id: z.string().nullish(),
});
