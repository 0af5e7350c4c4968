import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { SECRET_OFF } from "../config.js";
import { services } from "../services.js";
import { jsonError } from "./errors.js";
import { SLACK_MAX_SKEW_SECONDS, verifySlackSignature } from "./slack-signature.js";

/** Slash commands and interaction payloads are a few KiB; anything far larger is not from Slack. */
export const SLACK_BODY_LIMIT_BYTES = 64 * 1024;

export type SlackRequestEnv = { Bindings: Env; Variables: { slackBody: string } };

/** First on every Slack route: a body over the limit is refused (413) before it is read or verified. */
export const slackBodyLimit = bodyLimit({
  maxSize: SLACK_BODY_LIMIT_BYTES,
  onError: (c) => jsonError(c, 413, "payload_too_large", `a Slack request body may be at most ${SLACK_BODY_LIMIT_BYTES / 1024} KiB`),
});

/**
 * Then, before anything is parsed: the v0 signature over the raw bytes (5-minute window), and each
 * signature honoured once (a replay inside the window is refused). The verified body, decoded, is
 * `c.get("slackBody")`.
 */
export const verifiedSlackRequest: MiddlewareHandler<SlackRequestEnv> = async (c, next) => {
  const signingSecret = (c.env as unknown as { SLACK_SIGNING_SECRET?: string }).SLACK_SIGNING_SECRET;
  if (!signingSecret || signingSecret === SECRET_OFF) return jsonError(c, 401, "unauthorized", "Slack requests are refused: SLACK_SIGNING_SECRET is off");
  const rawBody = new Uint8Array(await c.req.arrayBuffer());
  const timestamp = c.req.header("x-slack-request-timestamp") ?? null;
  const signature = c.req.header("x-slack-signature") ?? null;
  const nowSeconds = Math.floor(Date.now() / 1000);
  const verified = await verifySlackSignature({ signingSecret, timestamp, signature, rawBody, nowSeconds });
  if (!verified.ok) return jsonError(c, 401, "unauthorized", `request not verified: ${verified.reason}`);
  const firstUse = await services(c.env).slackReplayGuard.firstUse(signature as string, Number(timestamp) + SLACK_MAX_SKEW_SECONDS + 1, nowSeconds);
  if (!firstUse) return jsonError(c, 401, "unauthorized", "request not verified: this signed request was already used");
  c.set("slackBody", new TextDecoder().decode(rawBody));
  await next();
};
