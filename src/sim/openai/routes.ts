/**
 * The simulated Admin API routes (base `/v1`) and the module that answers each:
 *   GET    /organization/admin_api_keys                    admin-keys.ts
 *   GET    /organization/admin_api_keys/{key_id}
 *   DELETE /organization/admin_api_keys/{key_id}
 *   GET    /organization/projects                          projects.ts
 *   GET    /organization/projects/{project_id}/api_keys
 *   GET    /organization/projects/{project_id}/api_keys/{api_key_id}
 *   DELETE /organization/projects/{project_id}/api_keys/{api_key_id}
 *   GET    /organization/projects/{project_id}/service_accounts/{service_account_id}   service-accounts.ts
 *   POST   /organization/projects/{project_id}/service_accounts/{service_account_id}
 *   DELETE /organization/projects/{project_id}/service_accounts/{service_account_id}
 *   GET    /organization/users                             users.ts
 *   GET    /organization/users/{user_id}
 *   GET    /organization/audit_logs                        audit-logs.ts
 *   GET    /organization/usage/completions                 usage.ts
 *   GET    /organization/costs
 * Array parameters are accepted with or without `[]` (the spec spells
 * `event_types[]` but `group_by`), repeated.
 * Any other method on these paths is a 405 with an `Allow` header naming the
 * simulated methods (the spec also has GET retrieve and POST create operations
 * that are not simulated); any other path is a 404.
 */
import type { Reply } from "../http.js";
import { deleteAdminKey, listAdminKeys, retrieveAdminKey } from "./admin-keys.js";
import { listAuditLogs } from "./audit-logs.js";
import { apiError } from "./errors.js";
import type { SimOrg } from "./org.js";
import { deleteProjectKey, listProjectKeys, listProjects, retrieveProjectKey } from "./projects.js";
import { deleteServiceAccount, retrieveServiceAccount, updateServiceAccount } from "./service-accounts.js";
import { costs, usageCompletions } from "./usage.js";
import { listUsers, retrieveUser } from "./users.js";

const PROJECT_KEYS_RE = /^\/organization\/projects\/([^/]+)\/api_keys$/;
const ADMIN_KEY_RE = /^\/organization\/admin_api_keys\/([^/]+)$/;
const PROJECT_KEY_RE = /^\/organization\/projects\/([^/]+)\/api_keys\/([^/]+)$/;
const USER_RE = /^\/organization\/users\/([^/]+)$/;
const SERVICE_ACCOUNT_RE = /^\/organization\/projects\/([^/]+)\/service_accounts\/([^/]+)$/;

function decodeSegment(raw: string | undefined): string {
  try {
    return decodeURIComponent(raw ?? "");
  } catch {
    return raw ?? ""; // keep it raw; it will simply not be found
  }
}

interface RouteRequest {
  org: SimOrg;
  method: string;
  query: Record<string, string>;
  body: string;
  /** All query parameters, repeated ones included (array parameters). */
  params: URLSearchParams;
}

/** The simulated methods of a path and what each does. */
type Handlers = Partial<Record<string, (r: RouteRequest) => Reply>>;

function handlersFor(path: string): Handlers | null {
  if (path === "/organization/admin_api_keys") return { GET: (r) => listAdminKeys(r.org, r.query) };
  if (path === "/organization/projects") return { GET: (r) => listProjects(r.org, r.query) };
  if (path === "/organization/users") return { GET: (r) => listUsers(r.org, r.query) };
  if (path === "/organization/audit_logs") return { GET: (r) => listAuditLogs(r.org, r.query, r.params) };
  if (path === "/organization/usage/completions") return { GET: (r) => usageCompletions(r.org, r.params) };
  if (path === "/organization/costs") return { GET: (r) => costs(r.org, r.params) };
  let m = PROJECT_KEYS_RE.exec(path);
  if (m !== null) {
    const projectId = decodeSegment(m[1]);
    return { GET: (r) => listProjectKeys(r.org, projectId, r.query) };
  }
  m = ADMIN_KEY_RE.exec(path);
  if (m !== null) {
    const keyId = decodeSegment(m[1]);
    return { GET: (r) => retrieveAdminKey(r.org, keyId), DELETE: (r) => deleteAdminKey(r.org, keyId) };
  }
  m = PROJECT_KEY_RE.exec(path);
  if (m !== null) {
    const projectId = decodeSegment(m[1]);
    const keyId = decodeSegment(m[2]);
    return { GET: (r) => retrieveProjectKey(r.org, projectId, keyId), DELETE: (r) => deleteProjectKey(r.org, projectId, keyId) };
  }
  m = USER_RE.exec(path);
  if (m !== null) {
    const userId = decodeSegment(m[1]);
    return { GET: (r) => retrieveUser(r.org, userId) };
  }
  m = SERVICE_ACCOUNT_RE.exec(path);
  if (m !== null) {
    const projectId = decodeSegment(m[1]);
    const serviceAccountId = decodeSegment(m[2]);
    return {
      GET: (r) => retrieveServiceAccount(r.org, projectId, serviceAccountId),
      POST: (r) => updateServiceAccount(r.org, projectId, serviceAccountId, r.body),
      DELETE: (r) => deleteServiceAccount(r.org, projectId, serviceAccountId),
    };
  }
  return null;
}

export function route(
  org: SimOrg,
  method: string,
  fullPath: string,
  path: string,
  query: Record<string, string>,
  body: string,
  params: URLSearchParams,
): Reply {
  const underV1 = fullPath === "/v1" || fullPath.startsWith("/v1/");
  const handlers = underV1 ? handlersFor(path) : null;
  if (handlers === null) {
    return apiError(404, `Invalid URL (${method} ${fullPath})`);
  }
  const handler = handlers[method];
  if (handler === undefined) {
    const allow = Object.keys(handlers).join(", ");
    return { ...apiError(405, `Method ${method} is not allowed on ${fullPath} in the Keywarden simulator (simulated: ${allow}).`), headers: { allow } };
  }
  return handler({ org, method, query, body, params });
}
