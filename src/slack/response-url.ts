import type { AnyBlock } from "@slack/types";
import { redact } from "../util/redact.js";
import { redactedCopy } from "./redaction.js";

export interface ResponseUrlMessage {
  text: string;
  blocks?: AnyBlock[];
  response_type?: "ephemeral" | "in_channel";
  replace_original?: boolean;
  thread_ts?: string;
}

/**
 * Posts a follow-up to a slash command's `response_url` (up to 5 times within
 * 30 minutes of the command). Never throws; the URL itself is a capability
 * and is never put in the error.
 */
export async function postToResponseUrl(
  url: string,
  message: ResponseUrlMessage,
  opts: { secrets?: readonly (string | undefined)[]; fetch?: typeof fetch; timeoutMs?: number } = {},
): Promise<{ ok: true } | { ok: false; error: string }> {
  const doFetch = opts.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const secrets = [...(opts.secrets ?? []), url];
  try {
    const response = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(redactedCopy(message, secrets)),
      redirect: "manual",
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const body = (await response.text()).slice(0, 200);
    if (response.status === 200) return { ok: true };
    return { ok: false, error: redact(`http_${response.status}${body ? `: ${body}` : ""}`, secrets) };
  } catch (error) {
    return { ok: false, error: redact(`request_failed: ${error instanceof Error ? error.message : String(error)}`, secrets) };
  }
}
