/**
 * The normalized view of the organization that every later stage works on.
 * Both kinds of OpenAI key (admin and project) become one `KeyRecord`.
 * Times are ISO 8601 UTC strings (`2026-07-03T10:00:00.000Z`), or null when the API says null.
 */

export type KeyKind = "admin" | "project";
export type OwnerType = "user" | "service_account";
export type OwnerAccess = "active" | "inactive";

export interface KeyOwner {
  type: OwnerType;
  id: string;
  name: string | null;
  /** Users only; null for service accounts and for admin-key owners missing from the user list. */
  email: string | null;
  /** Organization role for admin-key owners, project role for project-key owners. */
  role: string | null;
}

export interface ProjectRef {
  id: string;
  name: string | null;
  archived: boolean;
}

export interface KeyRecord {
  kind: KeyKind;
  id: string;
  name: string | null;
  redacted_value: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  /** null for admin keys (they belong to the organization). */
  project: ProjectRef | null;
  owner: KeyOwner;
  /** Project keys only: whether the owner still has effective access to the project. */
  owner_access: OwnerAccess | null;
  /*
   * Enrichment (src/enrichment, setting ENRICH): absent when the source was not asked for, null when
   * it was but the answer is unknown (the source failed, or has nothing on this key).
   */
  /** Who created the key, from its `api_key.created` audit-log event. */
  created_by?: KeyCreator | null;
  /** The IP address of the dashboard session that created the key (audit log). */
  created_from_ip?: string | null;
  /** Completions requests made with the key in the last 30 days (usage API). */
  requests_30d?: number | null;
  /** What the key cost in the last 30 days, in US dollars (costs API). */
  spend_30d_usd?: number | null;
  /** The provider the key belongs to; absent means OpenAI (every record before issue 19). */
  provider?: "openai" | "anthropic";
  /** The configured account (organization) the key was listed from, e.g. `openai`, `anthropic`. */
  account?: string;
  /** The provider's own key status (Anthropic: active, inactive, archived, expired); absent when the provider lists live keys only. */
  status?: string;
  /** Where `owner` comes from when the provider names it indirectly (Anthropic: the principal, else the creator, else nobody). */
  owner_source?: "principal" | "creator" | "unknown";
  /*
   * Last use when the provider does not give it and it is derived from usage reports (Anthropic;
   * model/last-use.ts builds these fields). Both absent: `last_used_at` is the provider's own,
   * complete answer (OpenAI), and null means never used.
   */
  /**
   * The earliest time usage could be read (the start of the usage window). With it, `last_used_at`
   * is the latest use seen since then, and null means "no use seen since then": never used if the
   * key was created after it, else unknown before it.
   */
  last_used_known_since?: string;
  /** Why the key's last use cannot be known (usage unreadable, key newer than the usage data); `last_used_at` is then null. */
  last_used_unknown?: string;
}

/** The actor of a key's `api_key.created` audit-log event. */
export interface KeyCreator {
  /** A person (in a dashboard session, or with one of their API keys) or a service account (with its API key). */
  type: OwnerType;
  /** The user id or service account id. */
  id: string;
  /** People only, when the log has it. */
  email: string | null;
  /** The API key the key was created with; null for a dashboard session. */
  api_key_id: string | null;
  /** In words: `alice@example.com`, `alice@example.com via API key key_abc`, `service account deploy-bot (sa_1) via API key key_def`. */
  display: string;
}

export interface ProjectRecord {
  id: string;
  name: string | null;
  created_at: string;
  archived: boolean;
  archived_at: string | null;
}

export interface UserRecord {
  id: string;
  name: string | null;
  email: string | null;
  role: string | null;
  is_service_account: boolean;
}

/** What part of the organization an inventory error left unseen. */
export type InventoryScope =
  | { list: "admin_api_keys" }
  | { list: "projects" }
  | { list: "users" }
  | { list: "project_api_keys"; project_id: string; project_name: string | null }
  // Anthropic (issue 19): one list of every API key, and workspaces (its projects).
  | { list: "api_keys" }
  | { list: "workspaces" }
  // A provider whose keys' last use is read from its usage reports (Anthropic): what a rule needs of them.
  | { list: "usage" };

export type InventoryErrorKind =
  | "auth" // 401/403: the admin key is wrong or lacks permission
  | "http" // any other HTTP error after retries
  | "network" // connection failure or timeout after retries
  | "invalid_json" // body was not JSON
  | "invalid_shape" // JSON did not match the schema Keywarden relies on
  | "truncated_pagination" // has_more: true without a cursor
  | "budget_exhausted" // the run's retry budget ran out
  | "undecided"; // a rule could not judge keys from what the provider gives (Anthropic usage not reaching back far enough)

export interface InventoryError {
  scope: InventoryScope;
  kind: InventoryErrorKind;
  /** HTTP status when there was one. */
  status?: number;
  /** Human explanation; never contains a secret. */
  message: string;
  /** The configured account whose listing failed, when there are several (issue 19). */
  account?: string;
}

export interface Inventory {
  keys: KeyRecord[];
  projects: ProjectRecord[];
  users: UserRecord[];
  errors: InventoryError[];
  /** Number of HTTP requests made to the Admin API (retries included). */
  requests: number;
}

/** A short human label for a scope, used in errors and reports. */
export function describeScope(scope: InventoryScope): string {
  switch (scope.list) {
    case "admin_api_keys":
      return "admin API keys";
    case "projects":
      return "projects";
    case "users":
      return "organization users";
    case "project_api_keys":
      return `API keys of project ${scope.project_name ? `"${scope.project_name}" ` : ""}(${scope.project_id})`;
    case "api_keys":
      return "API keys";
    case "workspaces":
      return "workspaces";
    case "usage":
      return "usage analytics (each key's last use)";
  }
}
