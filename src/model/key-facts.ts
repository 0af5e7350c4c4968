import type { ProviderName } from "../config-accounts.js";
import type { KeyOwner, KeyRecord } from "./inventory.js";

/**
 * The defaults of KeyRecord's optional issue-19 fields, in one place: a record without `provider`
 * is OpenAI's (every record before issue 19), one without `account` belongs to its provider's
 * default account (`openai` for those records), one without `status` is active (OpenAI lists live
 * keys only).
 */

/** The account a key listed from OPENAI_ADMIN_KEY alone belongs to; its findings keep the fingerprints they had before accounts existed. */
export const DEFAULT_ACCOUNT = "openai";

/** Every status a provider gives a key (Anthropic's); OpenAI's keys are all `active`. */
export const KEY_STATUSES = ["active", "inactive", "archived", "expired"] as const;

export function keyProvider(key: Pick<KeyRecord, "provider">): ProviderName {
  return key.provider ?? "openai";
}

/** The configured account; a record without one belongs to its provider's default account (`openai`, `anthropic`). */
export function keyAccount(key: Pick<KeyRecord, "provider" | "account">): string {
  return key.account ?? keyProvider(key);
}

export function keyStatus(key: Pick<KeyRecord, "status">): string {
  return key.status ?? "active";
}

/** Whether the key works today: only such keys are findings of the usual rules, the others are inventory. */
export function isActiveKey(key: Pick<KeyRecord, "status">): boolean {
  return key.status === undefined || key.status === "active";
}

/**
 * Whether the provider lists each key's last use (OpenAI: `last_used_at`, null for never used) or it
 * has to be derived from usage reports (Anthropic: see `last_used_known_since`).
 */
export function providerListsLastUse(provider: ProviderName): boolean {
  return provider === "openai";
}

/** Whether the provider names anyone for the key's owner (an Anthropic legacy or system key has neither principal nor creator). */
export function ownerKnown(owner: Pick<KeyOwner, "id" | "name" | "email">): boolean {
  return Boolean(owner.id || owner.name || owner.email);
}
