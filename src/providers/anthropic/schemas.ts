import { z } from "zod";

/**
 * Zod schemas for the Anthropic Admin API responses Keywarden relies on. The spec is the official
 * SDK `@anthropic-ai/sdk` 1.17.0 (node_modules/@anthropic-ai/sdk/…, named per schema below). Objects
 * are not strict: fields Keywarden does not use may come and go; a field it uses that is missing or
 * of the wrong type is an error, never a guess.
 */

/** RFC 3339 with a zone, any fraction of a second ("2024-10-30T23:58:27.427722Z"): how every time of these resources is written. */
export const rfc3339 = z.iso.datetime({ offset: true });

/** core/pagination.d.ts `PageResponse` (`Page<T>`): API keys, workspaces and users page with `after_id` ← `last_id`. */
export const pageEnvelope = z.object({
  data: z.array(z.unknown()),
  has_more: z.boolean(),
  first_id: z.string().nullish(),
  // Checked by the caller: a has_more without a last_id is a truncated listing, not a malformed page.
  last_id: z.string().nullish(),
});
export type PageEnvelope = z.infer<typeof pageEnvelope>;

/** core/pagination.d.ts `ReportPageCursorResponse`: the analytics reports page with `page` ← `next_page`. */
export const reportEnvelope = z.object({
  data: z.array(z.unknown()),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
  data_refreshed_at: rfc3339.nullish(),
});
export type ReportEnvelope = z.infer<typeof reportEnvelope>;

const id = z.string().min(1);

/** resources/organization/api-keys.d.ts `APIKey` (every status: active, inactive, archived, expired). */
export const apiKeySchema = z.object({
  type: z.literal("api_key"),
  id,
  name: z.string(),
  created_at: rfc3339,
  // `null` for legacy, workload-identity-federated or system-created keys.
  created_by: z.object({ id, type: z.enum(["user", "service_account"]) }).nullable(),
  expires_at: rfc3339.nullable(),
  partial_key_hint: z.string().nullable(),
  principal: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("user_actor"), user_id: id }),
      z.object({ type: z.literal("service_account_actor"), service_account_id: id }),
    ])
    .nullable(),
  scope: z.discriminatedUnion("type", [z.object({ type: z.literal("workspace"), workspace_id: id }), z.object({ type: z.literal("organization") })]),
  status: z.enum(["active", "inactive", "archived", "expired"]),
});
export type ApiKeyJson = z.infer<typeof apiKeySchema>;
export type ApiKeyStatus = ApiKeyJson["status"];

/** resources/organization/workspaces/workspaces.d.ts `Workspace` (archived ones carry `archived_at`). */
export const workspaceSchema = z.object({
  type: z.literal("workspace"),
  id,
  name: z.string(),
  created_at: rfc3339,
  archived_at: rfc3339.nullable(),
});
export type WorkspaceJson = z.infer<typeof workspaceSchema>;

/** resources/organization/users.d.ts `OrganizationUser`. */
export const userSchema = z.object({
  type: z.literal("user"),
  id,
  email: z.string(),
  name: z.string(),
  // `OrganizationRole` in organization.d.ts; read as text so a role added later is not an unreadable user.
  role: z.string(),
});
export type UserJson = z.infer<typeof userSchema>;

/** The part of a report row's `group` Keywarden groups by (usage.d.ts `BetaAnalyticsUsageGroup`, cost.d.ts `BetaAnalyticsCostGroup`). */
const keyGroup = z.object({
  // Null for usage that no API key authenticated (claude.ai, Claude Code seats…).
  api_key_id: z.string().nullable(),
});

/** resources/beta/organization/analytics/usage.d.ts `BetaAnalyticsUsageItem`, grouped by `api_key_id`. */
export const usageRowSchema = z.object({
  starting_at: rfc3339,
  ending_at: rfc3339,
  group: keyGroup,
  usage: z.object({
    requests: z.number().int().nonnegative().nullable(),
    total_tokens: z.number().nonnegative(),
  }),
});
export type UsageRowJson = z.infer<typeof usageRowSchema>;

/** resources/beta/organization/analytics/cost.d.ts `BetaAnalyticsCostItem`, grouped by `api_key_id`. */
export const costRowSchema = z.object({
  starting_at: rfc3339,
  ending_at: rfc3339,
  group: keyGroup,
  cost: z.object({
    // "Amount (post-discount, pre-credit) in fractional cents (minor units)", as a decimal string.
    amount: z.string().regex(/^-?\d+(\.\d+)?$/, "not a decimal amount"),
    currency: z.string(),
  }),
});
export type CostRowJson = z.infer<typeof costRowSchema>;

/** "scope.workspace_id: expected string, received number" — for error messages (the same wording as the OpenAI provider's). */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
