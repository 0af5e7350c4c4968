/**
 * The OpenAI Admin API objects the simulator serves, shaped exactly like the
 * JSON the API returns (components in shared/reference/openai-admin-openapi.yaml:
 * AdminApiKey, Project, ProjectApiKey, ProjectApiKeyOwnerUser,
 * ProjectApiKeyOwnerServiceAccount, User, ProjectServiceAccount,
 * Error/ErrorResponse and the list and delete responses).
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
