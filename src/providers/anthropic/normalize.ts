import type { KeyCreator, KeyOwner, KeyRecord, ProjectRecord, UserRecord } from "../../model/inventory.js";
import type { ApiKeyJson, UserJson, WorkspaceJson } from "./schemas.js";

/** RFC 3339 (any fraction, any zone) as the model writes times: ISO 8601 UTC with milliseconds. */
export function isoTime(rfc3339: string): string;
export function isoTime(rfc3339: string | null): string | null;
export function isoTime(rfc3339: string | null): string | null {
  return rfc3339 === null ? null : new Date(rfc3339).toISOString();
}

/** A workspace is the model's project: archived ones stay in the inventory with `archived`. */
export function normalizeWorkspace(workspace: WorkspaceJson): ProjectRecord {
  return {
    id: workspace.id,
    name: workspace.name,
    created_at: isoTime(workspace.created_at),
    archived: workspace.archived_at !== null,
    archived_at: isoTime(workspace.archived_at),
  };
}

/** An organization member; the Admin API lists service accounts elsewhere (they are never users). */
export function normalizeUser(user: UserJson): UserRecord {
  return { id: user.id, name: user.name, email: user.email, role: user.role, is_service_account: false };
}

/** What the normalizer looks names up in: the account's workspaces and users, by id. */
export interface Directory {
  account: string;
  workspaces: ReadonlyMap<string, ProjectRecord>;
  users: ReadonlyMap<string, UserRecord>;
}

/**
 * One Anthropic API key as the provider-neutral KeyRecord:
 * - `kind` is "project" for every key: the Admin API lists no admin keys, and each key it lists is an
 *   API key of a workspace or, bound to a principal, of the organization;
 * - `project` is its workspace (`scope.workspace_id`), null for the organization scope;
 * - `owner` is its principal (a user or a service account), else its creator (`created_by`), else
 *   nobody (`owner_source` says which);
 * - `redacted_value` is `partial_key_hint` ("" when the API gives none);
 * - `last_used_at` is null here: Anthropic keys have none, last-used.ts derives it from usage analytics;
 * - `status` is the key's own (active, inactive, archived, expired).
 */
export function normalizeApiKey(key: ApiKeyJson, directory: Directory): KeyRecord {
  const { owner, source } = ownerOf(key, directory.users);
  return {
    kind: "project",
    id: key.id,
    name: key.name,
    redacted_value: key.partial_key_hint ?? "",
    created_at: isoTime(key.created_at),
    last_used_at: null,
    expires_at: isoTime(key.expires_at),
    project: key.scope.type === "workspace" ? workspaceRef(key.scope.workspace_id, directory.workspaces) : null,
    owner,
    // Anthropic says nothing of a principal's access to the workspace.
    owner_access: null,
    provider: "anthropic",
    account: directory.account,
    status: key.status,
    owner_source: source,
  };
}

function workspaceRef(id: string, workspaces: ReadonlyMap<string, ProjectRecord>): KeyRecord["project"] {
  const workspace = workspaces.get(id);
  return { id, name: workspace?.name ?? null, archived: workspace?.archived ?? false };
}

type Actor = { type: "user"; id: string } | { type: "service_account"; id: string };

function principalActor(key: ApiKeyJson): Actor | null {
  if (key.principal === null) return null;
  return key.principal.type === "user_actor" ? { type: "user", id: key.principal.user_id } : { type: "service_account", id: key.principal.service_account_id };
}

function ownerOf(key: ApiKeyJson, users: ReadonlyMap<string, UserRecord>): { owner: KeyOwner; source: NonNullable<KeyRecord["owner_source"]> } {
  const principal = principalActor(key);
  if (principal) return { owner: actorOwner(principal, users), source: "principal" };
  if (key.created_by) return { owner: actorOwner(key.created_by, users), source: "creator" };
  // A legacy or system key with neither: an owner no allowlist can match, never a guess.
  return { owner: { type: "user", id: "", name: null, email: null, role: null }, source: "unknown" };
}

/**
 * A user comes with name, email and organization role from the user list (all null for someone who
 * left the organization). A service account is known by id only: the Admin API key cannot list them
 * (service-accounts.d.ts: "Admin API keys are not accepted", an OAuth token with `org:admin` is needed).
 */
function actorOwner(actor: Actor, users: ReadonlyMap<string, UserRecord>): KeyOwner {
  if (actor.type === "service_account") return { type: "service_account", id: actor.id, name: null, email: null, role: null };
  const user = users.get(actor.id);
  return { type: "user", id: actor.id, name: user?.name ?? null, email: user?.email ?? null, role: user?.role ?? null };
}

/**
 * Who created the key (`created_by`), as the enrichment's creator: Anthropic lists it with the key,
 * no audit log is needed. Null when the API does not record it.
 */
export function creatorOf(key: ApiKeyJson, users: ReadonlyMap<string, UserRecord>): KeyCreator | null {
  const actor = key.created_by;
  if (actor === null) return null;
  if (actor.type === "service_account") return { type: "service_account", id: actor.id, email: null, api_key_id: null, display: `service account ${actor.id}` };
  const email = users.get(actor.id)?.email ?? null;
  return { type: "user", id: actor.id, email, api_key_id: null, display: email ?? `user ${actor.id}` };
}
