/**
 * Types of a simulated OpenAI organization, shaped exactly like the JSON the
 * Admin API returns (components in shared/reference/openai-admin-openapi.yaml:
 * AdminApiKey, Project, ProjectApiKey, ProjectApiKeyOwnerUser,
 * ProjectApiKeyOwnerServiceAccount, User, Error/ErrorResponse and the list
 * responses). The simulator serves these objects verbatim.
 *
 * All times are unix seconds (integers).
 */

/** Unix time in whole seconds. */
export type UnixSeconds = number;

/**
 * `owner` of an admin key: a FLAT object (no nested user, no email).
 * The spec says "Always `user`" / "always organization.user", but its own list
 * example (and real organizations) show service-account owners too.
 */
export type AdminApiKeyOwnerJson =
  | {
      type: "user";
      object: "organization.user";
      id: string;
      name: string;
      created_at: UnixSeconds;
      role: string;
    }
  | {
      type: "service_account";
      object: "organization.service_account";
      id: string;
      name: string;
      created_at: UnixSeconds;
      role: string;
    };

/** components.schemas.AdminApiKey */
export interface AdminApiKeyJson {
  object: "organization.admin_api_key";
  id: string;
  name: string | null;
  redacted_value: string;
  created_at: UnixSeconds;
  expires_at: UnixSeconds | null;
  last_used_at: UnixSeconds | null;
  owner: AdminApiKeyOwnerJson;
}

/** components.schemas.Project (the optional external_key_id / residency are not simulated). */
export interface ProjectJson {
  id: string;
  object: "organization.project";
  name: string | null;
  created_at: UnixSeconds;
  archived_at: UnixSeconds | null;
  status: "active" | "archived";
}

/** components.schemas.ProjectApiKeyOwnerUser (email is a required, non-nullable string here). */
export interface ProjectApiKeyOwnerUserJson {
  id: string;
  email: string;
  name: string;
  created_at: UnixSeconds;
  /** The user's PROJECT role (owner | member). */
  role: string;
}

/** components.schemas.ProjectApiKeyOwnerServiceAccount */
export interface ProjectApiKeyOwnerServiceAccountJson {
  id: string;
  name: string;
  created_at: UnixSeconds;
  /** The service account's PROJECT role. */
  role: string;
}

export type ProjectApiKeyOwnerJson =
  | { type: "user"; user: ProjectApiKeyOwnerUserJson }
  | { type: "service_account"; service_account: ProjectApiKeyOwnerServiceAccountJson };

export type OwnerProjectAccess = "active" | "inactive";

/** components.schemas.ProjectApiKey */
export interface ProjectApiKeyJson {
  object: "organization.project.api_key";
  redacted_value: string;
  name: string;
  created_at: UnixSeconds;
  last_used_at: UnixSeconds | null;
  id: string;
  owner_project_access: OwnerProjectAccess;
  owner: ProjectApiKeyOwnerJson;
}

/** components.schemas.User (only the fields Keywarden may use; the rest are optional in the spec). */
export interface UserJson {
  object: "organization.user";
  id: string;
  name: string | null;
  email: string | null;
  /** Organization role: `owner` or `reader`. */
  role: string | null;
  added_at: UnixSeconds;
  is_service_account: boolean;
}

/** components.schemas.AuditLogActorUser */
export interface AuditLogActorUserJson {
  id: string;
  email: string;
}

/** components.schemas.AuditLogActorSession (user_agent / ja3 / ip_address_details, in the spec's examples, are not simulated). */
export interface AuditLogActorSessionJson {
  user: AuditLogActorUserJson;
  ip_address: string;
}

/** components.schemas.AuditLogActorApiKey: `user` when `type` is user, `service_account` when it is service_account. */
export type AuditLogActorApiKeyJson =
  | { id: string; type: "user"; user: AuditLogActorUserJson }
  | { id: string; type: "service_account"; service_account: { id: string } };

/** components.schemas.AuditLogActor (`type` is `session` or `api_key`). */
export type AuditLogActorJson = { type: "session"; session: AuditLogActorSessionJson } | { type: "api_key"; api_key: AuditLogActorApiKeyJson };

/**
 * components.schemas.AuditLog. Required: id, type, effective_at. The details of
 * an event sit under a property named after its `type` (e.g. `"api_key.created":
 * {id, data: {scopes}}`); only the few the simulator generates are typed, any
 * other AuditLogEventType payload may be added through the index signature.
 */
export interface AuditLogJson {
  id: string;
  /** components.schemas.AuditLogEventType, e.g. "api_key.created". */
  type: string;
  effective_at: UnixSeconds;
  /** Absent for actions not scoped to a project. */
  project?: { id: string; name: string };
  actor: AuditLogActorJson | null;
  "api_key.created"?: { id: string; data: { scopes: string[] } };
  "api_key.updated"?: { id: string; changes_requested: { scopes: string[] } };
  "api_key.deleted"?: { id: string };
  "project.created"?: { id: string; data: { name: string; title: string } };
  [eventDetails: string]: unknown;
}

/**
 * Completions usage of ONE key at one moment (the simulator's own fixture
 * record, not a spec object): the usage and cost endpoints put it into the
 * time bucket that contains `at` and aggregate records per bucket and group.
 */
export interface SimUsageRecord {
  /** When the requests happened (unix seconds). */
  at: UnixSeconds;
  api_key_id: string;
  project_id: string;
  /** The key's owner when it is a user; null for a service account. */
  user_id: string | null;
  model: string;
  input_tokens: number;
  input_cached_tokens: number;
  output_tokens: number;
  num_model_requests: number;
  /** Default false. */
  batch?: boolean;
  /** Default "default". */
  service_tier?: string;
  /** Cost of the input tokens, in USD (costs line item "<model>, input"). */
  input_cost_usd: number;
  /** Cost of the output tokens, in USD (costs line item "<model>, output"). */
  output_cost_usd: number;
}

/** The whole simulated organization. */
export interface SimOrg {
  adminKeys: AdminApiKeyJson[];
  projects: ProjectJson[];
  /** Keyed by project id. A project without an entry has no keys. */
  projectKeys: Record<string, ProjectApiKeyJson[]>;
  users: UserJson[];
  /** Events served by GET /organization/audit_logs (any order; served newest first). Absent = none. */
  auditLogs?: AuditLogJson[];
  /**
   * false: the organization has not enabled audit logging, and
   * GET /organization/audit_logs answers an error. Absent = true.
   */
  auditLoggingEnabled?: boolean;
  /** Served by GET /organization/usage/completions and GET /organization/costs. Absent = none. */
  usage?: SimUsageRecord[];
}

/** components.schemas.ListAuditLogsResponse */
export interface ListAuditLogsResponseJson {
  object: "list";
  data: AuditLogJson[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** components.schemas.UsageCompletionsResult (all the token fields the simulator tracks; the rest are omitted). */
export interface UsageCompletionsResultJson {
  object: "organization.usage.completions.result";
  input_tokens: number;
  input_cached_tokens: number;
  input_uncached_tokens: number;
  output_tokens: number;
  num_model_requests: number;
  project_id: string | null;
  user_id: string | null;
  api_key_id: string | null;
  model: string | null;
  batch: boolean | null;
  service_tier: string | null;
}

/** components.schemas.CostsResult */
export interface CostsResultJson {
  object: "organization.costs.result";
  amount: { value: number; currency: string };
  line_item: string | null;
  project_id: string | null;
  api_key_id: string | null;
  quantity: number | null;
  quantity_unit: string | null;
}

/** components.schemas.UsageTimeBucket */
export interface UsageTimeBucketJson<R> {
  object: "bucket";
  start_time: UnixSeconds;
  end_time: UnixSeconds;
  results: R[];
}

/** components.schemas.UsageResponse */
export interface UsageResponseJson<R> {
  object: "page";
  data: UsageTimeBucketJson<R>[];
  has_more: boolean;
  next_page: string | null;
}

/** ApiKeyList / ProjectListResponse / ProjectApiKeyListResponse / UserListResponse. */
export interface ListResponseJson<T> {
  object: "list";
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/**
 * components.schemas.ProjectServiceAccount (returned by
 * POST /organization/projects/{project_id}/service_accounts/{service_account_id}).
 * The spec's role enum is `owner | member | none`; kept a string like the key owners' roles.
 */
export interface ProjectServiceAccountJson {
  object: "organization.project.service_account";
  id: string;
  name: string;
  role: string;
  created_at: UnixSeconds;
}

/**
 * The answer to a DELETE: components.schemas.ProjectApiKeyDeleteResponse
 * (`organization.project.api_key.deleted`), ProjectServiceAccountDeleteResponse
 * (`organization.project.service_account.deleted`) and the inline 200 schema of
 * DELETE /organization/admin_api_keys/{key_id} (`organization.admin_api_key.deleted`).
 */
export interface DeletedJson<O extends string = string> {
  object: O;
  id: string;
  deleted: boolean;
}

/** components.schemas.Error */
export interface ErrorJson {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** components.schemas.ErrorResponse */
export interface ErrorResponseJson {
  error: ErrorJson;
}

export const DAY_SECONDS = 86_400;

/** `now` as whole unix seconds (floored). */
export function unixSeconds(date: Date): UnixSeconds {
  return Math.floor(date.getTime() / 1000);
}

/** Number of keys in an organization (admin + project). */
export function countKeys(org: SimOrg): { admin: number; project: number; total: number } {
  const project = Object.values(org.projectKeys).reduce((n, keys) => n + keys.length, 0);
  return { admin: org.adminKeys.length, project, total: org.adminKeys.length + project };
}
