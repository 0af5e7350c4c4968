import { z } from "zod";

/**
 * Zod schemas for the Admin API responses Keywarden relies on (see
 * shared/reference/openai-admin-openapi.yaml). Objects are not strict: fields
 * Keywarden does not use may come and go; a field it uses that is missing or of
 * the wrong type is an error, never a guess.
 */

export const unixTime = z.number().int().nonnegative();
const nullableUnixTime = unixTime.nullable();

export const listEnvelope = z.object({
  object: z.literal("list"),
  data: z.array(z.unknown()),
  has_more: z.boolean(),
  first_id: z.string().nullish(),
  last_id: z.string().nullish(),
});
export type ListEnvelope = z.infer<typeof listEnvelope>;

export const adminApiKeySchema = z.object({
  object: z.literal("organization.admin_api_key"),
  id: z.string().min(1),
  name: z.string().nullish(),
  redacted_value: z.string(),
  created_at: unixTime,
  expires_at: nullableUnixTime.optional(),
  last_used_at: nullableUnixTime.optional(),
  owner: z.object({
    type: z.string().nullish(),
    object: z.string().nullish(),
    id: z.string().min(1),
    name: z.string().nullish(),
    role: z.string().nullish(),
  }),
});
export type AdminApiKeyJson = z.infer<typeof adminApiKeySchema>;

export const projectSchema = z.object({
  object: z.literal("organization.project"),
  id: z.string().min(1),
  name: z.string().nullish(),
  created_at: unixTime,
  archived_at: nullableUnixTime.optional(),
  status: z.string().nullish(),
});
export type ProjectJson = z.infer<typeof projectSchema>;

const projectKeyUserOwner = z.object({
  type: z.literal("user"),
  user: z.object({
    id: z.string().min(1),
    email: z.string().nullish(),
    name: z.string().nullish(),
    // Required by the spec, and rules depend on it: a key without it is an error, not a guess.
    role: z.string(),
  }),
});
const projectKeyServiceAccountOwner = z.object({
  type: z.literal("service_account"),
  service_account: z.object({
    id: z.string().min(1),
    name: z.string().nullish(),
    role: z.string(),
  }),
});

export const projectApiKeySchema = z.object({
  object: z.literal("organization.project.api_key"),
  id: z.string().min(1),
  name: z.string().nullish(),
  redacted_value: z.string(),
  created_at: unixTime,
  last_used_at: nullableUnixTime,
  owner_project_access: z.enum(["active", "inactive"]),
  owner: z.discriminatedUnion("type", [projectKeyUserOwner, projectKeyServiceAccountOwner]),
});
export type ProjectApiKeyJson = z.infer<typeof projectApiKeySchema>;

export const userSchema = z.object({
  object: z.literal("organization.user"),
  id: z.string().min(1),
  name: z.string().nullish(),
  email: z.string().nullish(),
  role: z.string().nullish(),
  is_service_account: z.boolean().optional(),
});
export type UserJson = z.infer<typeof userSchema>;

/** "owner.user.email: expected string, received number" — for error messages. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join(".") : "(root)"}: ${issue.message}`)
    .join("; ");
}
