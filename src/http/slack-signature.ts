import { timingSafeEqualStrings } from "../util/constant-time.js";

/** Slack's replay window: a request older or newer than this is refused. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export interface SlackSignatureInput {
  signingSecret: string;
  /** `X-Slack-Request-Timestamp` (Unix seconds), as received. */
  timestamp: string | null | undefined;
  /** `X-Slack-Signature` (`v0=<hex>`), as received. */
  signature: string | null | undefined;
  /** The request body exactly as received (bytes), before any decoding or form parsing. */
  rawBody: Uint8Array | string;
  /** The clock, injected; default now. */
  nowSeconds?: number;
}

export type SlackSignatureResult = { ok: true } | { ok: false; reason: "missing_headers" | "stale_timestamp" | "bad_signature" };

const encoder = new TextEncoder();

/**
 * Verifies a request from Slack: v0 HMAC-SHA256 over `v0:<timestamp>:<raw body>`
 * keyed with the signing secret, compared in constant time, with a 5-minute
 * replay window. WebCrypto only, so it runs in workerd and in Node.
 */
export async function verifySlackSignature(input: SlackSignatureInput): Promise<SlackSignatureResult> {
  const { timestamp, signature } = input;
  if (!timestamp || !signature) return { ok: false, reason: "missing_headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "stale_timestamp" };
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) return { ok: false, reason: "stale_timestamp" };
  // An empty secret would let anyone compute a valid signature: fail closed.
  if (!input.signingSecret) return { ok: false, reason: "bad_signature" };

  const body = typeof input.rawBody === "string" ? encoder.encode(input.rawBody) : input.rawBody;
  const prefix = encoder.encode(`v0:${timestamp}:`);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix);
  message.set(body, prefix.length);
  const expected = `v0=${await hmacSha256Hex(input.signingSecret, message)}`;
  return timingSafeEqualStrings(expected, signature) ? { ok: true } : { ok: false, reason: "bad_signature" };
}

async function hmacSha256Hex(secret: string, message: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  let hex = "";
  for (const byte of mac) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
