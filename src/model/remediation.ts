/**
 * What a remediation is, as every layer sees it: the action and the exact Admin API request it
 * makes (decide/ plans and guards it, providers/ make it, slack/ shows it), the request as stored
 * (store/ keeps it, evidence/ and GET /remediations show it), and what the provider answered.
 */
import type { RunFinding } from "./run.js";
import type { KeyRecord, ProjectRef } from "./inventory.js";

/**
 * What may be done about a finding (the policy's `remediation.actions` lists these): OpenAI's deletes
 * and demotion, and `disable_key`, an Anthropic key set `inactive` (Anthropic has no delete).
 */
export const ACTION_KINDS = ["demote_service_account", "delete_project_key", "delete_admin_key", "delete_service_account", "disable_key"] as const;
export type ActionKind = (typeof ACTION_KINDS)[number];

/**
 * Undoing an action carried out: `reenable_key` sets a disabled Anthropic key `active` again. Not a
 * policy action: it is offered on the message of the Disable it undoes, and guarded like any request.
 */
export const UNDO_KINDS = ["reenable_key"] as const;
export type UndoKind = (typeof UNDO_KINDS)[number];
export type RemediationKind = ActionKind | UndoKind;

/** A carried-out Disable offers Re-enable on its message this long after it was executed. */
export const REENABLE_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** The status an Anthropic key is set to by each action that changes it. */
export const KEY_STATUS_SET: Readonly<Record<"disable_key" | "reenable_key", "inactive" | "active">> = { disable_key: "inactive", reenable_key: "active" };

/** The one project role a demotion sets. */
export const DEMOTED_ROLE = "member";

/** A request expires this long after it was made. */
export const REQUEST_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * The request an action makes, relative to the provider's API root as its SDK takes it
 * (https://api.openai.com/v1, https://api.anthropic.com).
 */
export interface AdminApiRequest {
  method: "DELETE" | "POST";
  path: string;
  body: { role: "member" } | { status: "inactive" | "active" } | null;
}

/** A key an action deletes (or, for a demotion, whose permissions it narrows). */
export interface AffectedKey {
  kind: KeyRecord["kind"];
  id: string;
  name: string | null;
  redacted_value: string;
  last_used_at: string | null;
  project_id: string | null;
  /**
   * Why the key's last use is unknown (Anthropic: the usage analytics could not be read): the in-use
   * check then asks for the same acknowledgement as for a key used in the last 24 hours.
   */
  last_used_unknown?: string;
}

/** A key as a provider lists it fresh for a remediation, with why its last use is unknown when it is. */
export type ListedKey = KeyRecord & { last_used_unknown?: string };

export interface ActionTarget {
  /** `api_key`: an Anthropic API key (of a workspace, or of the organization: `project` null). */
  type: "project_key" | "admin_key" | "service_account" | "api_key";
  id: string;
  name: string | null;
  /** null for admin keys. */
  project: ProjectRef | null;
  /** Service accounts only: the project role the inventory gave it (null: unknown). */
  role?: string | null;
  /** The configured account the key belongs to, when it is not the OpenAI account (Anthropic's). */
  account?: string;
}

export interface RemediationAction {
  kind: RemediationKind;
  target: ActionTarget;
  request: AdminApiRequest;
  /**
   * Every key the action deletes or changes: the finding's key, and for service-account actions every
   * key of that account in the project found in the inventory given (an inventory that missed some
   * of the project's keys misses them here too). The finding's key comes first.
   */
  keysAffected: AffectedKey[];
  /** One line for people, e.g. `Delete project key "ci" (key_abc) of project "ML" (proj_ml)`. */
  summary: string;
  /** The finding it answers. */
  finding: { rule_id: string; rule_kind: string; fingerprint: string; key_id: string };
  /** An undo only (`reenable_key`): the id of the request whose action it undoes. */
  undoes?: string;
}

/** The parts of a finding the actions depend on. */
export type RemediableFinding = Pick<RunFinding, "rule_id" | "rule_kind" | "fingerprint" | "key" | "project" | "owner">;

/** A listing made fresh from the provider, or why it could not be made. */
export type Listed<T> = { ok: true; items: T } | { ok: false; message: string };

/** The API's answer to the call: its status and body (JSON, or text), or no answer at all (`status: null`, `error`). */
export interface ApiAnswer {
  status: number | null;
  body?: unknown;
  /** Why there was no answer (network failure, timeout). */
  error?: string;
}

/**
 * What a listing made after the call showed; a list left out (or the whole listing null) could not be
 * made. `keys`: the project's keys (project-key and service-account actions), the admin keys
 * (delete_admin_key), or the key read again with its status (disable_key, reenable_key; empty when
 * it is not found). `serviceAccounts`: the project's service accounts.
 */
export interface ListingAfter {
  keys?: readonly { id: string; status?: string }[];
  serviceAccounts?: readonly { id: string; role: string | null }[];
}

export type RemediationStatus = "pending" | "executing" | "done" | "already_gone" | "unconfirmed" | "failed" | "dry_run" | "rejected" | "expired" | "refused";
export type RemediationEventKind = "requested" | "approved" | "rejected" | "expired" | "refused" | "executed" | "dry_run";

/** Statuses of a request that was executed (or, in dry-run mode, described instead): they count against the day's cap. */
export const EXECUTED_STATUSES: readonly RemediationStatus[] = ["executing", "done", "already_gone", "unconfirmed", "failed", "dry_run"];
/** A decision was taken: nothing more happens to the request. */
export const FINAL_STATUSES: readonly RemediationStatus[] = ["done", "already_gone", "unconfirmed", "failed", "dry_run", "rejected", "expired", "refused"];

/** A remediation request as stored (D1 `remediation_requests`); `action_json` and `finding_json` hold what was requested. */
export interface RemediationRow {
  id: string;
  fingerprint: string;
  policy_name: string;
  rule_id: string;
  key_id: string;
  action_kind: string;
  summary: string;
  action_json: string;
  finding_json: string;
  mode: "dry-run" | "on";
  reason: string;
  acknowledged_in_use: number;
  requested_by: string;
  requested_by_name: string;
  requested_at: string;
  status: RemediationStatus;
  channel: string | null;
  message_ts: string | null;
  decided_at: string | null;
  decided_by: string | null;
  executed_day: string | null;
  executed_at: string | null;
  http_status: number | null;
  outcome: string | null;
  /** A re-enable only: the id of the Disable request it undoes. */
  undoes?: string;
}

export interface RemediationApproval {
  request_id: string;
  approver: string;
  approver_name: string;
  approved_at: string;
}

export interface RemediationEvent {
  seq: number;
  request_id: string;
  at: string;
  kind: RemediationEventKind;
  actor: string | null;
  detail: string | null;
}

export type NewRemediation = Omit<RemediationRow, "status" | "channel" | "message_ts" | "decided_at" | "decided_by" | "executed_day" | "executed_at" | "http_status" | "outcome">;

/** How an executed (or described) request ended. */
export interface RemediationFinish {
  status: RemediationStatus;
  http_status: number | null;
  outcome: string;
  at: string;
  actor: string | null;
}

/**
 * A remediation request as people and auditors read it (GET /remediations, remediations.json/.csv):
 * the stored row, its approvals and the exact Admin API request, without the internal JSON columns.
 */
export interface RemediationView {
  id: string;
  status: string;
  mode: string;
  action: string;
  summary: string;
  /** The Admin API request it makes (or, in dry-run mode, would make). */
  request: AdminApiRequest;
  keys_affected: { id: string; name: string | null; kind: string; project_id: string | null }[];
  policy: string;
  rule_id: string;
  key_id: string;
  fingerprint: string;
  reason: string;
  acknowledged_in_use: boolean;
  requested_by: string;
  requested_by_name: string;
  requested_at: string;
  approvals: { by: string; name: string; at: string }[];
  decided_at: string | null;
  decided_by: string | null;
  executed_at: string | null;
  http_status: number | null;
  outcome: string | null;
  /** A re-enable only: the id of the Disable request it undoes. */
  undoes?: string;
}
