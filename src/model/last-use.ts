import type { KeyRecord } from "./inventory.js";
import { keyProvider, providerListsLastUse } from "./key-facts.js";

/**
 * A key's last use as a provider derives it from usage reports (structurally the Anthropic
 * provider's `LastUse`): used, not used in the window (whether the window covers the key's whole
 * life or not), or unknown with a reason.
 */
export type DerivedLastUse =
  | { state: "used"; last_used_at: string }
  | { state: "never_used" | "not_used_since" }
  | { state: "unknown"; reason: string };

export type LastUseFields = Pick<KeyRecord, "last_used_at" | "last_used_known_since" | "last_used_unknown">;

/**
 * The KeyRecord fields for a derived last use; `window` is the usage window read (its `from`: the
 * earliest time usage was readable), absent when the usage could not be read. The `unused` rule
 * decides from them: used within its days → fine; no use in a window covering its days → finding; a
 * shorter window or unknown → undecided.
 */
export function lastUseFields(use: DerivedLastUse, window: { from: string } | undefined): LastUseFields {
  switch (use.state) {
    case "used":
      return window ? { last_used_at: use.last_used_at, last_used_known_since: window.from } : { last_used_at: use.last_used_at };
    case "never_used":
    case "not_used_since":
      // Without the window "no use seen" says nothing: unknown, never "never used".
      return window ? { last_used_at: null, last_used_known_since: window.from } : { last_used_at: null, last_used_unknown: "the usage window read is not known" };
    case "unknown":
      return { last_used_at: null, last_used_unknown: use.reason };
  }
}

/**
 * The longest usage window a provider that does not list last use keeps (Anthropic's analytics: 365
 * days, nothing before 2026-01-01): what a condition needing a key's whole history reads.
 */
export const LONGEST_USAGE_DAYS = 365;

/**
 * What is known of a key's last use: `known` (its `last_used_at`, null for never used: what OpenAI
 * lists, or a use seen in the usage read), `none_since` (no use since `since`, the start of the usage
 * read: before it, never used or used at a time not read), or `unknown` with the reason.
 */
export type LastUseKnowledge = { state: "known" } | { state: "none_since"; since: string } | { state: "unknown"; reason: string };

export function lastUseKnowledge(key: LastUseFields & Pick<KeyRecord, "provider">): LastUseKnowledge {
  if (key.last_used_unknown !== undefined) return { state: "unknown", reason: key.last_used_unknown };
  if (key.last_used_at !== null) return { state: "known" };
  if (key.last_used_known_since !== undefined) return { state: "none_since", since: key.last_used_known_since };
  const provider = keyProvider(key);
  if (providerListsLastUse(provider)) return { state: "known" };
  return { state: "unknown", reason: `${provider} does not list when a key was last used, and it was not read from its usage reports` };
}
