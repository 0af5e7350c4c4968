/**
 * The Admin API side of a remediation: the fresh listing a request is planned and checked against,
 * the one call an approved action makes, and the listing that confirms it. Plain TypeScript over the
 * official SDK (through AdminApi: retries, timeouts, redaction), so it runs in workerd and Node.
 * `openaiKeyActions` is what decide/ gets injected as its provider-actions port.
 */
import { APIConnectionError, APIError } from "openai";
import { z } from "zod";
import type { RunFinding } from "../../model/run.js";
import { type AdminApi, validateItems } from "./admin-api.js";
import { normalizeAdminKey, normalizeProjectKey } from "./normalize.js";
import { adminApiKeySchema, projectApiKeySchema } from "./schemas.js";
import type { InventoryScope, KeyRecord, ProjectRecord, ProjectRef } from "../../model/inventory.js";
import type { ApiAnswer, Listed, ListingAfter, RemediationAction } from "../../model/remediation.js";

/** The SDK's generic methods authenticate with the project API key unless told to use the admin key, as its admin resources do. */
const ADMIN_AUTH = { __security: { adminAPIKeyAuth: true } } as const;

/** No project or admin key list Keywarden remediates in is longer than this many pages of 100. */
const MAX_PAGES = 200;

/** Every key of a list, all pages; not ok when a page fails or the pagination cannot be followed. */
async function listAll(api: AdminApi, scope: InventoryScope, adminKey: string, project: ProjectRecord | null): Promise<Listed<KeyRecord[]>> {
  const keys: KeyRecord[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = after === undefined ? { limit: 100 } : { limit: 100, after };
    const result = await api.page(scope, (client) =>
      scope.list === "project_api_keys"
        ? client.admin.organization.projects.apiKeys.list(scope.project_id, { ...query, owner_project_access: "any" })
        : client.admin.organization.adminAPIKeys.list(query),
    );
    if (!result.ok) return { ok: false, message: result.error.message };
    if (scope.list === "project_api_keys" && project) {
      const { valid, errors } = validateItems(scope, result.page.data, projectApiKeySchema, adminKey);
      if (errors.length > 0) return { ok: false, message: errors[0]?.message ?? "a key could not be read" };
      keys.push(...valid.map((key) => normalizeProjectKey(key, project)));
    } else {
      const { valid, errors } = validateItems(scope, result.page.data, adminApiKeySchema, adminKey);
      if (errors.length > 0) return { ok: false, message: errors[0]?.message ?? "a key could not be read" };
      keys.push(...valid.map((key) => normalizeAdminKey(key, new Map())));
    }
    if (!result.page.has_more) return { ok: true, items: keys };
    // The SDK's own pagination would stop here silently: a list that cannot be followed is not complete.
    if (!result.page.last_id) return { ok: false, message: "the listing says it has more pages but gives no cursor to reach them" };
    after = result.page.last_id;
  }
  return { ok: false, message: `the listing has more than ${MAX_PAGES} pages` };
}

/** The project's keys (every owner access), fresh. */
export function listProjectKeys(api: AdminApi, project: ProjectRecord, adminKey: string): Promise<Listed<KeyRecord[]>> {
  return listAll(api, { list: "project_api_keys", project_id: project.id, project_name: project.name }, adminKey, project);
}

/** The organization's admin keys, fresh. */
export function listAdminKeys(api: AdminApi, adminKey: string): Promise<Listed<KeyRecord[]>> {
  return listAll(api, { list: "admin_api_keys" }, adminKey, null);
}

/** A project's service account: its role, or null when the API says there is none (404). */
export async function retrieveServiceAccount(api: AdminApi, projectId: string, id: string): Promise<Listed<{ id: string; role: string | null } | null>> {
  try {
    const account = (await api.client.get(`/organization/projects/${projectId}/service_accounts/${id}`, ADMIN_AUTH)) as { id?: unknown; role?: unknown };
    if (typeof account?.id !== "string") return { ok: false, message: "the service account answer has no id" };
    return { ok: true, items: { id: account.id, role: typeof account.role === "string" ? account.role : null } };
  } catch (error) {
    if (error instanceof APIError && error.status === 404) return { ok: true, items: null };
    return { ok: false, message: error instanceof APIError ? `HTTP ${error.status}` : "no answer" };
  }
}

/**
 * What the guards plan and check against: the finding's project keys and, for an admin key, every
 * admin key (the own-key guard compares them all). Listed fresh, so `last_used_at` is current and a
 * service account's other keys are all there.
 */
export async function freshKeysFor(finding: Pick<RunFinding, "key" | "project" | "owner">, api: AdminApi, adminKey: string): Promise<Listed<KeyRecord[]>> {
  if (finding.key.kind === "admin") return listAdminKeys(api, adminKey);
  if (!finding.project) return { ok: false, message: "the finding does not say which project the key belongs to" };
  const project = projectRecord(finding.project);
  // A user's key goes alone: its own record is all the plan needs, one request however many pages
  // the project's listing has (the form must open within Slack's 3 s). A service account's keys go
  // together, and only the listing names them all. A 404 is not taken as "gone": the spec does not say
  // the GET finds a key whose owner lost access (the listing hides those unless asked), nor does it
  // tell a gone project from a gone key; the listing, with every owner access, says which.
  if (finding.owner.type === "user") {
    const one = await retrieveProjectKey(api, project, finding.key.id, adminKey);
    if (!one.ok) return one;
    if (one.items?.owner.type === "user") return { ok: true, items: [one.items] };
  }
  return listProjectKeys(api, project, adminKey);
}

/** One project key, fresh; null when the API says there is none (404). */
async function retrieveProjectKey(api: AdminApi, project: ProjectRecord, keyId: string, adminKey: string): Promise<Listed<KeyRecord | null>> {
  const scope: InventoryScope = { list: "project_api_keys", project_id: project.id, project_name: project.name };
  const answer = await api.request(scope, z.unknown(), (client) => client.admin.organization.projects.apiKeys.retrieve(keyId, { project_id: project.id }));
  if (!answer.ok) return answer.error.status === 404 ? { ok: true, items: null } : { ok: false, message: answer.error.message };
  const { valid, errors } = validateItems(scope, [answer.value], projectApiKeySchema, adminKey);
  const [key] = valid;
  if (!key) return { ok: false, message: errors[0]?.message ?? "the key could not be read" };
  return { ok: true, items: normalizeProjectKey(key, project) };
}

/** A project as a finding or an action names it, as the key listing needs it (its dates are not needed). */
function projectRecord(ref: ProjectRef): ProjectRecord {
  return { id: ref.id, name: ref.name, created_at: "", archived: ref.archived, archived_at: null };
}

/** Makes the action's request, exactly as planned, once (no retry: a delete is not repeated blindly). */
export async function callAdminApi(api: AdminApi, action: RemediationAction): Promise<ApiAnswer> {
  const { method, path, body } = action.request;
  try {
    const { response, data } =
      method === "DELETE" ? await api.client.delete(path, ADMIN_AUTH).withResponse() : await api.client.post(path, { ...ADMIN_AUTH, body: body ?? {} }).withResponse();
    return { status: response.status, body: data };
  } catch (error) {
    if (error instanceof APIError && typeof error.status === "number") return { status: error.status, body: { error: error.error } };
    if (error instanceof APIConnectionError) return { status: null, error: error.message };
    return { status: null, error: error instanceof Error ? error.name : "unknown error" };
  }
}

/** The listing `confirmOutcome` reads after the call; a list that could not be made is left out. */
export async function listingAfter(api: AdminApi, action: RemediationAction, adminKey: string): Promise<ListingAfter> {
  const listing: { keys?: { id: string }[]; serviceAccounts?: { id: string; role: string | null }[] } = {};
  const project = action.target.project;
  if (action.kind === "delete_admin_key") {
    const keys = await listAdminKeys(api, adminKey);
    if (keys.ok) listing.keys = keys.items;
    return listing;
  }
  if (!project) return listing;
  if (action.kind !== "demote_service_account") {
    const keys = await listProjectKeys(api, projectRecord(project), adminKey);
    if (keys.ok) listing.keys = keys.items;
  }
  if (action.target.type === "service_account") {
    const account = await retrieveServiceAccount(api, project.id, action.target.id);
    if (account.ok) listing.serviceAccounts = account.items ? [account.items] : [];
  }
  return listing;
}

/** The Admin API as a remediation uses it: fresh keys to plan and check against, the one call, and the listing that confirms it. */
export interface OpenAiKeyActions {
  freshKeysFor(finding: Pick<RunFinding, "key" | "project" | "owner">, options?: { timeoutMs?: number }): Promise<Listed<KeyRecord[]>>;
  call(action: RemediationAction): Promise<ApiAnswer>;
  listingAfter(action: RemediationAction): Promise<ListingAfter>;
}

/**
 * The remediation side of the Admin API over `apiFor(timeoutMs)` (a client per timeout: a listing
 * that must answer within Slack's 3 s gets a shorter one), authenticating with `adminKey`.
 */
export function openaiKeyActions(apiFor: (timeoutMs: number) => AdminApi, adminKey: string, defaultTimeoutMs = 10_000): OpenAiKeyActions {
  return {
    freshKeysFor: (finding, options) => freshKeysFor(finding, apiFor(options?.timeoutMs ?? defaultTimeoutMs), adminKey),
    call: (action) => callAdminApi(apiFor(defaultTimeoutMs), action),
    listingAfter: (action) => listingAfter(apiFor(defaultTimeoutMs), action, adminKey),
  };
}
