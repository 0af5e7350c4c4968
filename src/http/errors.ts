import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { ConfigError } from "../config.js";
import { settingsPlaceOf } from "./settings-place.js";

/** Every HTTP error is `{ "error": { "code", "message" } }`. */
export function jsonError(c: Context, status: ContentfulStatusCode, code: string, message: string, extra: Record<string, unknown> = {}) {
  return c.json({ error: { code, message, ...extra } }, status);
}

/** A 500 naming every settings problem at once, each with its fix for where this Worker runs. */
export function misconfigured(c: Context, error: ConfigError) {
  const located = error.at(settingsPlaceOf(c.req.url));
  return jsonError(c, 500, "misconfigured", located.message, { problems: located.problems });
}

/** A 400 for input that failed its zod schema, naming the first field at fault. */
export function invalidRequest(c: Context, error: z.ZodError, whole: "(body)" | "(query)") {
  const issue = error.issues[0];
  if (issue?.code === "unrecognized_keys") {
    const field = issue.keys.join(", ");
    return jsonError(c, 400, "invalid_request", `unknown field(s) ${field}`, { field });
  }
  const field = issue?.path.join(".") || whole;
  return jsonError(c, 400, "invalid_request", `${field} ${issue?.message ?? "is invalid"}`, { field });
}
