import type { KeyRecord } from "./inventory.js";

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
 * The KeyRecord fields for a derived last use, `windowFrom` being the start of the usage window read
 * (the earliest time usage was readable). The `unused` rule decides from them: used within its days
 * → fine; no use in a window covering its days → finding; a shorter window or unknown → undecided.
 */
export function lastUseFields(use: DerivedLastUse, windowFrom: string): LastUseFields {
  switch (use.state) {
    case "used":
      return { last_used_at: use.last_used_at, last_used_known_since: windowFrom };
    case "never_used":
    case "not_used_since":
      return { last_used_at: null, last_used_known_since: windowFrom };
    case "unknown":
      return { last_used_at: null, last_used_unknown: use.reason };
  }
}
