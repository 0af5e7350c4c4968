/**
 * A simulated OpenAI organization: the whole state the simulator serves
 * verbatim (and mutates on DELETE / POST), with a few helpers to build one.
 * The JSON objects it is made of are re-exported from here.
 */
import type { AdminApiKeyJson, ProjectApiKeyJson, ProjectJson, UnixSeconds, UserJson } from "./admin-json.js";
import type { AuditLogJson } from "./audit-log-json.js";
import type { SimUsageRecord } from "./usage-json.js";

export type * from "./admin-json.js";
export type * from "./audit-log-json.js";
export type * from "./usage-json.js";

/** The whole simulated organization. */
export interface SimOrg {
  adminKeys: AdminApiKeyJson[];
  projects: ProjectJson[];
  /** Keyed by project id. A project without an entry has no keys. */
  projectKeys: Record<string, ProjectApiKeyJson[]>;
  users: UserJson[];
  /** Events served by GET /organization/audit_logs (any order; served newest first). Absent = none. */
  auditLogs?: AuditLogJson[];
  /**
   * false: the organization has not enabled audit logging, and
   * GET /organization/audit_logs answers an error. Absent = true.
   */
  auditLoggingEnabled?: boolean;
  /** Served by GET /organization/usage/completions and GET /organization/costs. Absent = none. */
  usage?: SimUsageRecord[];
}

export const DAY_SECONDS = 86_400;

/** `now` as whole unix seconds (floored). */
export function unixSeconds(date: Date): UnixSeconds {
  return Math.floor(date.getTime() / 1000);
}

/** Number of keys in an organization (admin + project). */
export function countKeys(org: SimOrg): { admin: number; project: number; total: number } {
  const project = Object.values(org.projectKeys).reduce((n, keys) => n + keys.length, 0);
  return { admin: org.adminKeys.length, project, total: org.adminKeys.length + project };
}
