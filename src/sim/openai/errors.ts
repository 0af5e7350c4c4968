/**
 * The Admin API's error envelope (components.schemas.ErrorResponse). The spec
 * declares no 404s: the simulator's own not-found answers use the same
 * envelope, with code "not_found".
 */
import type { Reply } from "../http.js";
import type { ErrorJson, ErrorResponseJson } from "./org.js";

export function errorBody(message: string, type: string, param: string | null = null, code: string | null = null): ErrorResponseJson {
  const error: ErrorJson = { message, type, param, code };
  return { error };
}

export function apiError(status: number, message: string, param: string | null = null, code: string | null = null): Reply {
  return { status, json: errorBody(message, "invalid_request_error", param, code) };
}

export function notFound(message: string): Reply {
  return apiError(404, message, null, "not_found");
}
