/**
 * Projects and their keys:
 *   GET    /organization/projects                          limit, after, include_archived=true|false
 *   GET    /organization/projects/{project_id}/api_keys    limit, after, owner_project_access=active|inactive|any
 *   GET    /organization/projects/{project_id}/api_keys/{api_key_id}
 *   DELETE /organization/projects/{project_id}/api_keys/{api_key_id}
 * DELETE answers 200 ProjectApiKeyDeleteResponse and the key leaves every
 * later listing; 400 when the key is owned by a service account (the spec:
 * "an error if the key belonged to a service account"; such a key goes only
 * with its service account); 404 for an unknown project, or a key that is not
 * in that project. Keys of archived projects can be deleted (the spec declares
 * no error for that).
 */
import type { Reply } from "../http.js";
import { apiError, notFound } from "./errors.js";
import type { DeletedJson, ProjectApiKeyJson, ProjectJson, SimOrg } from "./org.js";
import { byTimeThenId, listParams, page } from "./pagination.js";

export function listProjects(org: SimOrg, query: Record<string, string>): Reply {
  const params = listParams(query);
  if ("status" in params) return params;
  const raw = query["include_archived"];
  if (raw !== undefined && raw !== "true" && raw !== "false") {
    return apiError(400, `Invalid value for 'include_archived': expected a boolean, but got '${raw}' instead.`, "include_archived", "invalid_value");
  }
  const includeArchived = raw === "true";
  const sorted = [...org.projects].sort(byTimeThenId<ProjectJson>((p) => p.created_at));
  return page(sorted, (p) => includeArchived || p.status !== "archived", params);
}

export function listProjectKeys(org: SimOrg, projectId: string, query: Record<string, string>): Reply {
  if (!org.projects.some((p) => p.id === projectId)) {
    return apiError(404, `No project found with id '${projectId}'.`, null, "not_found");
  }
  const params = listParams(query);
  if ("status" in params) return params;
  const access = query["owner_project_access"];
  if (access !== undefined && access !== "active" && access !== "inactive" && access !== "any") {
    return apiError(
      400,
      `Invalid value for 'owner_project_access': expected one of 'active', 'inactive' or 'any', but got '${access}' instead.`,
      "owner_project_access",
      "invalid_value",
    );
  }
  // The quirk: when owner_project_access is omitted, keys whose owner lost
  // access to the project are silently left out.
  const visible = (k: ProjectApiKeyJson): boolean =>
    access === "any" ? true : access === undefined ? k.owner_project_access !== "inactive" : k.owner_project_access === access;
  const sorted = [...(org.projectKeys[projectId] ?? [])].sort(byTimeThenId<ProjectApiKeyJson>((k) => k.created_at));
  return page(sorted, visible, params);
}

export function findProject(org: SimOrg, projectId: string): ProjectJson | undefined {
  return org.projects.find((p) => p.id === projectId);
}

/** One key, whatever its owner's access to the project (404 for an unknown project or key). */
export function retrieveProjectKey(org: SimOrg, projectId: string, keyId: string): Reply {
  if (findProject(org, projectId) === undefined) return notFound(`No project found with id '${projectId}'.`);
  const key = (org.projectKeys[projectId] ?? []).find((k) => k.id === keyId);
  if (key === undefined) return notFound(`No API key found with id '${keyId}' in project '${projectId}'.`);
  return { status: 200, json: key };
}

export function deleteProjectKey(org: SimOrg, projectId: string, keyId: string): Reply {
  if (findProject(org, projectId) === undefined) return notFound(`No project found with id '${projectId}'.`);
  const keys = org.projectKeys[projectId] ?? [];
  const idx = keys.findIndex((k) => k.id === keyId);
  const key = keys[idx];
  if (key === undefined) return notFound(`No API key found with id '${keyId}' in project '${projectId}'.`);
  if (key.owner.type === "service_account") {
    return apiError(
      400,
      `API key '${keyId}' belongs to service account '${key.owner.service_account.id}' and cannot be deleted; delete the service account instead.`,
    );
  }
  keys.splice(idx, 1);
  const body: DeletedJson<"organization.project.api_key.deleted"> = { object: "organization.project.api_key.deleted", id: keyId, deleted: true };
  return { status: 200, json: body };
}
