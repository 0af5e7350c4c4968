/**
 * The Web API methods the fake Slack answers (POST /api/<method>, after
 * faults and authentication), and the module of each:
 *   auth.test                          auth.ts
 *   chat.postMessage, chat.update      chat.ts: invalid_auth, channel_not_found, no_text, msg_too_long,
 *                                      invalid_blocks (block-kit.ts: > 50 blocks, section text > 3000,
 *                                      header > 150, a button beyond its limits, …), message_not_found
 *   users.lookupByEmail                users.ts
 *   conversations.open                 conversations.ts
 *   views.open                         views.ts
 *   files.getUploadURLExternal,
 *   files.completeUploadExternal       files.ts
 * Any other method is unknown_method.
 */
import type { Reply } from "../http.js";
import { authTest } from "./auth.js";
import { postMessage, updateMessage } from "./chat.js";
import { openConversation } from "./conversations.js";
import { completeUpload, getUploadURL } from "./files.js";
import type { SlackRecording } from "./recording.js";
import { slackError } from "./reply.js";
import { lookupByEmail } from "./users.js";
import { openView, type Triggers } from "./views.js";
import type { FakeWorkspace } from "./workspace.js";

/** What the methods work on. */
export interface SlackApiContext {
  readonly workspace: FakeWorkspace;
  readonly recording: SlackRecording;
  readonly triggers: Triggers;
  /** The server's origin, e.g. "http://127.0.0.1:8790" (set once it listens). */
  base: string;
}

type Method = (ctx: SlackApiContext, body: Record<string, unknown>) => Reply;

const METHODS = new Map<string, Method>([
  ["auth.test", () => authTest()],
  ["chat.postMessage", (ctx, body) => postMessage(ctx.workspace, body)],
  ["chat.update", (ctx, body) => updateMessage(ctx.workspace, ctx.recording.updates, body)],
  ["users.lookupByEmail", (ctx, body) => lookupByEmail(ctx.workspace, body)],
  ["conversations.open", (ctx, body) => openConversation(ctx.workspace, body)],
  ["views.open", (ctx, body) => openView(ctx.workspace, ctx.triggers, ctx.recording.views, body)],
  ["files.getUploadURLExternal", (ctx, body) => getUploadURL(ctx.workspace, ctx.recording.uploads, ctx.base, body)],
  ["files.completeUploadExternal", (ctx, body) => completeUpload(ctx.workspace, ctx.recording.uploads, body)],
]);

export function callMethod(ctx: SlackApiContext, method: string, body: Record<string, unknown>): Reply {
  const answer = METHODS.get(method);
  return answer === undefined ? slackError("unknown_method") : answer(ctx, body);
}
