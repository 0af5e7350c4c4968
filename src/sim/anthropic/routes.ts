/**
 * The Admin API routes the Anthropic simulator serves (paths without `/v1`). Where the SDK's types
 * are silent the simulator's choice is named as such.
 */
import { isReply, type Reply } from "../http.js";
import { analyticsReport } from "./analytics.js";
import { apiError } from "./errors.js";
import type { ApiKeyJson, ApiKeyStatus, PageJson, SimAnthropicOrg } from "./types.js";

/** List `limit`: "Defaults to 20. Ranges from 1 to 1000" (platform-notes §14 for api_keys; the same for workspaces and users). */
function limitParam(query: URLSearchParams): number | Reply {
  const raw = query.get("limit");
  if (raw === null) return 20;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return apiError(400, "limit: Input should be less than or equal to 1000 and greater than or equal to 1");
  return limit;
}

function boolParam(query: URLSearchParams, name: string): boolean | Reply {
  const raw = query.get(name);
  if (raw === null || raw === "false") return false;
  if (raw === "true") return true;
  return apiError(400, `${name}: Input should be a valid boolean`);
}

/**
 * One page of `items` (already in the simulator's order: newest first, then id, its own choice) after
 * the `after_id` cursor. `has_more` is true only when an item follows, so n items at limit L take
 * exactly ⌈n/L⌉ requests (one for none).
 */
function page<T extends { id: string }>(items: T[], query: URLSearchParams): Reply {
  const limit = limitParam(query);
  if (isReply(limit)) return limit;
  if (query.get("before_id") !== null) return apiError(400, "before_id: not simulated (only after_id pages are)");
  const after = query.get("after_id");
  let start = 0;
  if (after !== null) {
    const index = items.findIndex((item) => item.id === after);
    if (index < 0) return apiError(400, `after_id: no object with id ${after} in this list (the simulator's answer)`);
    start = index + 1;
  }
  const data = items.slice(start, start + limit);
  const body: PageJson<T> = { data, has_more: start + limit < items.length, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
  return { status: 200, json: body };
}

function newestFirst<T extends { id: string }>(time: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => Date.parse(time(b)) - Date.parse(time(a)) || a.id.localeCompare(b.id);
}

const STATUSES: readonly ApiKeyStatus[] = ["active", "inactive", "archived", "expired"];

function listApiKeys(org: SimAnthropicOrg, query: URLSearchParams): Reply {
  const status = query.get("status");
  if (status !== null && !STATUSES.includes(status as ApiKeyStatus)) return apiError(400, `status: Input should be 'active', 'inactive', 'archived' or 'expired'`);
  const workspaceId = query.get("workspace_id");
  const creator = query.get("created_by_user_id");
  const keys = org.apiKeys
    .filter((k) => status === null || k.status === status)
    .filter((k) => workspaceId === null || (k.scope.type === "workspace" && k.scope.workspace_id === workspaceId))
    .filter((k) => creator === null || (k.created_by?.type === "user" && k.created_by.id === creator))
    .sort(newestFirst((k) => k.created_at));
  return page(keys, query);
}

function listWorkspaces(org: SimAnthropicOrg, query: URLSearchParams): Reply {
  const archived = boolParam(query, "include_archived");
  if (isReply(archived)) return archived;
  const withDefault = boolParam(query, "include_default");
  if (isReply(withDefault)) return withDefault;
  const workspaces = org.workspaces
    .filter((w) => archived || w.archived_at === null)
    .filter((w) => withDefault || w.id !== org.defaultWorkspaceId)
    .sort(newestFirst((w) => w.created_at));
  return page(workspaces, query);
}

function listUsers(org: SimAnthropicOrg, query: URLSearchParams): Reply {
  const email = query.get("email");
  const users = org.users.filter((u) => email === null || u.email.toLowerCase() === email.toLowerCase()).sort(newestFirst((u) => u.added_at));
  return page(users, query);
}

function findKey(org: SimAnthropicOrg, id: string): ApiKeyJson | Reply {
  return org.apiKeys.find((k) => k.id === id) ?? apiError(404, `API key ${id} not found`);
}

/**
 * POST /organizations/api_keys/{id} (api-keys.d.ts `APIKeyUpdateParams`: `name?`, `status?` active |
 * inactive | archived). Setting the status a key already has is a 200. The simulator's own choices,
 * UNVERIFIED against the API: unknown fields are a 400, and an archived or expired key keeps its
 * status (400): platform-notes §14 does not say archiving can be undone.
 */
function updateApiKey(org: SimAnthropicOrg, id: string, bodyText: string): Reply {
  const key = findKey(org, id);
  if (isReply(key)) return key;
  let body: unknown;
  try {
    body = JSON.parse(bodyText === "" ? "{}" : bodyText);
  } catch {
    return apiError(400, "The request body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return apiError(400, "The request body must be a JSON object.");
  const fields = body as Record<string, unknown>;
  const extra = Object.keys(fields).find((f) => f !== "name" && f !== "status");
  if (extra !== undefined) return apiError(400, `${extra}: Extra inputs are not permitted`);
  const { name, status } = fields;
  if (name !== undefined && name !== null && (typeof name !== "string" || name.length < 1 || name.length > 500)) return apiError(400, "name: String should have 1 to 500 characters");
  if (status !== undefined && status !== null && status !== "active" && status !== "inactive" && status !== "archived") {
    return apiError(400, "status: Input should be 'active', 'inactive' or 'archived'");
  }
  if (typeof status === "string" && status !== key.status && (key.status === "archived" || key.status === "expired")) {
    return apiError(400, `API key ${id} is ${key.status}; its status cannot change (the simulator's rule)`);
  }
  if (typeof name === "string") key.name = name;
  if (typeof status === "string") key.status = status as ApiKeyStatus;
  return { status: 200, json: key };
}

const API_KEY_RE = /^\/organizations\/api_keys\/([^/]+)$/;

/** Routes one authenticated API request; `now` is the simulator's clock (the reports' 365-day check). */
export function route(org: SimAnthropicOrg, method: string, path: string, query: URLSearchParams, bodyText: string, headers: { beta: string }, now: Date): Reply {
  const allow = (methods: string, handlers: Record<string, () => Reply>): Reply => {
    const handler = handlers[method];
    if (handler) return handler();
    return { ...apiError(405, `Method ${method} not allowed on ${path}`), headers: { allow: methods } };
  };
  switch (path) {
    case "/organizations/me":
      return allow("GET", { GET: () => ({ status: 200, json: { id: org.organization.id, name: org.organization.name, type: "organization" } }) });
    case "/organizations/api_keys":
      return allow("GET", { GET: () => listApiKeys(org, query) });
    case "/organizations/workspaces":
      return allow("GET", { GET: () => listWorkspaces(org, query) });
    case "/organizations/users":
      return allow("GET", { GET: () => listUsers(org, query) });
    case "/organizations/analytics/usage":
    case "/organizations/analytics/cost":
      return allow("GET", { GET: () => analyticsReport(org, path.endsWith("usage") ? "usage" : "cost", query, headers.beta, now) });
  }
  const keyMatch = API_KEY_RE.exec(path);
  if (keyMatch) {
    const id = decodeURIComponent(keyMatch[1] ?? "");
    return allow("GET, POST", {
      GET: () => {
        const key = findKey(org, id);
        return isReply(key) ? key : { status: 200, json: key };
      },
      POST: () => updateApiKey(org, id, bodyText),
    });
  }
  return apiError(404, `Not found: ${method} /v1${path} (not simulated)`);
}
