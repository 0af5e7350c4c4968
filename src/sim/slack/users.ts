/** users.lookupByEmail over the fake directory, and the bodies that replace or extend it (/__slack/users). */
import type { Reply } from "../http.js";
import { ok, slackError } from "./reply.js";
import type { FakeSlackUser } from "./types.js";
import { type FakeWorkspace, TEAM_ID } from "./workspace.js";

/** Case-insensitive; a deactivated user is users_not_found, as Slack documents. */
export function lookupByEmail(workspace: FakeWorkspace, body: Record<string, unknown>): Reply {
  const email = typeof body["email"] === "string" ? body["email"].trim().toLowerCase() : "";
  if (!email) return slackError("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: email"] } });
  // "If the user has been deactivated, users_not_found will be returned instead of a user object."
  const user = workspace.users.find((u) => u.email.toLowerCase() === email && !u.deleted);
  if (!user) return slackError("users_not_found");
  return ok({ user: userObject(user) });
}

function userObject(user: FakeSlackUser): Record<string, unknown> {
  const handle = user.email.split("@")[0] ?? user.id;
  return {
    id: user.id,
    team_id: TEAM_ID,
    name: handle,
    deleted: user.deleted === true,
    real_name: user.name,
    is_bot: false,
    profile: { email: user.email, real_name: user.name, display_name: handle },
  };
}

/** `{ users: [...] }` (or a bare array) from a control request's body. */
export function usersIn(raw: Buffer): FakeSlackUser[] {
  const parsed = JSON.parse(raw.toString("utf8")) as { users?: unknown } | unknown[];
  const list = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown }).users;
  if (!Array.isArray(list)) throw new Error("body must be { users: [...] }");
  return list as FakeSlackUser[];
}
