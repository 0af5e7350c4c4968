/** The audit log objects of the Admin API (components.schemas.AuditLog* in shared/reference/openai-admin-openapi.yaml). */
import type { UnixSeconds } from "./admin-json.js";

/** components.schemas.AuditLogActorUser */
export interface AuditLogActorUserJson {
  id: string;
  email: string;
}

/** components.schemas.AuditLogActorSession (user_agent / ja3 / ip_address_details, in the spec's examples, are not simulated). */
export interface AuditLogActorSessionJson {
  user: AuditLogActorUserJson;
  ip_address: string;
}

/** components.schemas.AuditLogActorApiKey: `user` when `type` is user, `service_account` when it is service_account. */
export type AuditLogActorApiKeyJson =
  | { id: string; type: "user"; user: AuditLogActorUserJson }
  | { id: string; type: "service_account"; service_account: { id: string } };

/** components.schemas.AuditLogActor (`type` is `session` or `api_key`). */
export type AuditLogActorJson = { type: "session"; session: AuditLogActorSessionJson } | { type: "api_key"; api_key: AuditLogActorApiKeyJson };

/**
 * components.schemas.AuditLog. Required: id, type, effective_at. The details of
 * an event sit under a property named after its `type` (e.g. `"api_key.created":
 * {id, data: {scopes}}`); only the few the simulator generates are typed, any
 * other AuditLogEventType payload may be added through the index signature.
 */
export interface AuditLogJson {
  id: string;
  /** components.schemas.AuditLogEventType, e.g. "api_key.created". */
  type: string;
  effective_at: UnixSeconds;
  /** Absent for actions not scoped to a project. */
  project?: { id: string; name: string };
  actor: AuditLogActorJson | null;
  "api_key.created"?: { id: string; data: { scopes: string[] } };
  "api_key.updated"?: { id: string; changes_requested: { scopes: string[] } };
  "api_key.deleted"?: { id: string };
  "project.created"?: { id: string; data: { name: string; title: string } };
  [eventDetails: string]: unknown;
}
/** components.schemas.ListAuditLogsResponse */
export interface ListAuditLogsResponseJson {
  object: "list";
  data: AuditLogJson[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}
