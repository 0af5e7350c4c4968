import type { KeyRecord, ProjectRecord, UserRecord } from "../../model/inventory.js";
import type { ApiFailure, EnrichmentApi } from "./enrichment-api.js";
import { normalizeAdminKey, normalizeProject, normalizeProjectKey, normalizeUser } from "./normalize.js";
import { adminApiKeySchema, listEnvelope, projectApiKeySchema, projectSchema, userSchema } from "./schemas.js";
import type { ChangedKey, ChangedServiceAccount } from "./watch-events.js";

/**
 * Reads just the keys the audit log named, and their owners (the hourly watch, issue 20): for a key
 * of a project, `GET /organization/projects/{p}/api_keys/{k}` (its owner comes with it); for an admin
 * key, or a key whose event named a project that does not have it (actions taken with an admin key
 * are associated with the default project), `GET /organization/admin_api_keys/{k}`, then its owner's
 * `GET /organization/users/{id}` (the key gives no email). A service account that changed has its
 * keys read from its project's listing, the one place that names them. A key neither read finds is
 * looked for in the organization's projects' key listings (the event may name another project than
 * the key's), as far as `maxRequests` allows. A key none of that finds is left
 * to the weekly audit (`not_found`), never taken as gone: the spec says neither that the GET finds a
 * key whose owner lost access nor which of project and key is missing.
 */

/** Items per page of a project's key listing (the API allows 1..100). */
const PAGE_SIZE = 100;

export interface ReadKeysResult {
  keys: KeyRecord[];
  /** Keys the events named that no read found. */
  not_found: string[];
  /** Reads that failed (one per key or listing): the caller reads them again next time. */
  failures: ApiFailure[];
  requests: number;
}

/**
 * A project as an event names it: a key was created or changed in it now, and archived projects
 * "cannot be used or updated", so it is not archived. Its dates are not needed for a key.
 */
function projectOf(ref: { id: string; name: string | null }): ProjectRecord {
  return { id: ref.id, name: ref.name, created_at: "", archived: false, archived_at: null };
}

export async function readChangedKeys(
  api: EnrichmentApi,
  keys: ReadonlyMap<string, ChangedKey>,
  serviceAccounts: readonly ChangedServiceAccount[],
  maxRequests: number,
): Promise<ReadKeysResult> {
  const start = api.requests;
  const result: ReadKeysResult = { keys: [], not_found: [], failures: [], requests: 0 };
  const users = new Map<string, UserRecord | null>();
  const found = new Set<string>();
  const add = (key: KeyRecord) => {
    if (found.has(`${key.kind}:${key.id}`)) return;
    found.add(`${key.kind}:${key.id}`);
    result.keys.push(key);
  };

  for (const [id, changed] of keys) {
    const key = await readOneKey(api, id, changed, users);
    if ("failure" in key) result.failures.push(key.failure);
    else if (key.record) add(key.record);
    else result.not_found.push(id);
  }
  for (const account of serviceAccounts) {
    const listed = await serviceAccountKeys(api, account);
    if ("failure" in listed) result.failures.push(listed.failure);
    else for (const key of listed.keys) add(key);
  }
  if (result.not_found.length > 0) {
    const searched = await searchProjects(api, new Set(result.not_found), start + maxRequests);
    if ("failure" in searched) result.failures.push(searched.failure);
    else {
      for (const key of searched.keys) add(key);
      result.not_found = result.not_found.filter((id) => !searched.keys.some((key) => key.id === id));
    }
  }
  result.requests = api.requests - start;
  return result;
}

type OneKey = { record: KeyRecord | null } | { failure: ApiFailure };

async function readOneKey(api: EnrichmentApi, id: string, changed: ChangedKey, users: Map<string, UserRecord | null>): Promise<OneKey> {
  const project = changed.project;
  if (project) {
    const answer = await api.get(`API key ${id} of project ${project.id}`, projectApiKeySchema, (client) => client.admin.organization.projects.apiKeys.retrieve(id, { project_id: project.id }));
    if (answer.ok) return { record: normalizeProjectKey(answer.value, projectOf(project)) };
    if (answer.failure.status !== 404) return { failure: answer.failure };
  }
  const admin = await api.get(`admin API key ${id}`, adminApiKeySchema, (client) => client.admin.organization.adminAPIKeys.retrieve(id));
  if (!admin.ok) return admin.failure.status === 404 ? { record: null } : { failure: admin.failure };
  const owner = admin.value.owner;
  const isServiceAccount = owner.type === "service_account" || owner.object === "organization.service_account";
  const user = isServiceAccount ? null : await ownerUser(api, owner.id, users);
  if (user && "failure" in user) return user;
  return { record: normalizeAdminKey(admin.value, new Map(user ? [[user.id, user]] : [])) };
}

/** An admin key's owner from the user list; null when there is no such user (404): the key then shows no email. */
async function ownerUser(api: EnrichmentApi, id: string, users: Map<string, UserRecord | null>): Promise<UserRecord | null | { failure: ApiFailure }> {
  if (users.has(id)) return users.get(id) ?? null;
  const answer = await api.get(`user ${id}`, userSchema, (client) => client.admin.organization.users.retrieve(id));
  if (!answer.ok && answer.failure.status !== 404) return { failure: answer.failure };
  const user = answer.ok ? normalizeUser(answer.value) : null;
  users.set(id, user);
  return user;
}

/** The keys of one service account: its project's listing (every owner access), page by page, those it owns. */
async function serviceAccountKeys(api: EnrichmentApi, account: ChangedServiceAccount): Promise<{ keys: KeyRecord[] } | { failure: ApiFailure }> {
  const keys: KeyRecord[] = [];
  const project = projectOf(account.project);
  let after: string | undefined;
  for (;;) {
    const query = { limit: PAGE_SIZE, owner_project_access: "any" as const, ...(after === undefined ? {} : { after }) };
    const page = await api.get(`API keys of project ${project.id}`, listEnvelope, (client) => client.admin.organization.projects.apiKeys.list(project.id, query));
    if (!page.ok) return page.failure.status === 404 ? { keys } : { failure: page.failure };
    for (const item of page.value.data) {
      const key = projectApiKeySchema.safeParse(item);
      if (!key.success) return { failure: { kind: "invalid_shape", transient: false, message: `API keys of project ${project.id}: a key could not be read` } };
      if (key.data.owner.type === "service_account" && key.data.owner.service_account.id === account.id) keys.push(normalizeProjectKey(key.data, project));
    }
    const last = page.value.last_id;
    if (!page.value.has_more) return { keys };
    if (!last || last === after) return { failure: { kind: "truncated_pagination", transient: false, message: `API keys of project ${project.id}: has_more without a last_id that moves on` } };
    after = last;
  }
}

/**
 * Keys no single read found, looked for in the key listings of the first 100 active projects (one request for the
 * projects, one per page of keys), until each is found or the requests run out (`untilRequests`,
 * counted as `api.requests`): what is still missing stays `not_found`.
 */
async function searchProjects(api: EnrichmentApi, ids: ReadonlySet<string>, untilRequests: number): Promise<{ keys: KeyRecord[] } | { failure: ApiFailure }> {
  const keys: KeyRecord[] = [];
  if (api.requests >= untilRequests) return { keys };
  const projects = await api.get("projects (GET /organization/projects)", listEnvelope, (client) => client.admin.organization.projects.list({ limit: PAGE_SIZE }));
  if (!projects.ok) return { failure: projects.failure };
  for (const item of projects.value.data) {
    const project = projectSchema.safeParse(item);
    if (!project.success) continue;
    for (let after: string | undefined; keys.length < ids.size && api.requests < untilRequests; ) {
      const query = { limit: PAGE_SIZE, owner_project_access: "any" as const, ...(after === undefined ? {} : { after }) };
      const page = await api.get(`API keys of project ${project.data.id}`, listEnvelope, (client) => client.admin.organization.projects.apiKeys.list(project.data.id, query));
      if (!page.ok) return page.failure.status === 404 ? { keys } : { failure: page.failure };
      for (const entry of page.value.data) {
        const key = projectApiKeySchema.safeParse(entry);
        if (key.success && ids.has(key.data.id)) keys.push(normalizeProjectKey(key.data, normalizeProject(project.data)));
      }
      if (!page.value.has_more || !page.value.last_id || page.value.last_id === after) break;
      after = page.value.last_id;
    }
  }
  return { keys };
}
