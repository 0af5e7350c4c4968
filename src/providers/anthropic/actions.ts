import type { AnthropicInventoryOptions } from "./client.js";
import { sessionOptions } from "./client.js";
import { type ApiKeyJson, type ApiKeyStatus, apiKeySchema } from "./schemas.js";
import { AnthropicSession } from "./session.js";

/**
 * Disable, not delete: an Anthropic key set `inactive` stops working and can be set `active` again
 * (platform-notes §14; api-keys.d.ts `APIKeyUpdateParams.status`). Never `archived`: whether that
 * can be undone is not documented. Each change is confirmed by reading the key again. The change is
 * idempotent, so a retry after a lost answer is safe (the SDK's APIKeyRequesterUnconfirmedError says
 * "It is safe to send the same request again"). The guards (mode, two people, cap, in-use check,
 * never the key Keywarden runs with) are the caller's: this only acts.
 */

export type ActionOptions = Omit<AnthropicInventoryOptions, "pageSize" | "concurrency">;

export type KeyRead = { ok: true; key: ApiKeyJson | null; requests: number } | { ok: false; reason: string; status?: number; requests: number };

export type StatusChange =
  /** The key was read back with the asked status. */
  | { ok: true; keyId: string; status: "active" | "inactive"; requests: number }
  /**
   * `stage` "update": the change was refused or its answer lost (`status` is the HTTP status if any);
   * "confirm": the change was answered but reading the key back failed or showed another status
   * (`observed`). Either way the key's state must be taken as unknown until read again.
   */
  | { ok: false; keyId: string; stage: "update" | "confirm"; reason: string; status?: number; observed?: ApiKeyStatus | "missing"; requests: number };

/** One key, fresh (`GET /v1/organizations/api_keys/{id}`); `key` is null when the API says there is none (404). */
export async function retrieveKey(options: ActionOptions, keyId: string): Promise<KeyRead> {
  const session = new AnthropicSession(sessionOptions(options));
  return read(session, keyId);
}

async function read(session: AnthropicSession, keyId: string): Promise<KeyRead> {
  const result = await session.request(`API key ${keyId}`, apiKeySchema, (client) => client.organization.apiKeys.retrieve(keyId));
  if (result.ok) return { ok: true, key: result.value, requests: session.requests };
  if (result.error.status === 404) return { ok: true, key: null, requests: session.requests };
  return { ok: false, reason: result.error.message, ...(result.error.status !== undefined ? { status: result.error.status } : {}), requests: session.requests };
}

/** Sets the key `inactive` and confirms it. */
export function disableKey(options: ActionOptions, keyId: string): Promise<StatusChange> {
  return setKeyStatus(options, keyId, "inactive");
}

/** Sets the key `active` again and confirms it. */
export function reenableKey(options: ActionOptions, keyId: string): Promise<StatusChange> {
  return setKeyStatus(options, keyId, "active");
}

export type StatusUpdate = { ok: true; key: ApiKeyJson; requests: number } | { ok: false; reason: string; status?: number; requests: number };

/**
 * Only the update (`POST /v1/organizations/api_keys/{id}` `{"status": …}`), not confirmed: what a
 * remediation's one call is (decide/ confirms it by reading the key again, `retrieveKey`).
 */
export async function updateKeyStatus(options: ActionOptions, keyId: string, target: "active" | "inactive"): Promise<StatusUpdate> {
  if (keyId.length === 0) throw new RangeError("keyId must not be empty");
  return update(new AnthropicSession(sessionOptions(options)), keyId, target);
}

async function update(session: AnthropicSession, keyId: string, target: "active" | "inactive"): Promise<StatusUpdate> {
  const updated = await session.request(`API key ${keyId}`, apiKeySchema, (client) => client.organization.apiKeys.update(keyId, { status: target }));
  if (updated.ok) return { ok: true, key: updated.value, requests: session.requests };
  const { status, message } = updated.error;
  return { ok: false, reason: message, ...(status !== undefined ? { status } : {}), requests: session.requests };
}

async function setKeyStatus(options: ActionOptions, keyId: string, target: "active" | "inactive"): Promise<StatusChange> {
  if (keyId.length === 0) throw new RangeError("keyId must not be empty");
  const session = new AnthropicSession(sessionOptions(options));
  const updated = await update(session, keyId, target);
  if (!updated.ok) return { ok: false, keyId, stage: "update", reason: updated.reason, ...(updated.status !== undefined ? { status: updated.status } : {}), requests: session.requests };
  // The update's own answer is not the confirmation: the key is read again, as a later listing would see it.
  const after = await read(session, keyId);
  if (!after.ok) return { ok: false, keyId, stage: "confirm", reason: after.reason, ...(after.status !== undefined ? { status: after.status } : {}), requests: session.requests };
  if (after.key === null) return { ok: false, keyId, stage: "confirm", reason: `API key ${keyId} is not found when read again`, observed: "missing", requests: session.requests };
  if (after.key.status !== target) {
    return { ok: false, keyId, stage: "confirm", reason: `API key ${keyId} reads ${after.key.status} after being set ${target}`, observed: after.key.status, requests: session.requests };
  }
  return { ok: true, keyId, status: target, requests: session.requests };
}
