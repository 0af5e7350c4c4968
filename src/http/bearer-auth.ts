import type { MiddlewareHandler } from "hono";
import { timingSafeEqualStrings } from "../util/constant-time.js";
import { jsonError } from "./errors.js";

/**
 * Bearer-token auth against a secret from the environment, compared in constant
 * time. With no token configured every request is refused: an API that starts
 * audits must never be open by accident.
 */
export function bearerAuth(getToken: (env: Env) => string | undefined): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    const expected = getToken(c.env);
    if (!expected) return jsonError(c, 401, "unauthorized", "this API is disabled until AUDIT_API_TOKEN is set");
    const header = c.req.header("authorization") ?? "";
    const match = /^Bearer\s+(.+)$/i.exec(header);
    if (!match?.[1]) {
      c.header("WWW-Authenticate", 'Bearer realm="keywarden"');
      return jsonError(c, 401, "unauthorized", "missing bearer token (Authorization: Bearer <AUDIT_API_TOKEN>)");
    }
    if (!timingSafeEqualStrings(match[1].trim(), expected)) {
      c.header("WWW-Authenticate", 'Bearer realm="keywarden", error="invalid_token"');
      return jsonError(c, 401, "unauthorized", "invalid bearer token");
    }
    await next();
  };
}
