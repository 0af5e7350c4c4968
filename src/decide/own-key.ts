/**
 * Never delete the admin key Keywarden runs with. The Admin API shows an admin key only as its
 * redacted value (`sk-admin-...x9Kp`, or `sk-admin...xyz` in OpenAI's examples): its visible last
 * characters are all there is to match the configured key against. A key whose visible end matches
 * may be Keywarden's own; a redacted value that cannot be read, or a configured key that cannot be,
 * leaves Keywarden unsure; both refuse. Only a visible end that differs proves a key is not its own.
 */
import { redact } from "../util/redact.js";

/** Fewer visible characters than this say too little to tell keys apart. */
export const MIN_VISIBLE_SUFFIX = 3;

const KEY_CHARS = /^[A-Za-z0-9_-]+$/;
const REDACTED = /^([A-Za-z0-9_-]*)(?:\.{3}|…)([A-Za-z0-9_-]+)$/;

/** The visible end of a redacted key value (`sk-admin-...x9Kp` → `x9Kp`); null when it cannot be read or shows too little. */
export function redactedSuffix(redactedValue: string): string | null {
  const match = REDACTED.exec(redactedValue.trim());
  const suffix = match?.[2];
  return suffix !== undefined && suffix.length >= MIN_VISIBLE_SUFFIX ? suffix : null;
}

/**
 * What Keywarden knows of the end of the key it runs with: the configured key itself (its full
 * value), or its redacted value, or its last characters alone. null when none of these can be read.
 */
export function configuredKeyTail(configured: string | null | undefined): string | null {
  const text = (configured ?? "").trim();
  if (text.includes("...") || text.includes("…")) return redactedSuffix(text);
  return KEY_CHARS.test(text) && text.length >= MIN_VISIBLE_SUFFIX ? text : null;
}

/** Whether two visible ends may belong to the same key: the shorter is the end of the longer (case aside, erring towards a match). */
export function tailsMatch(a: string, b: string): boolean {
  const n = Math.min(a.length, b.length);
  return n > 0 && a.slice(-n).toLowerCase() === b.slice(-n).toLowerCase();
}

export type OwnKeyVerdict = { safe: true } | { safe: false; reason: string };

/**
 * Whether deleting admin key `target` is safe for Keywarden: it is not the key configured
 * (`configured`: OPENAI_ADMIN_KEY, its redacted value, or its last characters). `adminKeys` is the
 * organization's admin key list, to say when several keys look alike. Reasons never contain the
 * configured key.
 */
export function ownAdminKeyVerdict(
  target: { id: string; name?: string | null; redacted_value: string },
  configured: string | null | undefined,
  adminKeys: readonly { id: string; name?: string | null; redacted_value: string }[],
): OwnKeyVerdict {
  // The configured key is a secret when it is the full value (its last characters alone, or its redacted value, are not).
  const secrets = configured && configured.trim().length >= 16 && !/\.{3}|…/.test(configured) ? [configured.trim()] : [];
  const shown = (key: { id: string; name?: string | null; redacted_value: string }) =>
    redact(key.name ? `${JSON.stringify(key.name)} (${key.id}, ${key.redacted_value})` : `${key.id} (${key.redacted_value})`, secrets);
  const own = configuredKeyTail(configured);
  if (own === null) {
    return {
      safe: false,
      reason: `the admin key Keywarden runs with (OPENAI_ADMIN_KEY) is not set or cannot be read, so Keywarden cannot tell whether admin key ${shown(target)} is that key`,
    };
  }
  const suffix = redactedSuffix(target.redacted_value);
  if (suffix === null) {
    return {
      safe: false,
      reason: `the redacted value of admin key ${shown(target)} cannot be read (expected e.g. sk-admin-...x9Kp), so Keywarden cannot tell whether it is the key it runs with`,
    };
  }
  if (!tailsMatch(own, suffix)) return { safe: true };
  const alike = adminKeys.filter((key) => key.id !== target.id && tailsMatch(own, redactedSuffix(key.redacted_value) ?? ""));
  if (alike.length > 0) {
    return {
      safe: false,
      reason: `admin key ${shown(target)} and ${alike.map(shown).join(" and ")} end like the key Keywarden runs with (OPENAI_ADMIN_KEY): Keywarden cannot tell which one it is, so it deletes none of them`,
    };
  }
  return { safe: false, reason: `admin key ${shown(target)} ends like the key Keywarden runs with (OPENAI_ADMIN_KEY): deleting it would cut Keywarden off` };
}

/**
 * Whether disabling Anthropic API key `target` is safe for Keywarden. The Anthropic Admin API lists
 * and updates API keys only: the admin key Keywarden runs with (`sk-ant-admin…`, managed in the
 * Console) is not among them and cannot be set inactive through `/v1/organizations/api_keys/{id}`, so
 * a listed key is never that key. A key's `partial_key_hint` shows its prefix and last characters
 * (`sk-ant-api03-abc...wxyz`). As a second line of defence a hint that reads like an admin key, or
 * whose visible end matches the configured admin key's (`configured`: the account's admin key), is
 * refused anyway; a hint that cannot be read (null for some legacy keys) is no reason to refuse, for
 * the first reason. Reasons never contain the configured key.
 */
export function anthropicOwnKeyVerdict(target: { id: string; name?: string | null; redacted_value: string }, configured: string | null | undefined): OwnKeyVerdict {
  const secrets = configured && configured.trim().length >= 16 && !/\.{3}|…/.test(configured) ? [configured.trim()] : [];
  const shown = redact(target.name ? `${JSON.stringify(target.name)} (${target.id}, ${target.redacted_value})` : `${target.id} (${target.redacted_value})`, secrets);
  const hint = target.redacted_value.trim();
  if (/^sk-ant-admin/i.test(hint)) {
    return { safe: false, reason: `key ${shown} reads like an Admin API key, which the Admin API does not list: Keywarden disables no such key` };
  }
  const own = configuredKeyTail(configured);
  const suffix = redactedSuffix(hint);
  if (own !== null && suffix !== null && tailsMatch(own, suffix)) {
    return { safe: false, reason: `key ${shown} ends like the admin key Keywarden runs with: Keywarden cannot tell them apart by their last characters, so it disables neither` };
  }
  return { safe: true };
}
