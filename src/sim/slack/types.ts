/** What the fake Slack records and holds, and the handle a test or script gets from startFakeSlack. */

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
