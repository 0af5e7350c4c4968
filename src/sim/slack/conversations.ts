/**
 * conversations.open: users=<one id> → the user's D… channel (stable),
 * user_not_found, user_disabled, users_list_not_supplied; 2–8 ids → a G…
 * channel; `channel` = an opened one → already_open.
 */
import type { Reply } from "../http.js";
import { ok, slackError } from "./reply.js";
import type { FakeWorkspace } from "./workspace.js";

export function openConversation(workspace: FakeWorkspace, body: Record<string, unknown>): Reply {
  const given = body["channel"];
  if (typeof given === "string" && given) return workspace.isOpenedConversation(given) ? ok({ no_op: true, already_open: true, channel: { id: given } }) : slackError("channel_not_found");
  const raw = body["users"];
  const ids = (Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(",") : []).map((id) => id.trim()).filter(Boolean);
  if (ids.length === 0) return slackError("users_list_not_supplied");
  if (ids.length > 8) return slackError("too_many_users");
  for (const id of ids) {
    const user = workspace.findUser(id);
    if (!user) return slackError("user_not_found");
    if (user.deleted) return slackError("user_disabled");
  }
  const conversation = workspace.conversationOf(ids);
  return ok({ ...(conversation.alreadyOpen ? { no_op: true, already_open: true } : {}), channel: { id: conversation.id } });
}
