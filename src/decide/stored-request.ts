/**
 * A remediation request as stored, read back: its action and finding are JSON columns Keywarden
 * wrote itself, yet they are checked on the way in (a row written by another version, or edited by
 * hand, must not reach the Admin API as something else).
 */
import { z } from "zod";
import { ACTION_KINDS, type RemediationAction, type RemediationRow, UNDO_KINDS } from "../model/remediation.js";
import type { RunFinding } from "../model/run.js";
import { SEVERITIES } from "../model/severity.js";

const projectRef = z.object({ id: z.string(), name: z.string().nullable(), archived: z.boolean() });

const actionSchema = z.object({
  kind: z.enum([...ACTION_KINDS, ...UNDO_KINDS]),
  target: z.object({
    type: z.enum(["project_key", "admin_key", "service_account", "api_key"]),
    id: z.string(),
    name: z.string().nullable(),
    project: projectRef.nullable(),
    role: z.string().nullable().optional(),
    account: z.string().optional(),
  }),
  request: z.object({
    method: z.enum(["DELETE", "POST"]),
    path: z.string(),
    body: z.union([z.object({ role: z.literal("member") }), z.object({ status: z.enum(["inactive", "active"]) })]).nullable(),
  }),
  keysAffected: z.array(
    z.object({
      kind: z.enum(["admin", "project"]),
      id: z.string(),
      name: z.string().nullable(),
      redacted_value: z.string(),
      last_used_at: z.string().nullable(),
      project_id: z.string().nullable(),
      last_used_unknown: z.string().optional(),
    }),
  ),
  summary: z.string(),
  finding: z.object({ rule_id: z.string(), rule_kind: z.string(), fingerprint: z.string(), key_id: z.string() }),
  undoes: z.string().optional(),
}) satisfies z.ZodType<RemediationAction>;

/** The finding as the run recorded it; fields this version does not name (enrichment) pass through. */
const findingSchema = z.looseObject({
  rule_id: z.string(),
  rule_kind: z.string(),
  severity: z.enum(SEVERITIES),
  fingerprint: z.string(),
  sentence: z.string(),
  key: z.looseObject({
    kind: z.enum(["admin", "project"]),
    id: z.string(),
    name: z.string().nullable(),
    redacted_value: z.string(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
    expires_at: z.string().nullable(),
    owner_access: z.enum(["active", "inactive"]).nullable(),
  }),
  project: projectRef.nullable(),
  owner: z.object({
    type: z.enum(["user", "service_account"]),
    id: z.string(),
    name: z.string().nullable(),
    email: z.string().nullable(),
    role: z.string().nullable(),
  }),
  remediation: z.string().optional(),
  dashboard_url: z.string().nullable().optional(),
  lifecycle: z.enum(["new", "open"]).optional(),
});

/** A stored JSON column that cannot be read: the request is not acted on. */
export class StoredRequestError extends Error {
  constructor(id: string, column: string, problem: string) {
    super(`remediation request ${id}: its ${column} cannot be read (${problem})`);
    this.name = "StoredRequestError";
  }
}

function parseColumn<T>(id: string, column: string, text: string, schema: z.ZodType<T>): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new StoredRequestError(id, column, "not JSON");
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new StoredRequestError(id, column, parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; "));
  return parsed.data;
}

/** The action a stored request makes. Throws StoredRequestError. */
export function storedAction(row: Pick<RemediationRow, "id" | "action_json">): RemediationAction {
  return parseColumn(row.id, "action_json", row.action_json, actionSchema);
}

/** The finding a stored request was made for. Throws StoredRequestError. */
export function storedFinding(row: Pick<RemediationRow, "id" | "finding_json">): RunFinding {
  return parseColumn(row.id, "finding_json", row.finding_json, findingSchema);
}
