import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from "@slack/web-api";

/** What went wrong in a Slack call, in the words every sender records (not yet redacted), and how long Slack asked to wait. */
export function describeSlackError(error: unknown): { error: string; retryAfter?: number } {
  if (error instanceof WebAPIPlatformError) return { error: error.data.error };
  if (error instanceof WebAPIRateLimitedError) return { error: `ratelimited: retry after ${error.retryAfter} s`, retryAfter: error.retryAfter };
  if (error instanceof WebAPIHTTPError) {
    const body = typeof error.body === "string" ? error.body.slice(0, 200).replace(/\s+/g, " ").trim() : "";
    return { error: `http_${error.statusCode}${body ? `: ${body}` : ""}` };
  }
  if (error instanceof WebAPIRequestError) return { error: `request_failed: ${error.original.message}` };
  return { error: error instanceof Error ? error.message : String(error) };
}
