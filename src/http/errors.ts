import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every HTTP error is `{ "error": { "code", "message" } }`. */
export function jsonError(c: Context, status: ContentfulStatusCode, code: string, message: string, extra: Record<string, unknown> = {}) {
  return c.json({ error: { code, message, ...extra } }, status);
}
