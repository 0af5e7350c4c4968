import type { AdminApiKeyJson, ProjectApiKeyJson, ProjectJson, UserJson } from "./schemas.js";
import type { KeyRecord, ProjectRecord, UserRecord } from "../../model/inventory.js";

export function isoFromUnix(seconds: number): string;
export function isoFromUnix(seconds: number | null | undefined): string | null;
export function isoFromUnix(seconds: number | null | undefined): string | null {
  return seconds == null ? null : new Date(seconds * 1000).toISOString();
}

export function normalizeProject(project: ProjectJson): ProjectRecord {
  return {
    id: project.id,
    name: project.name ?? null,
    created_at: isoFromUnix(project.created_at),
    archived: project.archived_at != null || project.status === "archived",
    archived_at: isoFromUnix(project.archived_at),
  };
}

export function normalizeUser(user: UserJson): UserRecord {
  return {
    id: user.id,
    name: user.name ?? null,
    email: user.email ?? null,
    role: user.role ?? null,
    is_service_account: user.is_service_account === true,
  };
}

/**
 * An admin key's owner is a flat object without email: the email, and whether the
 * owner is really a service account, come from the organization user list.
 */
export function normalizeAdminKey(key: AdminApiKeyJson, usersById: ReadonlyMap<string, UserRecord>): KeyRecord {
  const user = usersById.get(key.owner.id);
  const isServiceAccount =
    key.owner.type === "service_account" ||
    key.owner.object === "organization.service_account" ||
    user?.is_service_account === true;
  return {
    kind: "admin",
    id: key.id,
    name: key.name ?? null,
    redacted_value: key.redacted_value,
    created_at: isoFromUnix(key.created_at),
    last_used_at: isoFromUnix(key.last_used_at),
    expires_at: isoFromUnix(key.expires_at),
    project: null,
    owner: {
      type: isServiceAccount ? "service_account" : "user",
      id: key.owner.id,
      name: key.owner.name ?? user?.name ?? null,
      email: isServiceAccount ? null : (user?.email ?? null),
      role: key.owner.role ?? user?.role ?? null,
    },
    owner_access: null,
  };
}

export function normalizeProjectKey(key: ProjectApiKeyJson, project: ProjectRecord): KeyRecord {
  const owner =
    key.owner.type === "user"
      ? {
          type: "user" as const,
          id: key.owner.user.id,
          name: key.owner.user.name ?? null,
          email: key.owner.user.email ?? null,
          role: key.owner.user.role ?? null,
        }
      : {
          type: "service_account" as const,
          id: key.owner.service_account.id,
          name: key.owner.service_account.name ?? null,
          email: null,
          role: key.owner.service_account.role ?? null,
        };
  return {
    kind: "project",
    id: key.id,
    name: key.name ?? null,
    redacted_value: key.redacted_value,
    created_at: isoFromUnix(key.created_at),
    last_used_at: isoFromUnix(key.last_used_at),
    expires_at: null,
    project: { id: project.id, name: project.name, archived: project.archived },
    owner,
    owner_access: key.owner_project_access,
  };
}
