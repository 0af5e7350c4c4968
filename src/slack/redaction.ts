import { redact } from "../util/redact.js";

/**
 * A deep copy of a rendered message or view with every string redacted. Defense in depth: the
 * renderers never put a secret in what they build, and this makes sure before it leaves for Slack.
 * Only JSON-shaped values (what Block Kit is) are copied faithfully.
 */
export function redactedCopy<T>(value: T, secrets: readonly (string | undefined)[]): T {
  return JSON.parse(JSON.stringify(value), (_key, item: unknown) => (typeof item === "string" ? redact(item, secrets) : item));
}
