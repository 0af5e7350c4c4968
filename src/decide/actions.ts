/**
 * What Keywarden could do about a finding, as the exact Admin API request each action would make.
 * Pure: no I/O, no clock. Nothing here calls the API; guards.ts says whether an action may run,
 * outcome.ts reads what happened after it ran.
 *
 * OpenAI has no "disable", only delete (shared/reference/platform-notes.md §13):
 * - a user's project key: `DELETE /organization/projects/{project_id}/api_keys/{key_id}`;
 * - an admin key: `DELETE /organization/admin_api_keys/{key_id}`;
 * - a service account's project key cannot be deleted alone (the API answers 400): the action is
 *   deleting its service account, `DELETE /organization/projects/{project_id}/service_accounts/{id}`,
 *   which takes every key of that account with it, or — for service-account-role findings —
 *   demoting it, `POST /organization/projects/{project_id}/service_accounts/{id}` `{"role":"member"}`.
 * Anthropic has no delete: its keys are disabled, which can be undone (./disable-actions.ts).
 */
import type { KeyRecord, ProjectRef } from "../model/inventory.js";
import type { RuleKind } from "../policy/registry.js";
import {
  ACTION_KINDS,
  type ActionKind,
  type ActionTarget,
  type AffectedKey,
  DEMOTED_ROLE,
  type ListedKey,
  type RemediableFinding,
  type RemediationAction,
  type RemediationKind,
} from "../model/remediation.js";
import { disableActionsFor, isAnthropicKey, whyNoDisable } from "./disable-actions.js";
import { API_ID, named } from "./naming.js";

export { named } from "./naming.js";

/**
 * Which actions fit a finding of each rule kind (before the key's own shape narrows them down).
 * Typed by RuleKind, so a new rule kind does not compile until it says which actions fit it; a kind
 * this version does not know (a run recorded by another version) gets none. An Anthropic key's
 * finding of any kind can only be disabled (disable_key); OpenAI's keys never are.
 */
export const ACTIONS_BY_RULE_KIND: Readonly<Record<RuleKind, readonly ActionKind[]>> = {
  unused: ["delete_project_key", "delete_admin_key", "delete_service_account", "disable_key"],
  "key-age": ["delete_project_key", "delete_admin_key", "delete_service_account", "disable_key"],
  "owner-allowlist": ["delete_project_key", "delete_admin_key", "delete_service_account", "disable_key"],
  match: ["delete_project_key", "delete_admin_key", "delete_service_account", "disable_key"],
  // The account's role is the problem: demote it, or delete it (with its keys). An admin key owned by
  // an organization service account has no project account to demote: deleting the key is what fits.
  "service-account-role": ["demote_service_account", "delete_service_account", "delete_admin_key", "disable_key"],
};

/** Least destructive first (disable_key and reenable_key are alone: they fit Anthropic keys only). */
const ORDER: Record<RemediationKind, number> = { disable_key: 0, reenable_key: 0, demote_service_account: 0, delete_project_key: 1, delete_admin_key: 2, delete_service_account: 3 };

export function isActionKind(value: string): value is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(value);
}

/** The actions that fit the rule kind, whatever the key (empty for a kind this version does not know). */
export function actionKindsForRule(ruleKind: string): readonly ActionKind[] {
  return Object.hasOwn(ACTIONS_BY_RULE_KIND, ruleKind) ? ACTIONS_BY_RULE_KIND[ruleKind as RuleKind] : [];
}

/**
 * The actions that fit a finding, least destructive first, each with the exact request it would make
 * and every key it affects. `inventoryKeys` is the organization's inventory (the latest one seen):
 * it supplies the other keys of a service account and the freshest `last_used_at` of each key.
 * Empty when nothing fits; `whyNoActions` then says why.
 */
export function actionsFor(finding: RemediableFinding, inventoryKeys: readonly ListedKey[]): RemediationAction[] {
  const fitting = new Set(actionKindsForRule(finding.rule_kind));
  if (isAnthropicKey(finding.key)) return disableActionsFor(finding, inventoryKeys, fitting);
  if (whyNoActionsForKey(finding) !== null) return [];
  const planned = openaiActionsFor(finding, inventoryKeys, fitting);
  // Among several organizations, the action says which one it is for: it is called there and nowhere else.
  const account = finding.key.account;
  return account === undefined ? planned : planned.map((action) => ({ ...action, target: { ...action.target, account } }));
}

function openaiActionsFor(finding: RemediableFinding, inventoryKeys: readonly ListedKey[], fitting: ReadonlySet<ActionKind>): RemediationAction[] {
  const actions: RemediationAction[] = [];
  const ref = { rule_id: finding.rule_id, rule_kind: finding.rule_kind, fingerprint: finding.fingerprint, key_id: finding.key.id };
  const key = finding.key;

  if (key.kind === "admin") {
    if (fitting.has("delete_admin_key")) {
      actions.push({
        kind: "delete_admin_key",
        target: { type: "admin_key", id: key.id, name: key.name, project: null },
        request: { method: "DELETE", path: `/organization/admin_api_keys/${key.id}`, body: null },
        keysAffected: [affected(freshest(key.id, "admin", finding, inventoryKeys))],
        summary: `Delete admin key ${named(key.name, key.id)}`,
        finding: ref,
      });
    }
    return actions;
  }

  const project = finding.project as ProjectRef; // checked by whyNoActionsForKey
  const projectPath = `/organization/projects/${project.id}`;
  if (finding.owner.type === "user") {
    if (fitting.has("delete_project_key")) {
      actions.push({
        kind: "delete_project_key",
        target: { type: "project_key", id: key.id, name: key.name, project },
        request: { method: "DELETE", path: `${projectPath}/api_keys/${key.id}`, body: null },
        keysAffected: [affected(freshest(key.id, "project", finding, inventoryKeys))],
        summary: `Delete project key ${named(key.name, key.id)} of project ${named(project.name, project.id)}`,
        finding: ref,
      });
    }
    return actions;
  }

  const account = finding.owner;
  const keysAffected = serviceAccountKeys(finding, inventoryKeys);
  const accountPath = `${projectPath}/service_accounts/${account.id}`;
  const target: ActionTarget = { type: "service_account", id: account.id, name: account.name, project, role: account.role };
  const others = keysAffected.length - 1;
  if (fitting.has("demote_service_account") && account.role?.toLowerCase() !== DEMOTED_ROLE) {
    actions.push({
      kind: "demote_service_account",
      target,
      request: { method: "POST", path: accountPath, body: { role: DEMOTED_ROLE } },
      keysAffected,
      summary: `Demote service account ${named(account.name, account.id)} of project ${named(project.name, project.id)} from ${account.role ?? "an unknown role"} to ${DEMOTED_ROLE} (${keyCount(keysAffected.length)} keep working with less access)`,
      finding: ref,
    });
  }
  if (fitting.has("delete_service_account")) {
    actions.push({
      kind: "delete_service_account",
      target,
      request: { method: "DELETE", path: accountPath, body: null },
      keysAffected,
      summary: `Delete service account ${named(account.name, account.id)} of project ${named(project.name, project.id)} and with it ${
        others === 0 ? "its key" : `all ${keysAffected.length} of its keys`
      } (a service account's key cannot be deleted alone)`,
      finding: ref,
    });
  }
  return actions.sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
}

/** Why `actionsFor` gives nothing for a finding; null when it gives something. */
export function whyNoActions(finding: RemediableFinding, inventoryKeys: readonly ListedKey[] = []): string | null {
  const anthropic = isAnthropicKey(finding.key);
  const reason = anthropic ? whyNoDisable(finding, inventoryKeys) : whyNoActionsForKey(finding);
  if (reason !== null) return reason;
  if (actionsFor(finding, inventoryKeys).length > 0) return null;
  if (actionKindsForRule(finding.rule_kind).length === 0) return `Keywarden does not remediate findings of rule kind "${finding.rule_kind}".`;
  if (anthropic) return `no action of a ${finding.rule_kind} rule fits an Anthropic key.`;
  return `no action of a ${finding.rule_kind} rule fits ${finding.key.kind === "admin" ? "an admin key" : `a project key owned by a ${finding.owner.type === "user" ? "user" : "service account"}`}.`;
}

function whyNoActionsForKey(finding: RemediableFinding): string | null {
  const { key, project, owner } = finding;
  if (!API_ID.test(key.id)) return `the key id ${JSON.stringify(key.id)} does not look like an Admin API id; Keywarden puts no such id into a request.`;
  if (key.kind === "admin") return null;
  if (project === null) return "the finding does not say which project the key belongs to.";
  if (!API_ID.test(project.id)) return `the project id ${JSON.stringify(project.id)} does not look like an Admin API id; Keywarden puts no such id into a request.`;
  if (project.archived) return `project ${named(project.name, project.id)} is archived: the Admin API does not change archived projects.`;
  if (owner.type === "service_account" && !API_ID.test(owner.id)) {
    return `the service account id ${JSON.stringify(owner.id)} does not look like an Admin API id; Keywarden puts no such id into a request.`;
  }
  return null;
}

/** The finding's key first, then every other project key of the same service account in the same project. */
function serviceAccountKeys(finding: RemediableFinding, inventoryKeys: readonly KeyRecord[]): AffectedKey[] {
  const projectId = finding.project?.id ?? null;
  const keys = [affected(freshest(finding.key.id, "project", finding, inventoryKeys))];
  const seen = new Set([finding.key.id]);
  for (const record of inventoryKeys) {
    if (record.kind !== "project" || record.project?.id !== projectId) continue;
    if (record.owner.type !== "service_account" || record.owner.id !== finding.owner.id) continue;
    if (seen.has(record.id)) continue;
    seen.add(record.id);
    keys.push(affected(record));
  }
  return keys;
}

/** The inventory's record of the finding's key when it has one (its `last_used_at` is the freshest), else the finding's. */
function freshest(id: string, kind: KeyRecord["kind"], finding: RemediableFinding, inventoryKeys: readonly KeyRecord[]): AffectedKey {
  const record = inventoryKeys.find((k) => k.id === id && k.kind === kind && (kind === "admin" || k.project?.id === finding.project?.id));
  if (record) return affected(record);
  return { ...pickKey(finding.key), project_id: finding.project?.id ?? null };
}

function affected(key: AffectedKey | KeyRecord): AffectedKey {
  if ("project_id" in key) return key;
  return { ...pickKey(key), project_id: key.project?.id ?? null };
}

function pickKey(key: Pick<KeyRecord, "kind" | "id" | "name" | "redacted_value" | "last_used_at">): Omit<AffectedKey, "project_id"> {
  return { kind: key.kind, id: key.id, name: key.name, redacted_value: key.redacted_value, last_used_at: key.last_used_at };
}


function keyCount(n: number): string {
  return n === 1 ? "its key would" : `its ${n} keys would`;
}
