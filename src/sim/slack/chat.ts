/**
 * chat.postMessage (`channel` may be a user id: the answer names the user's D…
 * channel; a D… id must have been opened) and chat.update (the channel id
 * chat.postMessage returned, never a user id, and the ts of a posted message).
 */
import type { Reply } from "../http.js";
import { blockProblems } from "./block-kit.js";
import { ok, slackError } from "./reply.js";
import type { FakeMessage, FakeMessageUpdate } from "./types.js";
import { BOT_USER_ID, type FakeWorkspace } from "./workspace.js";

const MAX_MESSAGE_TEXT = 40_000;

export function postMessage(workspace: FakeWorkspace, body: Record<string, unknown>): Reply {
  const channel = typeof body["channel"] === "string" ? body["channel"] : "";
  if (!channel) return slackError("channel_not_found");
  const text = typeof body["text"] === "string" ? body["text"] : "";
  const blocks = body["blocks"];
  const refused = messageContentProblem(text, blocks);
  if (refused) return refused;
  const target = workspace.postTarget(channel);
  if (!target) return slackError("channel_not_found");
  const ts = workspace.nextTs();
  const threadTs = typeof body["thread_ts"] === "string" ? body["thread_ts"] : undefined;
  const message: FakeMessage = { channel: target, ts, thread_ts: threadTs ?? null, text, blocks: Array.isArray(blocks) ? blocks : null, edits: 0 };
  workspace.addMessage(message);
  return ok({ channel: target, ts, message: { type: "message", text, ts, ...(threadTs ? { thread_ts: threadTs } : {}), ...(blocks ? { blocks } : {}) } });
}

export function updateMessage(workspace: FakeWorkspace, updates: FakeMessageUpdate[], body: Record<string, unknown>): Reply {
  const channel = typeof body["channel"] === "string" ? body["channel"] : "";
  const ts = typeof body["ts"] === "string" ? body["ts"] : "";
  // "For direct messages, ensure that this value is a DM ID (starts with D) instead of a User ID."
  if (!/^[CGD][A-Z0-9]+$/.test(channel)) return slackError("channel_not_found");
  const message = workspace.findMessage(channel, ts);
  if (!message) return slackError("message_not_found");
  const text = typeof body["text"] === "string" ? body["text"] : "";
  const blocks = body["blocks"];
  const refused = messageContentProblem(text, blocks);
  if (refused) return refused;
  message.text = text;
  // Without `blocks` the message keeps its blocks (Slack: "include an empty array" to remove them).
  if (Array.isArray(blocks)) message.blocks = blocks;
  message.edits++;
  updates.push({ channel, ts, text, blocks: Array.isArray(blocks) ? blocks : null, at: Date.now() });
  return ok({ channel, ts, text, message: { type: "message", text, ...(message.blocks ? { blocks: message.blocks } : {}), edited: { user: BOT_USER_ID, ts: workspace.nextTs() } } });
}

/** What chat.postMessage and chat.update refuse in a message's text and blocks, or null. */
function messageContentProblem(text: string, blocks: unknown): Reply | null {
  if (blocks !== undefined && !Array.isArray(blocks)) return slackError("invalid_blocks_format");
  if (!text && (!Array.isArray(blocks) || blocks.length === 0)) return slackError("no_text");
  if (text.length > MAX_MESSAGE_TEXT) return slackError("msg_too_long");
  const problems = Array.isArray(blocks) ? blockProblems(blocks, { surface: "message", pointer: "/blocks" }) : [];
  return problems.length > 0 ? slackError("invalid_blocks", { errors: problems }) : null;
}
