/**
 * A fake Slack Web API (node:http only) for tests, the demo and benchmarks.
 * It records every call (recording.ts) and refuses what real Slack refuses for
 * the methods Keywarden uses (api.ts lists them and the module of each).
 *
 * Routes (POST; form-urlencoded, JSON or multipart; Bearer token or `token` field):
 *   /api/<method>       a Web API method (api.ts)
 *   /upload/<file_id>   the file bytes (raw or multipart); no auth, like Slack's (files.ts)
 *   /response/<id>      a slash command's response_url (JSON)
 *   /__slack/…          control routes, not recorded (control.ts)
 *
 * Faults are matched (and consumed) before authentication, like an edge rate limiter.
 */
import http from "node:http";
import type { IncomingMessage } from "node:http";
import { closer, flatHeaders, listen, type Reply, readBody } from "../http.js";
import { callMethod, type SlackApiContext } from "./api.js";
import { authorized, FAKE_SLACK_TOKEN } from "./auth.js";
import { parseBody } from "./body.js";
import { control } from "./control.js";
import { faultReply, SlackFaults } from "./faults.js";
import { receiveUpload } from "./files.js";
import { SlackRecording } from "./recording.js";
import { sendReply } from "./reply.js";
import type { FakeSlack, FakeSlackUser } from "./types.js";
import { Triggers } from "./views.js";
import { FakeWorkspace } from "./workspace.js";

export { FAKE_SLACK_TOKEN } from "./auth.js";

interface Call {
  method: string;
  body: Record<string, unknown>;
  reply: Reply;
}

/** `users`: the workspace's directory at start (default none; see setUsers and /__slack/users). */
export async function startFakeSlack(opts: { token?: string; port?: number; host?: string; users?: readonly FakeSlackUser[] } = {}): Promise<FakeSlack> {
  const token = opts.token ?? FAKE_SLACK_TOKEN;
  const host = opts.host ?? "127.0.0.1";
  const workspace = new FakeWorkspace();
  const recording = new SlackRecording();
  const faults = new SlackFaults();
  const ctx: SlackApiContext = { workspace, recording, triggers: new Triggers(workspace), base: "" };
  workspace.setUsers(opts.users ?? []);

  /** A call to a response_url: recorded as JSON, or as text when it does not parse. */
  const responseUrl = (id: string, rawBuffer: Buffer): Call => {
    const text = rawBuffer.toString("utf8");
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // recorded as text
    }
    const body = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : { text: parsed };
    const effect = faults.take("response_url");
    if (!effect) recording.responseUrlPosts.push({ id, body: parsed, raw: text, at: Date.now() });
    return { method: "response_url", body, reply: effect ? faultReply(effect) : { status: 200, json: "ok" } };
  };

  const upload = (fileId: string, headers: Record<string, string>, rawBuffer: Buffer): Call => {
    const parsed = parseBody(headers["content-type"] ?? "", rawBuffer);
    const effect = faults.take("upload");
    const reply = effect ? faultReply(effect) : receiveUpload(recording.uploads, fileId, parsed.file ?? rawBuffer);
    return { method: "upload", body: parsed.fields, reply };
  };

  const api = (method: string, headers: Record<string, string>, rawBuffer: Buffer): Call => {
    const body = parseBody(headers["content-type"] ?? "", rawBuffer).fields;
    const effect = faults.take(method, body);
    const reply = effect ? faultReply(effect) : (authorized(headers, body, token) ?? callMethod(ctx, method, body));
    return { method, body, reply };
  };

  const handle = async (req: IncomingMessage): Promise<Reply> => {
    const url = new URL(req.url ?? "/", "http://fake-slack.invalid");
    const method = (req.method ?? "GET").toUpperCase();
    const rawBuffer = await readBody(req);
    const headers = flatHeaders(req);
    const path = url.pathname;

    if (path.startsWith("/__slack/")) return control(ctx, faults, method, path, rawBuffer);
    if (method !== "POST") return { status: 405, json: { ok: false, error: "method_not_allowed" } };

    let call: Call;
    if (path.startsWith("/response/")) call = responseUrl(path.slice("/response/".length), rawBuffer);
    else if (path.startsWith("/upload/")) call = upload(path.slice("/upload/".length), headers, rawBuffer);
    else if (path.startsWith("/api/")) call = api(path.slice("/api/".length), headers, rawBuffer);
    else call = { method: "unknown", body: {}, reply: { status: 404, json: { ok: false, error: "not_found" } } };
    const { reply } = call;
    recording.record({ method: call.method, path, headers, body: call.body, raw: rawBuffer.toString("latin1"), status: reply.status, response: reply.json });
    return reply;
  };

  const server = http.createServer((req, res) => {
    handle(req)
      .then((reply) => sendReply(res, reply))
      .catch((err: unknown) => sendReply(res, { status: 500, json: { ok: false, error: "fake_slack_crashed", detail: String(err) } }));
  });

  ctx.base = await listen(server, host, opts.port);
  return {
    url: `${ctx.base}/api/`,
    base: ctx.base,
    token,
    calls: recording.calls,
    uploads: recording.uploads,
    responseUrlPosts: recording.responseUrlPosts,
    views: recording.views,
    updates: recording.updates,
    messages: workspace.messages,
    addFault: (fault) => faults.add(fault),
    clearFaults: () => faults.clear(),
    setUsers: (users) => workspace.setUsers(users),
    addUsers: (users) => workspace.addUsers(users),
    issueTrigger: (o) => ctx.triggers.issue(o),
    clear: () => recording.clear(),
    close: closer(server),
  };
}
