/**
 * The fake Slack's control routes (not recorded):
 *   GET    /__slack/calls   → { calls, uploads, responseUrlPosts, views, updates, messages, ims }
 *   DELETE /__slack/calls   empties the records (calls, uploads, responseUrlPosts, views, updates);
 *                           the workspace (users, opened conversations, posted messages) stays
 *   POST   /__slack/faults  body: SlackFault
 *   DELETE /__slack/faults
 *   GET    /__slack/users   → { users }: the directory users.lookupByEmail and conversations.open read
 *   PUT    /__slack/users   body { users: FakeSlackUser[] }: replaces the directory
 *   POST   /__slack/users   body { users: FakeSlackUser[] }: adds users (same id: replaced)
 *   DELETE /__slack/users
 *   POST   /__slack/trigger body { age_ms? } → 201 { trigger_id }: what a click on a button would give
 *                           the app; views.open accepts it once within 3 s (age_ms backdates it)
 */
import type { Reply } from "../http.js";
import type { SlackApiContext } from "./api.js";
import type { SlackFaults } from "./faults.js";
import { ok } from "./reply.js";
import type { SlackFault } from "./types.js";
import { usersIn } from "./users.js";

export function control(ctx: SlackApiContext, faults: SlackFaults, method: string, path: string, raw: Buffer): Reply {
  const { recording, workspace } = ctx;
  try {
    switch (`${method} ${path}`) {
      case "GET /__slack/calls": {
        const { calls, uploads, responseUrlPosts, views, updates } = recording;
        return ok({ calls, uploads, responseUrlPosts, views, updates, messages: workspace.messages, ims: workspace.ims() });
      }
      case "DELETE /__slack/calls":
        recording.clear();
        return ok();
      case "POST /__slack/faults":
        faults.add(JSON.parse(raw.toString("utf8")) as SlackFault);
        return { status: 201, json: { ok: true, faults: faults.size } };
      case "DELETE /__slack/faults":
        faults.clear();
        return ok();
      case "GET /__slack/users":
        return ok({ users: workspace.users });
      case "PUT /__slack/users":
        workspace.setUsers(usersIn(raw));
        return ok({ users: workspace.users.length });
      case "POST /__slack/users":
        workspace.addUsers(usersIn(raw));
        return ok({ users: workspace.users.length });
      case "DELETE /__slack/users":
        workspace.users.length = 0;
        return ok();
      case "POST /__slack/trigger": {
        const text = raw.toString("utf8").trim();
        const ageMs = text ? Number((JSON.parse(text) as { age_ms?: unknown }).age_ms ?? 0) : 0;
        if (!Number.isFinite(ageMs) || ageMs < 0) throw new Error("age_ms must be a number ≥ 0");
        return { status: 201, json: { ok: true, trigger_id: ctx.triggers.issue({ ageMs }) } };
      }
      default:
        return { status: 404, json: { ok: false, error: "not_found" } };
    }
  } catch (err) {
    return { status: 400, json: { ok: false, error: err instanceof Error ? err.message : String(err) } };
  }
}
