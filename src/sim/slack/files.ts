/**
 * File uploads the way the SDK's uploadV2 makes them: files.getUploadURLExternal
 * (→ an upload_url on this server and a file_id), the bytes POSTed to
 * /upload/<file_id> (no auth, like Slack's), then files.completeUploadExternal
 * (files=[{id,title}], channel_id, thread_ts).
 */
import type { Reply } from "../http.js";
import { ok, slackError } from "./reply.js";
import type { FakeUpload } from "./types.js";
import type { FakeWorkspace } from "./workspace.js";

/** `base`: the server's origin, which the upload URL points at. */
export function getUploadURL(workspace: FakeWorkspace, uploads: FakeUpload[], base: string, body: Record<string, unknown>): Reply {
  const filename = typeof body["filename"] === "string" ? body["filename"] : "";
  const length = Number(body["length"]);
  if (!filename || !Number.isInteger(length) || length < 0) return slackError("invalid_arguments");
  const fileId = `F${String(workspace.next()).padStart(9, "0")}`;
  uploads.push({ file_id: fileId, filename, declared_length: length, content: "", length: 0, completed: false, channel_id: null, thread_ts: null, title: null });
  return ok({ upload_url: `${base}/upload/${fileId}`, file_id: fileId });
}

/** The bytes sent to an upload URL (the multipart file part, or the raw body). */
export function receiveUpload(uploads: FakeUpload[], fileId: string, bytes: Buffer): Reply {
  const upload = uploads.find((u) => u.file_id === fileId);
  if (!upload) return { status: 404, json: "unknown upload" };
  upload.content = bytes.toString("utf8");
  upload.length = bytes.length;
  return { status: 200, json: `OK - ${bytes.length}` };
}

export function completeUpload(workspace: FakeWorkspace, uploads: FakeUpload[], body: Record<string, unknown>): Reply {
  const files = body["files"];
  if (!Array.isArray(files) || files.length === 0) return slackError("invalid_arguments");
  const done: unknown[] = [];
  for (const f of files as { id?: string; title?: string }[]) {
    const upload = uploads.find((u) => u.file_id === f.id);
    if (!upload || upload.length === 0) return slackError("file_not_found");
    upload.completed = true;
    upload.title = f.title ?? upload.filename;
    upload.channel_id = typeof body["channel_id"] === "string" ? workspace.channelId(body["channel_id"]) : null;
    upload.thread_ts = typeof body["thread_ts"] === "string" ? body["thread_ts"] : null;
    done.push({ id: upload.file_id, name: upload.filename, title: upload.title, size: upload.length });
  }
  return ok({ files: done });
}
