/**
 * A fake Slack Web API (node:http only) for tests, the demo and benchmarks.
 * It records every call and refuses what real Slack refuses for the methods
 * Keywarden uses.
 *
 * API routes (POST, form-urlencoded, JSON or multipart; Bearer token or `token` field):
 *   /api/auth.test
 *   /api/chat.postMessage              invalid_auth, channel_not_found, no_text, msg_too_long,
 *                                      invalid_blocks (> 50 blocks, section text > 3000, header > 150, …)
 *   /api/files.getUploadURLExternal    → upload_url pointing at this server + file_id
 *   /upload/<file_id>                  the file bytes (raw or multipart); no auth, like Slack's
 *   /api/files.completeUploadExternal  files=[{id,title}], channel_id, thread_ts
 *   /response/<id>                     a slash command's response_url (JSON)
 *
 * Control routes (not recorded):
 *   GET    /__slack/calls   → { calls, uploads, responseUrlPosts }
 *   DELETE /__slack/calls
 *   POST   /__slack/faults  body: SlackFault
 *   DELETE /__slack/faults
 *
 * Faults are matched (and consumed) before authentication, like an edge rate limiter.
 */
import http from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const FAKE_SLACK_TOKEN = "xoxb-keywarden-fake-0000000000-secret";

export interface RecordedCall {
  /** The Slack method ("chat.postMessage"), "upload" for the upload URL, or "response_url". */
  method: string;
  path: string;
  /** Lower-case names; `authorization` included so tests can scan for the token. */
  headers: Record<string, string>;
  /** Parsed form, JSON or multipart text fields; `blocks`/`files` JSON strings are decoded. */
  body: Record<string, unknown>;
  /** The body as received (latin1 for binary). */
  raw: string;
  status: number;
  response: unknown;
  at: number;
}

export interface FakeUpload {
  file_id: string;
  /** Declared in files.getUploadURLExternal. */
  filename: string | null;
  declared_length: number | null;
  /** The file's bytes as UTF-8 text (the multipart file part, or the raw body). */
  content: string;
  length: number;
  completed: boolean;
  channel_id: string | null;
  thread_ts: string | null;
  title: string | null;
}

export interface ResponseUrlPost {
  id: string;
  body: unknown;
  raw: string;
  at: number;
}

export type SlackFaultEffect =
  | { kind: "ratelimit"; retryAfter: number }
  | { kind: "error"; error: string }
  | { kind: "http"; status: number; body?: string };

export interface SlackFault {
  /** Slack method name, "upload" or "response_url". */
  method: string;
  /** Only calls for this channel (`channel` or `channel_id`), so parallel test files do not collide. */
  channel?: string;
  /** true: only replies (calls with `thread_ts`); false: only calls without. */
  threaded?: boolean;
  /** How many matching calls it affects; default unlimited. */
  times?: number;
  effect: SlackFaultEffect;
}

export interface FakeSlack {
  /** Web API base URL, ending with `/api/` (SLACK_API_URL). */
  readonly url: string;
  /** `http://127.0.0.1:<port>`: use `${base}/response/<id>` as a response_url. */
  readonly base: string;
  readonly token: string;
  /** Live arrays, in arrival order. */
  readonly calls: RecordedCall[];
  readonly uploads: FakeUpload[];
  readonly responseUrlPosts: ResponseUrlPost[];
  addFault(fault: SlackFault): void;
  clearFaults(): void;
  /** Empties calls, uploads and responseUrlPosts. */
  clear(): void;
  close(): Promise<void>;
}

// Block Kit limits as Slack documents them (kept separate from src/ on purpose: a bug
// in the renderer's limits must not hide here too).
const MAX_BLOCKS = 50;
const MAX_SECTION_TEXT = 3000;
const MAX_HEADER_TEXT = 150;
const MAX_FIELDS = 10;
const MAX_FIELD_TEXT = 2000;
const MAX_CONTEXT_ELEMENTS = 10;
const MAX_BLOCK_ID = 255;
const MAX_MESSAGE_TEXT = 40_000;

interface Reply {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

const ok = (json: Record<string, unknown> = {}): Reply => ({ status: 200, json: { ok: true, ...json } });
const slackError = (error: string, extra: Record<string, unknown> = {}): Reply => ({ status: 200, json: { ok: false, error, ...extra } });

export async function startFakeSlack(opts: { token?: string; port?: number; host?: string } = {}): Promise<FakeSlack> {
  const token = opts.token ?? FAKE_SLACK_TOKEN;
  const host = opts.host ?? "127.0.0.1";
  const calls: RecordedCall[] = [];
  const uploads: FakeUpload[] = [];
  const responseUrlPosts: ResponseUrlPost[] = [];
  const faults: { fault: SlackFault; remaining: number }[] = [];
  const channelIds = new Map<string, string>();
  let counter = 0;
  let base = "";

  const takeFault = (method: string, body: Record<string, unknown> = {}): SlackFaultEffect | null => {
    const channel = body["channel"] ?? body["channel_id"];
    const threaded = typeof body["thread_ts"] === "string";
    for (const active of faults) {
      const { fault } = active;
      if (active.remaining <= 0 || fault.method !== method) continue;
      if (fault.channel !== undefined && fault.channel !== channel) continue;
      if (fault.threaded !== undefined && fault.threaded !== threaded) continue;
      active.remaining--;
      return fault.effect;
    }
    return null;
  };

  const faultReply = (effect: SlackFaultEffect): Reply => {
    switch (effect.kind) {
      case "ratelimit":
        return { status: 429, headers: { "retry-after": String(effect.retryAfter) }, json: { ok: false, error: "ratelimited" } };
      case "error":
        return slackError(effect.error);
      case "http":
        return { status: effect.status, json: effect.body ?? `fake slack: HTTP ${effect.status}` };
    }
  };

  const nextTs = (): string => `${Math.floor(Date.now() / 1000)}.${String(++counter).padStart(6, "0")}`;

  const channelId = (channel: string): string => {
    if (/^[CGD][A-Z0-9]+$/.test(channel)) return channel;
    const name = channel.replace(/^#/, "");
    let id = channelIds.get(name);
    if (!id) channelIds.set(name, (id = `C${String(channelIds.size + 1).padStart(8, "0")}`));
    return id;
  };

  const authorized = (headers: Record<string, string>, body: Record<string, unknown>): Reply | null => {
    const bearer = /^Bearer (.+)$/.exec(headers["authorization"] ?? "")?.[1];
    const given = bearer ?? (typeof body["token"] === "string" ? body["token"] : undefined);
    if (given === undefined) return slackError("not_authed");
    return given === token ? null : slackError("invalid_auth");
  };

  const api = (method: string, body: Record<string, unknown>): Reply => {
    switch (method) {
      case "auth.test":
        return ok({ url: "https://keywarden-fake.slack.com/", team: "Fake", user: "keywarden", team_id: "T00000001", user_id: "U00000001", bot_id: "B00000001" });
      case "chat.postMessage":
        return postMessage(body);
      case "files.getUploadURLExternal": {
        const filename = typeof body["filename"] === "string" ? body["filename"] : "";
        const length = Number(body["length"]);
        if (!filename || !Number.isInteger(length) || length < 0) return slackError("invalid_arguments");
        const fileId = `F${String(++counter).padStart(9, "0")}`;
        uploads.push({ file_id: fileId, filename, declared_length: length, content: "", length: 0, completed: false, channel_id: null, thread_ts: null, title: null });
        return ok({ upload_url: `${base}/upload/${fileId}`, file_id: fileId });
      }
      case "files.completeUploadExternal": {
        const files = body["files"];
        if (!Array.isArray(files) || files.length === 0) return slackError("invalid_arguments");
        const done: unknown[] = [];
        for (const f of files as { id?: string; title?: string }[]) {
          const upload = uploads.find((u) => u.file_id === f.id);
          if (!upload || upload.length === 0) return slackError("file_not_found");
          upload.completed = true;
          upload.title = f.title ?? upload.filename;
          upload.channel_id = typeof body["channel_id"] === "string" ? channelId(body["channel_id"]) : null;
          upload.thread_ts = typeof body["thread_ts"] === "string" ? body["thread_ts"] : null;
          done.push({ id: upload.file_id, name: upload.filename, title: upload.title, size: upload.length });
        }
        return ok({ files: done });
      }
      default:
        return slackError("unknown_method");
    }
  };

  const postMessage = (body: Record<string, unknown>): Reply => {
    const channel = typeof body["channel"] === "string" ? body["channel"] : "";
    if (!channel) return slackError("channel_not_found");
    const text = typeof body["text"] === "string" ? body["text"] : "";
    const blocks = body["blocks"];
    if (blocks !== undefined && !Array.isArray(blocks)) return slackError("invalid_blocks_format");
    if (!text && (!Array.isArray(blocks) || blocks.length === 0)) return slackError("no_text");
    if (text.length > MAX_MESSAGE_TEXT) return slackError("msg_too_long");
    const problems = Array.isArray(blocks) ? blockProblems(blocks) : [];
    if (problems.length > 0) return slackError("invalid_blocks", { errors: problems });
    const ts = nextTs();
    const threadTs = typeof body["thread_ts"] === "string" ? body["thread_ts"] : undefined;
    return ok({ channel: channelId(channel), ts, message: { type: "message", text, ts, ...(threadTs ? { thread_ts: threadTs } : {}), ...(blocks ? { blocks } : {}) } });
  };

  const record = (call: Omit<RecordedCall, "at">): void => {
    calls.push({ ...call, at: Date.now() });
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? "/", "http://fake-slack.invalid");
      const method = (req.method ?? "GET").toUpperCase();
      const rawBuffer = await readBody(req);
      const headers = flatHeaders(req);

      if (url.pathname.startsWith("/__slack/")) return control(method, url.pathname, rawBuffer, res);
      if (method !== "POST") return send(res, { status: 405, json: { ok: false, error: "method_not_allowed" } });

      const raw = rawBuffer.toString("latin1");
      let reply: Reply;
      let callMethod: string;
      let body: Record<string, unknown> = {};

      if (url.pathname.startsWith("/response/")) {
        callMethod = "response_url";
        const text = rawBuffer.toString("utf8");
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // recorded as text
        }
        body = typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : { text: parsed };
        const effect = takeFault(callMethod);
        reply = effect ? faultReply(effect) : { status: 200, json: "ok" };
        if (!effect) responseUrlPosts.push({ id: url.pathname.slice("/response/".length), body: parsed, raw: text, at: Date.now() });
      } else if (url.pathname.startsWith("/upload/")) {
        callMethod = "upload";
        const fileId = url.pathname.slice("/upload/".length);
        const parsed = parseBody(headers["content-type"] ?? "", rawBuffer);
        body = parsed.fields;
        const effect = takeFault(callMethod);
        const upload = uploads.find((u) => u.file_id === fileId);
        if (effect) reply = faultReply(effect);
        else if (!upload) reply = { status: 404, json: "unknown upload" };
        else {
          const bytes = parsed.file ?? rawBuffer;
          upload.content = bytes.toString("utf8");
          upload.length = bytes.length;
          reply = { status: 200, json: `OK - ${bytes.length}` };
        }
      } else if (url.pathname.startsWith("/api/")) {
        callMethod = url.pathname.slice("/api/".length);
        body = parseBody(headers["content-type"] ?? "", rawBuffer).fields;
        const effect = takeFault(callMethod, body);
        reply = effect ? faultReply(effect) : (authorized(headers, body) ?? api(callMethod, body));
      } else {
        callMethod = "unknown";
        reply = { status: 404, json: { ok: false, error: "not_found" } };
      }
      record({ method: callMethod, path: url.pathname, headers, body, raw, status: reply.status, response: reply.json });
      send(res, reply);
    })().catch((err: unknown) => {
      send(res, { status: 500, json: { ok: false, error: "fake_slack_crashed", detail: String(err) } });
    });
  });

  const control = (method: string, path: string, raw: Buffer, res: ServerResponse): void => {
    try {
      switch (`${method} ${path}`) {
        case "GET /__slack/calls":
          return send(res, ok({ calls, uploads, responseUrlPosts }));
        case "DELETE /__slack/calls":
          clear();
          return send(res, ok());
        case "POST /__slack/faults":
          addFault(JSON.parse(raw.toString("utf8")) as SlackFault);
          return send(res, { status: 201, json: { ok: true, faults: faults.length } });
        case "DELETE /__slack/faults":
          faults.length = 0;
          return send(res, ok());
        default:
          return send(res, { status: 404, json: { ok: false, error: "not_found" } });
      }
    } catch (err) {
      return send(res, { status: 400, json: { ok: false, error: err instanceof Error ? err.message : String(err) } });
    }
  };

  const addFault = (fault: SlackFault): void => {
    if (!fault || typeof fault.method !== "string" || !fault.effect) throw new Error("fault needs method and effect");
    faults.push({ fault, remaining: fault.times ?? Number.POSITIVE_INFINITY });
  };
  const clear = (): void => {
    calls.length = 0;
    uploads.length = 0;
    responseUrlPosts.length = 0;
  };

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  base = `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;

  let closed: Promise<void> | null = null;
  return {
    url: `${base}/api/`,
    base,
    token,
    calls,
    uploads,
    responseUrlPosts,
    addFault,
    clearFaults: () => {
      faults.length = 0;
    },
    clear,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** What chat.postMessage would refuse in `blocks` (the subset of Block Kit Keywarden uses, checked strictly). */
function blockProblems(blocks: unknown[]): string[] {
  const problems: string[] = [];
  if (blocks.length > MAX_BLOCKS) problems.push(`no more than ${MAX_BLOCKS} items allowed [json-pointer:/blocks]`);
  const ids = new Set<string>();
  blocks.forEach((raw, i) => {
    const at = `[json-pointer:/blocks/${i}]`;
    if (typeof raw !== "object" || raw === null) return problems.push(`invalid block ${at}`);
    const block = raw as Record<string, unknown>;
    const id = block["block_id"];
    if (id !== undefined) {
      if (typeof id !== "string" || id.length > MAX_BLOCK_ID) problems.push(`invalid block_id ${at}`);
      else if (ids.has(id)) problems.push(`duplicate block_id ${at}`);
      else ids.add(id);
    }
    const textOf = (t: unknown): string | null => (typeof t === "object" && t !== null && typeof (t as { text?: unknown }).text === "string" ? (t as { text: string }).text : null);
    switch (block["type"]) {
      case "header": {
        const t = block["text"] as { type?: string } | undefined;
        const text = textOf(t);
        if (t?.type !== "plain_text" || text === null || text.length === 0 || text.length > MAX_HEADER_TEXT) problems.push(`header text must be plain_text of 1..${MAX_HEADER_TEXT} characters ${at}`);
        return;
      }
      case "section": {
        const text = block["text"] === undefined ? null : textOf(block["text"]);
        const fields = block["fields"];
        if (block["text"] !== undefined && (text === null || text.length === 0 || text.length > MAX_SECTION_TEXT)) problems.push(`section text must be 1..${MAX_SECTION_TEXT} characters ${at}`);
        if (fields !== undefined) {
          if (!Array.isArray(fields) || fields.length > MAX_FIELDS) problems.push(`no more than ${MAX_FIELDS} fields ${at}`);
          else for (const f of fields) if ((textOf(f)?.length ?? MAX_FIELD_TEXT + 1) > MAX_FIELD_TEXT) problems.push(`field text over ${MAX_FIELD_TEXT} characters ${at}`);
        }
        if (block["text"] === undefined && fields === undefined) problems.push(`section needs text or fields ${at}`);
        return;
      }
      case "context": {
        const elements = block["elements"];
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > MAX_CONTEXT_ELEMENTS) problems.push(`context needs 1..${MAX_CONTEXT_ELEMENTS} elements ${at}`);
        else for (const e of elements) if ((textOf(e)?.length ?? 0) > MAX_SECTION_TEXT) problems.push(`context text over ${MAX_SECTION_TEXT} characters ${at}`);
        return;
      }
      case "divider":
        return;
      default:
        return problems.push(`unsupported block type ${String(block["type"])} ${at}`);
    }
  });
  return problems;
}

function parseBody(contentType: string, raw: Buffer): { fields: Record<string, unknown>; file?: Buffer } {
  const type = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "application/json") {
    try {
      const parsed = JSON.parse(raw.toString("utf8")) as unknown;
      return { fields: typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : { value: parsed } };
    } catch {
      return { fields: {} };
    }
  }
  if (type === "application/x-www-form-urlencoded") {
    return { fields: decodeJsonFields(Object.fromEntries(new URLSearchParams(raw.toString("utf8")))) };
  }
  if (type === "multipart/form-data") {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
    const parts = parseMultipart(raw, boundary?.[1] ?? boundary?.[2] ?? "");
    const fields: Record<string, string> = {};
    let file: Buffer | undefined;
    for (const part of parts) {
      if (part.filename !== null && file === undefined) file = part.content;
      else fields[part.name] = part.content.toString("utf8");
    }
    return file === undefined ? { fields: decodeJsonFields(fields) } : { fields: decodeJsonFields(fields), file };
  }
  return { fields: {} };
}

/** The SDK sends arrays and objects (blocks, files) as JSON strings inside the form. */
function decodeJsonFields(fields: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields };
  for (const name of ["blocks", "files", "attachments"]) {
    const value = fields[name];
    if (value === undefined) continue;
    try {
      out[name] = JSON.parse(value) as unknown;
    } catch {
      // left as the string: chat.postMessage will call it invalid_blocks_format
    }
  }
  return out;
}

interface MultipartPart {
  name: string;
  filename: string | null;
  content: Buffer;
}

function parseMultipart(raw: Buffer, boundary: string): MultipartPart[] {
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let pos = raw.indexOf(delimiter);
  while (pos !== -1) {
    let start = pos + delimiter.length;
    if (raw.subarray(start, start + 2).toString("latin1") === "--") break;
    start += 2; // CRLF after the delimiter
    const next = raw.indexOf(delimiter, start);
    if (next === -1) break;
    const part = raw.subarray(start, next - 2); // CRLF before the next delimiter
    const headerEnd = part.indexOf("\r\n\r\n");
    if (headerEnd !== -1) {
      const head = part.subarray(0, headerEnd).toString("utf8");
      const name = /name="([^"]*)"/i.exec(head)?.[1] ?? "";
      const filename = /filename="([^"]*)"/i.exec(head)?.[1] ?? null;
      parts.push({ name, filename, content: part.subarray(headerEnd + 4) });
    }
    pos = next;
  }
  return parts;
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.writableEnded) return;
  const body = typeof reply.json === "string" ? reply.json : JSON.stringify(reply.json);
  res.writeHead(reply.status, {
    "content-type": typeof reply.json === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    ...reply.headers,
  });
  res.end(body);
}
