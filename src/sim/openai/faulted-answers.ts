/**
 * What an injected fault makes of an answer, in the Admin API's own shapes: the
 * error a `status` fault answers with, and the 200 page `lie_has_more` and
 * `invalid_shape` break.
 */
import type { Reply } from "../http.js";
import type { ErrorResponseJson } from "./org.js";
import { errorBody } from "./errors.js";

export function faultStatusResult(status: number, retryAfter: number | undefined): Reply {
  const headers: Record<string, string> = {};
  if (retryAfter !== undefined) headers["retry-after"] = String(retryAfter);
  let body: ErrorResponseJson;
  if (status === 429) {
    body = errorBody("Rate limit reached for requests. Please try again later.", "requests", null, "rate_limit_exceeded");
  } else if (status >= 500) {
    body = errorBody("The server had an error while processing your request. Sorry about that!", "server_error");
  } else if (status === 401) {
    body = errorBody("Unauthorized.", "invalid_request_error", null, "invalid_api_key");
  } else if (status === 403) {
    body = errorBody("You have insufficient permissions for this operation.", "invalid_request_error", null, "insufficient_permissions");
  } else {
    body = errorBody(`Simulated error (HTTP ${status}).`, "invalid_request_error");
  }
  return { status, headers, json: body };
}

/** Applies lie_has_more / invalid_shape to a 200 list page; anything else passes through. */
export function transformPage(result: Reply, kind: "lie_has_more" | "invalid_shape"): Reply {
  const body = result.json;
  if (result.status !== 200 || typeof body !== "object" || body === null || !Array.isArray((body as { data?: unknown }).data)) {
    return result;
  }
  const copy = structuredClone(body) as Record<string, unknown> & { data: Record<string, unknown>[] };
  const usagePage = copy["object"] === "page";
  if (kind === "lie_has_more") {
    copy["has_more"] = true;
    if (usagePage) copy["next_page"] = null;
    else delete copy["last_id"];
  } else {
    const first = copy.data[0];
    if (first !== undefined) {
      // Users carry added_at, audit log events effective_at and usage buckets start_time instead of created_at.
      const field = ["created_at", "effective_at", "start_time"].find((f) => f in first) ?? "added_at";
      delete first[field];
    } else {
      delete copy["has_more"]; // an empty page: break the envelope instead
    }
  }
  return { ...result, json: copy };
}
