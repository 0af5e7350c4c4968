/**
 * A fake Slack Web API (node:http only) for tests, the demo and benchmarks.
 * It records every call and refuses what real Slack refuses for the methods
 * Keywarden uses.
 *
 * API routes (POST, form-urlencoded, JSON or multipart; Bearer token or `token` field):
 *   /api/auth.test
 *   /api/chat.postMessage              invalid_auth, channel_not_found, no_text, msg_too_long,
 *                                      invalid_blocks (> 50 blocks, section text > 3000, header > 150,
 *                                      a button beyond its limits, …). `channel` may be a user id (the
 *                                      answer names the user's D… channel); a D… id must have been opened.
 *   /api/chat.update                   channel (the id chat.postMessage returned, never a user id) + ts of a
 *                                      posted message: channel_not_found, message_not_found, no_text, …
 *   /api/users.lookupByEmail           email, case-insensitive, in the user directory; users_not_found
 *                                      (also for a deactivated user, as Slack documents)
 *   /api/conversations.open            users=<one id> → the user's D… channel (stable), user_not_found,
 *                                      user_disabled, users_list_not_supplied; 2–8 ids → a G… channel
 *   /api/views.open                    trigger_id + modal view: invalid_trigger_id (unknown),
 *                                      expired_trigger_id (issued > 3 s ago), exchanged_trigger_id (used);
 *                                      invalid_arguments (title > 24, > 100 blocks, private_metadata > 3000, …)
 *   /api/files.getUploadURLExternal    → upload_url pointing at this server + file_id
 *   /upload/<file_id>                  the file bytes (raw or multipart); no auth, like Slack's
 *   /api/files.completeUploadExternal  files=[{id,title}], channel_id, thread_ts
 *   /response/<id>                     a slash command's response_url (JSON)
 *
 * Control routes (not recorded):
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

/** A member of the fake workspace. */
export interface FakeSlackUser {
  /** U… or W… */
  id: string;
  email: string;
  /** The display name (the user object's real_name). */
  name: string;
  /** Deactivated: users.lookupByEmail no longer finds them, conversations.open says user_disabled. */
  deleted?: boolean;
}

/** A message as the workspace holds it now (chat.update changes it). */
export interface FakeMessage {
  channel: string;
  ts: string;
  thread_ts: string | null;
  text: string;
  blocks: unknown[] | null;
  /** How many times chat.update changed it. */
  edits: number;
}

export interface FakeMessageUpdate {
  channel: string;
  ts: string;
  text: string;
  blocks: unknown[] | null;
  at: number;
}

export interface FakeView {
  id: string;
  trigger_id: string;
  view: Record<string, unknown>;
  at: number;
}

export interface FakeIm {
  user: string;
  channel: string;
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
  /** Only users.lookupByEmail calls for this email (case-insensitive). */
  email?: string;
  /** Only conversations.open calls whose `users` is exactly this. */
  user?: string;
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
  /** views.open calls that opened a modal. */
  readonly views: FakeView[];
  /** chat.update calls that changed a message. */
  readonly updates: FakeMessageUpdate[];
  /** Every posted message, as it is now. */
  readonly messages: FakeMessage[];
  addFault(fault: SlackFault): void;
  clearFaults(): void;
  /** Replaces the user directory (throws on a malformed user). */
  setUsers(users: readonly FakeSlackUser[]): void;
  /** Adds users; a user with the same id is replaced. */
  addUsers(users: readonly FakeSlackUser[]): void;
  /** A trigger id views.open accepts once, until it is 3 s old; `ageMs` backdates it. */
  issueTrigger(opts?: { ageMs?: number }): string;
  /** Empties the records: calls, uploads, responseUrlPosts, views, updates (not users, conversations or messages). */
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
const MAX_MODAL_BLOCKS = 100;
const MAX_VIEW_TITLE = 24;
const MAX_PRIVATE_METADATA = 3000;
const MAX_CALLBACK_ID = 255;
const MAX_BUTTON_TEXT = 75;
const MAX_ACTION_ID = 255;
const MAX_BUTTON_VALUE = 2000;
const MAX_BUTTON_URL = 3000;
const MAX_PLACEHOLDER = 150;
const MAX_INPUT_LABEL = 2000;
const MAX_OPTIONS = 100;
const MAX_OPTION_VALUE = 150;
const MAX_ACTIONS_ELEMENTS = 25;
const MAX_TEXT_INPUT_LENGTH = 3000;
/** A trigger_id "expires after 3 seconds" and can be exchanged once. */
const TRIGGER_TTL_MS = 3000;
const TEAM_ID = "T00000001";
const BOT_USER_ID = "U00000001";

interface Reply {
  status: number;
  json: unknown;
  headers?: Record<string, string>;
}

const ok = (json: Record<string, unknown> = {}): Reply => ({ status: 200, json: { ok: true, ...json } });
const slackError = (error: string, extra: Record<string, unknown> = {}): Reply => ({ status: 200, json: { ok: false, error, ...extra } });

/** `users`: the workspace's directory at start (default none; see setUsers and /__slack/users). */
export async function startFakeSlack(opts: { token?: string; port?: number; host?: string; users?: readonly FakeSlackUser[] } = {}): Promise<FakeSlack> {
  const token = opts.token ?? FAKE_SLACK_TOKEN;
  const host = opts.host ?? "127.0.0.1";
  const calls: RecordedCall[] = [];
  const uploads: FakeUpload[] = [];
  const responseUrlPosts: ResponseUrlPost[] = [];
  const views: FakeView[] = [];
  const updates: FakeMessageUpdate[] = [];
  const messages: FakeMessage[] = [];
  const messageIndex = new Map<string, FakeMessage>();
  const faults: { fault: SlackFault; remaining: number }[] = [];
  const channelIds = new Map<string, string>();
  const users: FakeSlackUser[] = [];
  /** Conversation key (sorted user ids) → D… or G… id. */
  const conversations = new Map<string, string>();
  const triggers = new Map<string, { issuedAt: number; used: boolean }>();
  let counter = 0;
  let base = "";

  const setUsers = (next: readonly FakeSlackUser[]): void => {
    const checked = next.map(checkedUser);
    users.length = 0;
    users.push(...checked);
  };
  const addUsers = (more: readonly FakeSlackUser[]): void => {
    for (const user of more.map(checkedUser)) {
      const at = users.findIndex((u) => u.id === user.id);
      if (at === -1) users.push(user);
      else users[at] = user;
    }
  };
  setUsers(opts.users ?? []);

  const issueTrigger = (o: { ageMs?: number } = {}): string => {
    const id = `${Date.now()}${String(++counter).padStart(4, "0")}.${1000000 + counter}.${randomHex(16)}`;
    triggers.set(id, { issuedAt: Date.now() - (o.ageMs ?? 0), used: false });
    return id;
  };

  const takeFault = (method: string, body: Record<string, unknown> = {}): SlackFaultEffect | null => {
    const channel = body["channel"] ?? body["channel_id"];
    const threaded = typeof body["thread_ts"] === "string";
    const email = typeof body["email"] === "string" ? body["email"].toLowerCase() : undefined;
    for (const active of faults) {
      const { fault } = active;
      if (active.remaining <= 0 || fault.method !== method) continue;
      if (fault.channel !== undefined && fault.channel !== channel) continue;
      if (fault.threaded !== undefined && fault.threaded !== threaded) continue;
      if (fault.email !== undefined && fault.email.toLowerCase() !== email) continue;
      if (fault.user !== undefined && fault.user !== body["users"]) continue;
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

  const findUser = (id: string): FakeSlackUser | undefined => users.find((u) => u.id === id);

  /** The D… (one user) or G… (several) conversation of these users; opened on first use, then the same id. */
  const conversationOf = (ids: readonly string[]): { id: string; alreadyOpen: boolean } => {
    const key = [...new Set(ids)].sort().join(",");
    const known = conversations.get(key);
    if (known) return { id: known, alreadyOpen: true };
    const id = `${ids.length === 1 ? "D" : "G"}${String(conversations.size + 1).padStart(8, "0")}${randomHex(2).toUpperCase()}`;
    conversations.set(key, id);
    return { id, alreadyOpen: false };
  };
  const isOpenedConversation = (id: string): boolean => [...conversations.values()].includes(id);

  /** Where chat.postMessage posts: a channel id or name, a user id (their DM), or an opened D…/G… conversation. */
  const postTarget = (channel: string): string | null => {
    if (/^[UW][A-Z0-9]+$/.test(channel)) {
      const user = findUser(channel);
      return user && !user.deleted ? conversationOf([user.id]).id : null;
    }
    if (/^D[A-Z0-9]+$/.test(channel)) return isOpenedConversation(channel) ? channel : null;
    return channelId(channel);
  };

  const ims = (): FakeIm[] =>
    [...conversations.entries()].filter(([key]) => !key.includes(",")).map(([user, channel]) => ({ user, channel }));

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
      case "chat.update":
        return updateMessage(body);
      case "users.lookupByEmail":
        return lookupByEmail(body);
      case "conversations.open":
        return openConversation(body);
      case "views.open":
        return openView(body);
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
    const refused = messageContentProblem(text, blocks);
    if (refused) return refused;
    const target = postTarget(channel);
    if (!target) return slackError("channel_not_found");
    const ts = nextTs();
    const threadTs = typeof body["thread_ts"] === "string" ? body["thread_ts"] : undefined;
    const message: FakeMessage = { channel: target, ts, thread_ts: threadTs ?? null, text, blocks: Array.isArray(blocks) ? blocks : null, edits: 0 };
    messages.push(message);
    messageIndex.set(`${target}/${ts}`, message);
    return ok({ channel: target, ts, message: { type: "message", text, ts, ...(threadTs ? { thread_ts: threadTs } : {}), ...(blocks ? { blocks } : {}) } });
  };

  const updateMessage = (body: Record<string, unknown>): Reply => {
    const channel = typeof body["channel"] === "string" ? body["channel"] : "";
    const ts = typeof body["ts"] === "string" ? body["ts"] : "";
    // "For direct messages, ensure that this value is a DM ID (starts with D) instead of a User ID."
    if (!/^[CGD][A-Z0-9]+$/.test(channel)) return slackError("channel_not_found");
    const message = messageIndex.get(`${channel}/${ts}`);
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
    return ok({ channel, ts, text, message: { type: "message", text, ...(message.blocks ? { blocks: message.blocks } : {}), edited: { user: BOT_USER_ID, ts: nextTs() } } });
  };

  const lookupByEmail = (body: Record<string, unknown>): Reply => {
    const email = typeof body["email"] === "string" ? body["email"].trim().toLowerCase() : "";
    if (!email) return slackError("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: email"] } });
    // "If the user has been deactivated, users_not_found will be returned instead of a user object."
    const user = users.find((u) => u.email.toLowerCase() === email && !u.deleted);
    if (!user) return slackError("users_not_found");
    return ok({ user: userObject(user) });
  };

  const openConversation = (body: Record<string, unknown>): Reply => {
    const given = body["channel"];
    if (typeof given === "string" && given) return isOpenedConversation(given) ? ok({ no_op: true, already_open: true, channel: { id: given } }) : slackError("channel_not_found");
    const raw = body["users"];
    const ids = (Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(",") : []).map((id) => id.trim()).filter(Boolean);
    if (ids.length === 0) return slackError("users_list_not_supplied");
    if (ids.length > 8) return slackError("too_many_users");
    for (const id of ids) {
      const user = findUser(id);
      if (!user) return slackError("user_not_found");
      if (user.deleted) return slackError("user_disabled");
    }
    const conversation = conversationOf(ids);
    return ok({ ...(conversation.alreadyOpen ? { no_op: true, already_open: true } : {}), channel: { id: conversation.id } });
  };

  const openView = (body: Record<string, unknown>): Reply => {
    const view = body["view"];
    if (typeof view !== "object" || view === null || Array.isArray(view)) {
      return slackError("invalid_arguments", { response_metadata: { messages: ["[ERROR] missing required field: view [json-pointer:/view]"] } });
    }
    const problems = viewProblems(view as Record<string, unknown>);
    if (problems.length > 0) return slackError("invalid_arguments", { response_metadata: { messages: problems.map((p) => `[ERROR] ${p}`) } });
    const triggerId = typeof body["trigger_id"] === "string" ? body["trigger_id"] : "";
    const trigger = triggers.get(triggerId);
    if (!trigger) return slackError("invalid_trigger_id");
    if (trigger.used) return slackError("exchanged_trigger_id");
    if (Date.now() - trigger.issuedAt > TRIGGER_TTL_MS) return slackError("expired_trigger_id");
    trigger.used = true;
    const id = `V${String(++counter).padStart(10, "0")}`;
    views.push({ id, trigger_id: triggerId, view: view as Record<string, unknown>, at: Date.now() });
    return ok({
      view: { ...view, id, team_id: TEAM_ID, state: { values: {} }, hash: `${nextTs()}.${randomHex(8)}`, root_view_id: id, previous_view_id: null, app_id: "A00000001", bot_id: "B00000001" },
    });
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
          return send(res, ok({ calls, uploads, responseUrlPosts, views, updates, messages, ims: ims() }));
        case "DELETE /__slack/calls":
          clear();
          return send(res, ok());
        case "POST /__slack/faults":
          addFault(JSON.parse(raw.toString("utf8")) as SlackFault);
          return send(res, { status: 201, json: { ok: true, faults: faults.length } });
        case "DELETE /__slack/faults":
          faults.length = 0;
          return send(res, ok());
        case "GET /__slack/users":
          return send(res, ok({ users }));
        case "PUT /__slack/users":
          setUsers(usersIn(raw));
          return send(res, ok({ users: users.length }));
        case "POST /__slack/users":
          addUsers(usersIn(raw));
          return send(res, ok({ users: users.length }));
        case "DELETE /__slack/users":
          users.length = 0;
          return send(res, ok());
        case "POST /__slack/trigger": {
          const text = raw.toString("utf8").trim();
          const ageMs = text ? Number((JSON.parse(text) as { age_ms?: unknown }).age_ms ?? 0) : 0;
          if (!Number.isFinite(ageMs) || ageMs < 0) throw new Error("age_ms must be a number ≥ 0");
          return send(res, { status: 201, json: { ok: true, trigger_id: issueTrigger({ ageMs }) } });
        }
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
    views.length = 0;
    updates.length = 0;
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
    views,
    updates,
    messages,
    addFault,
    clearFaults: () => {
      faults.length = 0;
    },
    setUsers,
    addUsers,
    issueTrigger,
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

/** What chat.postMessage and chat.update refuse in a message's text and blocks, or null. */
function messageContentProblem(text: string, blocks: unknown): Reply | null {
  if (blocks !== undefined && !Array.isArray(blocks)) return slackError("invalid_blocks_format");
  if (!text && (!Array.isArray(blocks) || blocks.length === 0)) return slackError("no_text");
  if (text.length > MAX_MESSAGE_TEXT) return slackError("msg_too_long");
  const problems = Array.isArray(blocks) ? blockProblems(blocks, { surface: "message", pointer: "/blocks" }) : [];
  return problems.length > 0 ? slackError("invalid_blocks", { errors: problems }) : null;
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

function checkedUser(user: FakeSlackUser): FakeSlackUser {
  const u = user as Partial<FakeSlackUser> | null;
  if (!u || typeof u.id !== "string" || !/^[UW][A-Z0-9]+$/.test(u.id)) throw new Error(`user id must look like U… or W…: ${JSON.stringify(u?.id)}`);
  if (typeof u.email !== "string" || !/^[^@\s]+@[^@\s]+$/.test(u.email)) throw new Error(`user ${u.id}: email must be an address`);
  if (typeof u.name !== "string") throw new Error(`user ${u.id}: name must be a string`);
  return { id: u.id, email: u.email, name: u.name, ...(u.deleted === true ? { deleted: true } : {}) };
}

function usersIn(raw: Buffer): FakeSlackUser[] {
  const parsed = JSON.parse(raw.toString("utf8")) as { users?: unknown } | unknown[];
  const list = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown }).users;
  if (!Array.isArray(list)) throw new Error("body must be { users: [...] }");
  return list as FakeSlackUser[];
}

function randomHex(bytes: number): string {
  return Array.from({ length: bytes }, () => Math.floor(Math.random() * 256).toString(16).padStart(2, "0")).join("");
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const textOf = (t: unknown): string | null => (isObject(t) && typeof t["text"] === "string" ? t["text"] : null);

/** A plain_text object of 1..max characters, or a problem. */
function plainTextProblem(t: unknown, max: number, at: string): string | null {
  const text = textOf(t);
  if (!isObject(t) || t["type"] !== "plain_text" || text === null || text.length === 0 || text.length > max) return `must be plain_text of 1..${max} characters [json-pointer:${at}]`;
  return null;
}

/** What views.open refuses in a modal view (Keywarden opens modals only). */
function viewProblems(view: Json): string[] {
  const problems: string[] = [];
  if (view["type"] !== "modal") problems.push("must be 'modal' [json-pointer:/view/type]");
  const title = plainTextProblem(view["title"], MAX_VIEW_TITLE, "/view/title/text");
  if (title) problems.push(title);
  for (const name of ["submit", "close"]) {
    if (view[name] === undefined) continue;
    const problem = plainTextProblem(view[name], MAX_VIEW_TITLE, `/view/${name}/text`);
    if (problem) problems.push(problem);
  }
  const blocks = view["blocks"];
  if (!Array.isArray(blocks)) problems.push("missing required field: blocks [json-pointer:/view/blocks]");
  else {
    problems.push(...blockProblems(blocks, { surface: "modal", pointer: "/view/blocks" }));
    if (view["submit"] === undefined && blocks.some((b) => isObject(b) && b["type"] === "input")) problems.push("submit is required when an input block is present [json-pointer:/view/submit]");
  }
  const metadata = view["private_metadata"];
  if (metadata !== undefined && (typeof metadata !== "string" || metadata.length > MAX_PRIVATE_METADATA)) problems.push(`must be at most ${MAX_PRIVATE_METADATA} characters [json-pointer:/view/private_metadata]`);
  for (const name of ["callback_id", "external_id"]) {
    const value = view[name];
    if (value !== undefined && (typeof value !== "string" || value.length > MAX_CALLBACK_ID)) problems.push(`must be at most ${MAX_CALLBACK_ID} characters [json-pointer:/view/${name}]`);
  }
  return problems;
}

type ElementPlace = "accessory" | "input" | "actions";
const ELEMENTS_BY_PLACE: Record<ElementPlace, readonly string[]> = {
  accessory: ["button", "datepicker", "static_select", "overflow"],
  input: ["plain_text_input", "url_text_input", "datepicker", "static_select", "checkboxes"],
  actions: ["button", "datepicker", "static_select"],
};

/** What Slack refuses in an interactive element (button, text or URL input, date picker, static select). */
function elementProblems(element: unknown, place: ElementPlace, at: string): string[] {
  if (!isObject(element)) return [`invalid element [json-pointer:${at}]`];
  const type = element["type"];
  if (typeof type !== "string" || !ELEMENTS_BY_PLACE[place].includes(type)) return [`unsupported element type ${String(type)} [json-pointer:${at}]`];
  const problems: string[] = [];
  const push = (problem: string | null) => problem && problems.push(problem);
  const maxString = (name: string, max: number) => {
    const value = element[name];
    if (value !== undefined && (typeof value !== "string" || value.length > max)) problems.push(`${name} must be a string of at most ${max} characters [json-pointer:${at}/${name}]`);
  };
  maxString("action_id", MAX_ACTION_ID);
  if (element["placeholder"] !== undefined) push(plainTextProblem(element["placeholder"], MAX_PLACEHOLDER, `${at}/placeholder`));
  switch (type) {
    case "button": {
      push(plainTextProblem(element["text"], MAX_BUTTON_TEXT, `${at}/text`));
      maxString("value", MAX_BUTTON_VALUE);
      maxString("url", MAX_BUTTON_URL);
      const style = element["style"];
      if (style !== undefined && style !== "primary" && style !== "danger") problems.push(`style must be primary or danger [json-pointer:${at}/style]`);
      break;
    }
    case "plain_text_input": {
      for (const name of ["min_length", "max_length"]) {
        const n = element[name];
        if (n !== undefined && (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > MAX_TEXT_INPUT_LENGTH)) problems.push(`${name} must be 0..${MAX_TEXT_INPUT_LENGTH} [json-pointer:${at}/${name}]`);
      }
      break;
    }
    case "url_text_input": {
      const url = element["initial_value"];
      if (url !== undefined && (typeof url !== "string" || !/^https?:\/\//.test(url))) problems.push(`initial_value must be a URL [json-pointer:${at}/initial_value]`);
      break;
    }
    case "datepicker": {
      const date = element["initial_date"];
      if (date !== undefined && (typeof date !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(date))) problems.push(`initial_date must be YYYY-MM-DD [json-pointer:${at}/initial_date]`);
      break;
    }
    case "static_select":
    case "overflow":
    case "checkboxes": {
      const options = element["options"];
      // Overflow menus take 2..5 options, checkboxes 1..10, static selects up to 100.
      const [least, most] = type === "overflow" ? [2, 5] : type === "checkboxes" ? [1, 10] : [1, MAX_OPTIONS];
      if (!Array.isArray(options) || options.length < least || options.length > most) problems.push(`options must hold ${least}..${most} options [json-pointer:${at}/options]`);
      else
        options.forEach((option, i) => {
          const o = isObject(option) ? option : {};
          push(plainTextProblem(o["text"], MAX_BUTTON_TEXT, `${at}/options/${i}/text`));
          if (typeof o["value"] !== "string" || o["value"].length > MAX_OPTION_VALUE) problems.push(`option value must be at most ${MAX_OPTION_VALUE} characters [json-pointer:${at}/options/${i}/value]`);
        });
      break;
    }
  }
  return problems;
}

/**
 * What Slack refuses in `blocks` of a message (chat.postMessage, chat.update) or a modal
 * (views.open): the subset of Block Kit Keywarden uses, checked strictly.
 */
function blockProblems(blocks: unknown[], where: { surface: "message" | "modal"; pointer: string }): string[] {
  const problems: string[] = [];
  const maxBlocks = where.surface === "modal" ? MAX_MODAL_BLOCKS : MAX_BLOCKS;
  if (blocks.length > maxBlocks) problems.push(`no more than ${maxBlocks} items allowed [json-pointer:${where.pointer}]`);
  const ids = new Set<string>();
  blocks.forEach((raw, i) => {
    const path = `${where.pointer}/${i}`;
    const at = `[json-pointer:${path}]`;
    if (!isObject(raw)) return problems.push(`invalid block ${at}`);
    const block = raw;
    const id = block["block_id"];
    if (id !== undefined) {
      if (typeof id !== "string" || id.length > MAX_BLOCK_ID) problems.push(`invalid block_id ${at}`);
      else if (ids.has(id)) problems.push(`duplicate block_id ${at}`);
      else ids.add(id);
    }
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
        if (block["accessory"] !== undefined) problems.push(...elementProblems(block["accessory"], "accessory", `${path}/accessory`));
        return;
      }
      case "context": {
        const elements = block["elements"];
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > MAX_CONTEXT_ELEMENTS) problems.push(`context needs 1..${MAX_CONTEXT_ELEMENTS} elements ${at}`);
        else for (const e of elements) if ((textOf(e)?.length ?? 0) > MAX_SECTION_TEXT) problems.push(`context text over ${MAX_SECTION_TEXT} characters ${at}`);
        return;
      }
      case "actions": {
        const elements = block["elements"];
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > MAX_ACTIONS_ELEMENTS) problems.push(`actions needs 1..${MAX_ACTIONS_ELEMENTS} elements ${at}`);
        else elements.forEach((e, j) => problems.push(...elementProblems(e, "actions", `${path}/elements/${j}`)));
        return;
      }
      case "input": {
        if (where.surface !== "modal") return problems.push(`unsupported block type input ${at}`);
        const label = plainTextProblem(block["label"], MAX_INPUT_LABEL, `${path}/label`);
        if (label) problems.push(label);
        if (block["hint"] !== undefined) {
          const hint = plainTextProblem(block["hint"], MAX_INPUT_LABEL, `${path}/hint`);
          if (hint) problems.push(hint);
        }
        problems.push(...elementProblems(block["element"], "input", `${path}/element`));
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
  for (const name of ["blocks", "files", "attachments", "view"]) {
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
