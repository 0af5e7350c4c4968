/**
 * Control routes of the OpenAI simulator that change the organization the way people do, with the
 * audit-log events the real organization would record (the hourly watch reads those: issue 20):
 *   POST /__sim/keys    a key created now, with its `api_key.created` event → 201 { key, event }
 *   POST /__sim/events  any audit-log event (`effective_at` defaults to now) → 201 { event }
 * A key's body: `{ "project_id", "owner": { "user_id", "role"? } | { "service_account": { "id", "name", "role" } } }`
 * for a project key, `{ "admin": true, "owner": { "user_id" } }` for an admin key; optional `id`,
 * `name`, `created_by` (a user id: whose dashboard session made it; default the owner, else the
 * first organization owner). The event's `project` is the key's project (none for an admin key).
 */
import { z } from "zod";
import { type AdminApiKeyJson, type AuditLogActorJson, type AuditLogJson, type ProjectApiKeyJson, type SimOrg, type UserJson, unixSeconds } from "./org.js";

const userOwner = z.strictObject({ user_id: z.string().min(1), role: z.enum(["owner", "member"]).optional() });
const serviceAccountOwner = z.strictObject({ service_account: z.strictObject({ id: z.string().min(1), name: z.string().min(1), role: z.enum(["owner", "member"]) }) });

const keyInput = z.union([
  z.strictObject({
    project_id: z.string().min(1),
    owner: z.union([userOwner, serviceAccountOwner]),
    id: z.string().min(1).optional(),
    name: z.string().optional(),
    created_by: z.string().min(1).optional(),
  }),
  z.strictObject({ admin: z.literal(true), owner: userOwner, id: z.string().min(1).optional(), name: z.string().optional(), created_by: z.string().min(1).optional() }),
]);

const eventInput = z.looseObject({ id: z.string().min(1), type: z.string().min(1), effective_at: z.number().int().nonnegative().optional() });

let created = 0;

function problem(error: z.ZodError): TypeError {
  return new TypeError(error.issues.map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`).join("; "));
}

function userOf(org: SimOrg, id: string): UserJson {
  const user = org.users.find((u) => u.id === id);
  if (!user) throw new TypeError(`no user ${id} in the organization`);
  return user;
}

function sessionOf(user: UserJson, ipSuffix: number): AuditLogActorJson {
  return { type: "session", session: { user: { id: user.id, email: user.email ?? "" }, ip_address: `203.0.113.${200 + (ipSuffix % 50)}` } };
}

/** Creates a key as `input` describes, now, and records its `api_key.created` event. Throws a TypeError naming what is wrong (and changes nothing). */
export function createKeyWithEvent(org: SimOrg, input: unknown, now: Date): { key: AdminApiKeyJson | ProjectApiKeyJson; event: AuditLogJson } {
  const parsed = keyInput.safeParse(input);
  if (!parsed.success) throw problem(parsed.error);
  const body = parsed.data;
  const at = unixSeconds(now);
  const firstOwner = org.users.find((u) => u.role === "owner" && !u.is_service_account);
  const creatorId = body.created_by ?? ("user_id" in body.owner ? body.owner.user_id : firstOwner?.id);
  if (creatorId === undefined) throw new TypeError("created_by: the organization has no owner to create the key");
  const creator = userOf(org, creatorId);
  const n = ++created;
  const id = body.id ?? `key_sim_${at}_${n}`;
  const event: AuditLogJson = { id: `audit_log-${id}_created`, type: "api_key.created", effective_at: at, actor: sessionOf(creator, n), "api_key.created": { id, data: { scopes: [] } } };
  if ("admin" in body) {
    const owner = userOf(org, body.owner.user_id);
    const key: AdminApiKeyJson = {
      object: "organization.admin_api_key",
      id,
      name: body.name ?? `admin key ${n}`,
      redacted_value: `sk-admin-...${String(n).padStart(4, "0")}`,
      created_at: at,
      expires_at: null,
      last_used_at: null,
      owner: { type: "user", object: "organization.user", id: owner.id, name: owner.name ?? "", created_at: owner.added_at, role: owner.role ?? "reader" },
    };
    org.adminKeys.push(key);
    org.auditLogs = [...(org.auditLogs ?? []), event];
    return { key, event };
  }
  const project = org.projects.find((p) => p.id === body.project_id);
  if (!project) throw new TypeError(`project_id: no project ${body.project_id} in the organization`);
  const key: ProjectApiKeyJson = {
    object: "organization.project.api_key",
    redacted_value: `sk-proj-...${String(n).padStart(4, "0")}`,
    name: body.name ?? `project key ${n}`,
    created_at: at,
    last_used_at: null,
    id,
    owner_project_access: "active",
    owner: projectKeyOwner(org, body.owner, at),
  };
  event.project = { id: project.id, name: project.name ?? "" };
  org.projectKeys[project.id] = [...(org.projectKeys[project.id] ?? []), key];
  org.auditLogs = [...(org.auditLogs ?? []), event];
  return { key, event };
}

function projectKeyOwner(org: SimOrg, owner: z.infer<typeof userOwner> | z.infer<typeof serviceAccountOwner>, at: number): ProjectApiKeyJson["owner"] {
  if ("service_account" in owner) return { type: "service_account", service_account: { ...owner.service_account, created_at: at } };
  const user = userOf(org, owner.user_id);
  return { type: "user", user: { id: user.id, email: user.email ?? "", name: user.name ?? "", created_at: user.added_at, role: owner.role ?? "member" } };
}

/** Appends an audit-log event as given (`effective_at` now when absent). Throws a TypeError naming what is wrong. */
export function addAuditEvent(org: SimOrg, input: unknown, now: Date): AuditLogJson {
  const parsed = eventInput.safeParse(input);
  if (!parsed.success) throw problem(parsed.error);
  const event = { ...parsed.data, effective_at: parsed.data.effective_at ?? unixSeconds(now) } as AuditLogJson;
  org.auditLogs = [...(org.auditLogs ?? []), event];
  return event;
}
