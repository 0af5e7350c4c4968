/** The bot token: a Bearer header or a `token` field; auth.test answers who the bot is. */
import type { Reply } from "../http.js";
import { ok, slackError } from "./reply.js";

export const FAKE_SLACK_TOKEN = "xoxb-keywarden-fake-0000000000-secret";

/** null when the call carries `token`; else not_authed (no token) or invalid_auth. */
export function authorized(headers: Record<string, string>, body: Record<string, unknown>, token: string): Reply | null {
  const bearer = /^Bearer (.+)$/.exec(headers["authorization"] ?? "")?.[1];
  const given = bearer ?? (typeof body["token"] === "string" ? body["token"] : undefined);
  if (given === undefined) return slackError("not_authed");
  return given === token ? null : slackError("invalid_auth");
}

export function authTest(): Reply {
  return ok({ url: "https://keywarden-fake.slack.com/", team: "Fake", user: "keywarden", team_id: "T00000001", user_id: "U00000001", bot_id: "B00000001" });
}
