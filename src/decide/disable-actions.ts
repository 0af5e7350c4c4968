/**
 * Disable, not delete: what Keywarden can do about an Anthropic key's finding. The Admin API has no
 * delete; a key set `inactive` (`POST /v1/organizations/api_keys/{id}` `{"status":"inactive"}`) stops
 * working and can be set `active` again, which is the Re-enable that undoes it. Pure: no I/O, no clock.
 */
import type { KeyRecord, ProjectRef } from "../model/inventory.js";
import { type ActionKind, type AffectedKey, KEY_STATUS_SET, type ListedKey, type RemediableFinding, type RemediationAction } from "../model/remediation.js";
import { API_ID, named } from "./naming.js";

/** Whether a finding's key is an Anthropic key (a record without `provider` is OpenAI's). */
export function isAnthropicKey(key: Pick<KeyRecord, "provider">): boolean {
  return key.provider === "anthropic";
}

/** The request that sets an Anthropic key's status, relative to https://api.anthropic.com. */
export function keyStatusRequest(keyId: string, status: "inactive" | "active"): RemediationAction["request"] {
  return { method: "POST", path: `/v1/organizations/api_keys/${keyId}`, body: { status } };
}

/** The Disable that fits an Anthropic key's finding (when `fitting` has it), or nothing; `whyNoDisable` says why not. */
export function disableActionsFor(finding: RemediableFinding, inventoryKeys: readonly ListedKey[], fitting: ReadonlySet<ActionKind>): RemediationAction[] {
  if (!fitting.has("disable_key") || whyNoDisable(finding, inventoryKeys) !== null) return [];
  const key = freshRecord(finding, inventoryKeys);
  return [
    {
      kind: "disable_key",
      target: { type: "api_key", id: key.id, name: key.name, project: finding.project, ...(finding.key.account ? { account: finding.key.account } : {}) },
      request: keyStatusRequest(key.id, KEY_STATUS_SET.disable_key),
      keysAffected: [affectedKey(key)],
      summary: `Disable Anthropic key ${named(key.name, key.id)} ${whereIs(finding.project)} (it stops working and can be re-enabled)`,
      finding: { rule_id: finding.rule_id, rule_kind: finding.rule_kind, fingerprint: finding.fingerprint, key_id: finding.key.id },
    },
  ];
}

/** Why an Anthropic key's finding cannot be disabled; null when it can. */
export function whyNoDisable(finding: RemediableFinding, inventoryKeys: readonly ListedKey[]): string | null {
  if (!API_ID.test(finding.key.id)) return `the key id ${JSON.stringify(finding.key.id)} does not look like an Admin API id; Keywarden puts no such id into a request.`;
  const status = freshRecord(finding, inventoryKeys).status ?? "active";
  if (status !== "active") return `key ${named(finding.key.name, finding.key.id)} is ${status}: only an active key can be disabled.`;
  return null;
}

/**
 * The Re-enable that undoes Disable request `disableId`, planned from the key as listed now; a
 * sentence when it does not fit (the key is gone, active again, archived or expired).
 */
export function reenableActionFor(disable: RemediationAction, disableId: string, fresh: ListedKey | undefined): RemediationAction | { why: string } {
  if (disable.kind !== "disable_key") return { why: `request ${disableId} did not disable a key (it is ${disable.kind}), so there is nothing to re-enable.` };
  const why = whyNoReenable(disable.target, fresh);
  if (why !== null) return { why };
  if (!fresh) return { why: `key ${disable.target.id} is no longer listed by the Admin API.` };
  return { ...reenable(disable.target, fresh, disable.finding), summary: `Re-enable Anthropic key ${named(fresh.name, fresh.id)} ${whereIs(disable.target.project)} (undoing ${disableId})`, undoes: disableId };
}

/**
 * `keywarden revoke --reenable`: the Re-enable of an inactive key listed now, undoing no recorded
 * request (the command line keeps none); it answers no finding (`finding` names the key alone).
 */
export function commandLineReenable(fresh: ListedKey): RemediationAction | { why: string } {
  const target = { type: "api_key" as const, id: fresh.id, name: fresh.name, project: fresh.project, ...(fresh.account ? { account: fresh.account } : {}) };
  const why = whyNoReenable(target, fresh);
  if (why !== null) return { why };
  return reenable(target, fresh, { rule_id: "", rule_kind: "", fingerprint: "", key_id: fresh.id });
}

function whyNoReenable(target: RemediationAction["target"], fresh: ListedKey | undefined): string | null {
  const name = named(target.name, target.id);
  if (!API_ID.test(target.id)) return `the key id ${JSON.stringify(target.id)} does not look like an Admin API id; Keywarden puts no such id into a request.`;
  if (!fresh) return `key ${name} is no longer listed by the Admin API: there is nothing to re-enable.`;
  const status = fresh.status ?? "active";
  if (status === "active") return `key ${name} is active already: there is nothing to re-enable.`;
  if (status !== "inactive") return `key ${name} is ${status} now: only an inactive key can be re-enabled.`;
  return null;
}

function reenable(target: RemediationAction["target"], fresh: ListedKey, finding: RemediationAction["finding"]): RemediationAction {
  return {
    kind: "reenable_key",
    target,
    request: keyStatusRequest(target.id, KEY_STATUS_SET.reenable_key),
    keysAffected: [affectedKey(fresh)],
    summary: `Re-enable Anthropic key ${named(fresh.name, fresh.id)} ${whereIs(target.project)}`,
    finding,
  };
}

/** The record listed fresh for the finding's key when there is one, else the finding's own. */
function freshRecord(finding: RemediableFinding, inventoryKeys: readonly ListedKey[]): ListedKey {
  return inventoryKeys.find((k) => k.id === finding.key.id) ?? { ...finding.key, project: finding.project, owner: finding.owner };
}

function affectedKey(key: ListedKey): AffectedKey {
  return {
    kind: key.kind,
    id: key.id,
    name: key.name,
    redacted_value: key.redacted_value,
    last_used_at: key.last_used_at,
    project_id: key.project?.id ?? null,
    ...(key.last_used_unknown !== undefined ? { last_used_unknown: key.last_used_unknown } : {}),
  };
}

function whereIs(project: ProjectRef | null): string {
  return project ? `of workspace ${named(project.name, project.id)}` : "of the organization";
}
