/**
 * GET /organization/audit_logs (ListAuditLogsResponse; the spec declares only
 * 200 and 429): effective_at[gt|gte|lt|lte], event_types[], project_ids[],
 * actor_ids[], actor_emails[], resource_ids[], tenant_only, limit (1..100,
 * default 20), after | before. Events come from `SimOrg.auditLogs`, newest
 * first. With `auditLoggingEnabled: false` the endpoint answers 403 (the spec
 * declares no status for it; the notes only say "an error"), ErrorResponse
 * envelope, code null, AFTER authentication: a feature switched off in the
 * organization is a refusal of an authenticated caller, not a bad request
 * (400) nor a missing route (404). UNVERIFIED against the real API.
 */
import { isReply, type Reply } from "../http.js";
import { isRecord } from "../json.js";
import { apiError, errorBody } from "./errors.js";
import type { AuditLogJson, ListAuditLogsResponseJson, SimOrg } from "./org.js";
import { listParams } from "./pagination.js";
import { arrayParam, boolParam, intParam } from "./query.js";

/** The spec declares no error for it (only 200 and 429): the simulator's choice, see AUDIT_LOGGING_DISABLED_STATUS. */
export const AUDIT_LOGGING_DISABLED_STATUS = 403;
export const AUDIT_LOGGING_DISABLED_MESSAGE =
  "Audit logging is not enabled for this organization. An organization owner can enable it in the organization settings (Data controls).";

/** Every id an actor is known by (actor_ids[]: "a user ID, a service account ID, or an api key tracking ID"). */
function actorIds(event: AuditLogJson): string[] {
  const a = event.actor;
  if (a === null) return [];
  if (a.type === "session") return [a.session.user.id];
  const k = a.api_key;
  return k.type === "user" ? [k.id, k.user.id] : [k.id, k.service_account.id];
}

function actorEmail(event: AuditLogJson): string | undefined {
  const a = event.actor;
  if (a === null) return undefined;
  if (a.type === "session") return a.session.user.email;
  return a.api_key.type === "user" ? a.api_key.user.email : undefined;
}

/** The target of an event: the `id` of its details object (e.g. `api_key.created.id`). */
function resourceId(event: AuditLogJson): string | undefined {
  const details = event[event.type];
  if (isRecord(details) && typeof details["id"] === "string") return details["id"];
  return undefined;
}

/**
 * GET /organization/audit_logs (ListAuditLogsResponse). Newest first (as in the
 * spec's example: effective_at descending), ties by id descending. `after` =
 * the id of the last event of a page → the older events that follow it;
 * `before` = the id of the first event of a page → the `limit` newer events
 * right before it (still newest first), has_more saying whether even newer
 * ones remain. Cursors are located in the unfiltered list (like the other
 * lists); an unknown id, or both cursors at once, is a 400.
 */
export function listAuditLogs(org: SimOrg, query: Record<string, string>, params: URLSearchParams): Reply {
  if (org.auditLoggingEnabled === false) {
    return { status: AUDIT_LOGGING_DISABLED_STATUS, json: errorBody(AUDIT_LOGGING_DISABLED_MESSAGE, "invalid_request_error", null, null) };
  }
  const lp = listParams(query);
  if ("status" in lp) return lp;
  const beforeRaw = query["before"];
  const before = beforeRaw === undefined || beforeRaw === "" ? undefined : beforeRaw;
  if (before !== undefined && lp.after !== undefined) {
    return apiError(400, "Only one of 'after' and 'before' may be given.", "before");
  }
  const bounds: Partial<Record<"gt" | "gte" | "lt" | "lte", number>> = {};
  for (const op of ["gt", "gte", "lt", "lte"] as const) {
    const v = intParam(params, `effective_at[${op}]`);
    if (isReply(v)) return v;
    if (v !== undefined) bounds[op] = v;
  }
  const tenantOnly = boolParam(params, "tenant_only");
  if (isReply(tenantOnly)) return tenantOnly;
  const eventTypes = arrayParam(params, "event_types");
  const projectIds = arrayParam(params, "project_ids");
  const actorIdList = arrayParam(params, "actor_ids");
  const actorEmails = arrayParam(params, "actor_emails").map((e) => e.toLowerCase());
  const resourceIds = arrayParam(params, "resource_ids");

  const visible = (e: AuditLogJson): boolean =>
    tenantOnly !== true && // no tenant-scoped events are simulated
    (bounds.gt === undefined || e.effective_at > bounds.gt) &&
    (bounds.gte === undefined || e.effective_at >= bounds.gte) &&
    (bounds.lt === undefined || e.effective_at < bounds.lt) &&
    (bounds.lte === undefined || e.effective_at <= bounds.lte) &&
    (eventTypes.length === 0 || eventTypes.includes(e.type)) &&
    (projectIds.length === 0 || (e.project !== undefined && projectIds.includes(e.project.id))) &&
    (actorIdList.length === 0 || actorIds(e).some((id) => actorIdList.includes(id))) &&
    (actorEmails.length === 0 || actorEmails.includes((actorEmail(e) ?? "").toLowerCase())) &&
    (resourceIds.length === 0 || resourceIds.includes(resourceId(e) ?? ""));

  const sorted = [...(org.auditLogs ?? [])].sort((a, b) => b.effective_at - a.effective_at || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  let data: AuditLogJson[];
  let hasMore: boolean;
  const cursor = before ?? lp.after;
  const idx = cursor === undefined ? -1 : sorted.findIndex((e) => e.id === cursor);
  if (cursor !== undefined && idx < 0) {
    const param = before !== undefined ? "before" : "after";
    return apiError(400, `Invalid '${param}': no audit log with id '${cursor}'.`, param);
  }
  if (before !== undefined) {
    const newer = sorted.slice(0, idx).filter(visible);
    data = newer.slice(Math.max(0, newer.length - lp.limit));
    hasMore = newer.length > data.length;
  } else {
    const rest = sorted.slice(idx + 1).filter(visible);
    data = rest.slice(0, lp.limit);
    hasMore = rest.length > data.length;
  }
  const body: ListAuditLogsResponseJson = {
    object: "list",
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: hasMore,
  };
  return { status: 200, json: body };
}
