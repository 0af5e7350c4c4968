/** The Anthropic error envelope (shared.d.ts `ErrorResponse`: `{type: "error", error: {type, message}, request_id}`). */
import type { Reply } from "../http.js";

/** shared.d.ts `ErrorType` by status, for the errors the simulator makes up (faults included). */
export function errorTypeFor(status: number): string {
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    429: "rate_limit_error",
    504: "timeout_error",
    529: "overloaded_error",
  };
  return types[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

/** `request_id` is filled in by the server, which numbers the requests. */
export function apiError(status: number, message: string, type = errorTypeFor(status)): Reply {
  return { status, json: { type: "error", error: { type, message }, request_id: null } };
}
