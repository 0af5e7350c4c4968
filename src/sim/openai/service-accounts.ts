/**
 * GET, POST and DELETE /organization/projects/{project_id}/service_accounts/{service_account_id}.
 * A project's service accounts are DERIVED from the owners of its keys (the
 * SimOrg has no service-account list): an account without keys does not exist
 * here. The account object takes name/created_at/role from its first key.
 * - DELETE → 200 ProjectServiceAccountDeleteResponse, and the simulator ALSO
 *   REMOVES ALL OF THAT ACCOUNT'S KEYS from the project's key listing. Whether
 *   the real API does that is UNVERIFIED (neither the spec nor the docs say;
 *   platform-notes §13): a client must confirm by listing again. 400 when the
 *   project is archived (the spec: "an error if the project is archived
 *   (archived projects have no service accounts)"; it declares no status for
 *   it, 400 is the one its list/create operations declare for an archived
 *   project); 404 unknown project or account.
 * - POST (UpdateProjectServiceAccountBody: optional `name`, optional `role`
 *   member|owner) → 200 ProjectServiceAccount; the new name/role shows in
 *   `owner.service_account` of that account's keys afterwards. 400 for a body
 *   that is not a JSON object, an unknown field or a bad value; 400 on an
 *   archived project (as for DELETE); 404 unknown.
 */
import type { Reply } from "../http.js";
import { isRecord } from "../json.js";
import { apiError, notFound } from "./errors.js";
import type { DeletedJson, ProjectApiKeyJson, ProjectServiceAccountJson, SimOrg } from "./org.js";
import { findProject } from "./projects.js";

/** The keys of `projectId` owned by service account `serviceAccountId` (possibly none). */
function serviceAccountKeys(org: SimOrg, projectId: string, serviceAccountId: string): ProjectApiKeyJson[] {
  return (org.projectKeys[projectId] ?? []).filter((k) => k.owner.type === "service_account" && k.owner.service_account.id === serviceAccountId);
}

/** Project (404) → archived (400) → service account (404); the account's keys when all is well. */
function lookupServiceAccount(org: SimOrg, projectId: string, serviceAccountId: string): ProjectApiKeyJson[] | Reply {
  const project = findProject(org, projectId);
  if (project === undefined) return notFound(`No project found with id '${projectId}'.`);
  if (project.status === "archived") {
    return apiError(400, `Project '${projectId}' is archived: archived projects have no service accounts.`);
  }
  const keys = serviceAccountKeys(org, projectId, serviceAccountId);
  if (keys.length === 0) return notFound(`No service account found with id '${serviceAccountId}' in project '${projectId}'.`);
  return keys;
}

export function deleteServiceAccount(org: SimOrg, projectId: string, serviceAccountId: string): Reply {
  const found = lookupServiceAccount(org, projectId, serviceAccountId);
  if (!Array.isArray(found)) return found;
  // UNVERIFIED: the real API may keep the keys' records; the simulator removes them.
  const gone = new Set(found);
  org.projectKeys[projectId] = (org.projectKeys[projectId] ?? []).filter((k) => !gone.has(k));
  const body: DeletedJson<"organization.project.service_account.deleted"> = {
    object: "organization.project.service_account.deleted",
    id: serviceAccountId,
    deleted: true,
  };
  return { status: 200, json: body };
}

const PARSE_ERROR =
  "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. " +
  "The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)";

/** UpdateProjectServiceAccountBody: `{ name?: string, role?: "member" | "owner" }`, nothing else. */
function parseServiceAccountUpdate(text: string): { name?: string; role?: string } | Reply {
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    return apiError(400, PARSE_ERROR);
  }
  if (!isRecord(input)) return apiError(400, `Invalid type for the request body: expected an object, but got ${describeJson(input)} instead.`, null, "invalid_type");
  const update: { name?: string; role?: string } = {};
  for (const [field, value] of Object.entries(input)) {
    if (field === "name") {
      if (typeof value !== "string") {
        return apiError(400, `Invalid type for 'name': expected a string, but got ${describeJson(value)} instead.`, "name", "invalid_type");
      }
      update.name = value;
    } else if (field === "role") {
      if (typeof value !== "string") {
        return apiError(400, `Invalid type for 'role': expected a string, but got ${describeJson(value)} instead.`, "role", "invalid_type");
      }
      if (value !== "member" && value !== "owner") {
        return apiError(400, `Invalid value for 'role': expected one of 'member' or 'owner', but got '${value}' instead.`, "role", "invalid_value");
      }
      update.role = value;
    } else {
      return apiError(400, `Unrecognized request argument supplied: ${field}`, field);
    }
  }
  return update;
}

function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

function serviceAccountJson(key: ProjectApiKeyJson | undefined, serviceAccountId: string): Reply {
  if (key === undefined || key.owner.type !== "service_account") return notFound(`No service account found with id '${serviceAccountId}'.`);
  const sa = key.owner.service_account;
  const body: ProjectServiceAccountJson = {
    object: "organization.project.service_account",
    id: sa.id,
    name: sa.name,
    role: sa.role,
    created_at: sa.created_at,
  };
  return { status: 200, json: body };
}

/** GET …/service_accounts/{id}: the account (the simulator knows accounts through their keys). */
export function retrieveServiceAccount(org: SimOrg, projectId: string, serviceAccountId: string): Reply {
  const project = findProject(org, projectId);
  if (project === undefined) return notFound(`No project found with id '${projectId}'.`);
  return serviceAccountJson(serviceAccountKeys(org, projectId, serviceAccountId)[0], serviceAccountId);
}

export function updateServiceAccount(org: SimOrg, projectId: string, serviceAccountId: string, bodyText: string): Reply {
  const update = parseServiceAccountUpdate(bodyText);
  if ("status" in update) return update;
  const found = lookupServiceAccount(org, projectId, serviceAccountId);
  if (!Array.isArray(found)) return found;
  for (const key of found) {
    if (key.owner.type !== "service_account") continue;
    if (update.name !== undefined) key.owner.service_account.name = update.name;
    if (update.role !== undefined) key.owner.service_account.role = update.role;
  }
  return serviceAccountJson(found[0], serviceAccountId);
}
