/**
 * The HTTP edge's contract, for any request: an answer below 500 (GET /healthz's documented 503
 * aside) with a JSON body, or the documented binary/text of an evidence download, or Slack's empty
 * 200; never a 5xx, never an exception out of the handler. Requests are generated with fast-check:
 * methods, paths (known routes with random segments, unicode, `..`, `%00`, very long), query
 * strings, headers (bearer or not, content types), bodies (bytes, JSON, streams, up to and just
 * over the 8 KiB and 64 KiB limits), and Slack requests signed as Slack signs them.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { parseCommandText } from "../../src/http/slash-command-text.js";
import { EVIDENCE_FILE_NAMES } from "../../src/evidence/index.js";
import { ACCEPT_RISK_ACTION } from "../../src/slack/finding-actions.js";
import { ACCEPT_MODAL } from "../../src/slack/accept-modal.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { API_TOKEN, runCount, sim, slack, startRun, waitForRun, slackSignature as sign } from "./helpers.js";

const BASE = "http://keywarden.test";
/** Replaced, when a request is sent, by the id of a run that exists (with its evidence). */
const RUN = "{RUN}";
let runId = "";
let runsBefore = 0;
const logged: string[] = [];

beforeAll(async () => {
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
  }
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  runId = await startRun({ notify: false });
  await waitForRun(runId);
  runsBefore = await runCount();
});

afterAll(async () => {
  // Accept-risk clicks answer at once and refuse later (waitUntil, to the fake Slack's response_url):
  // let those land before the next file resets the fake Slack.
  let posts = -1;
  for (let polls = 0; polls < 50; polls++) {
    const now = (await slack.calls()).responseUrlPosts.length;
    if (now === posts) break;
    posts = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await slack.reset();
  // No generated request started a run, and nothing was left unhandled.
  expect(await runCount()).toBe(runsBefore);
  expect(logged.filter((line) => /unhandled/i.test(line))).toEqual([]);
  vi.restoreAllMocks();
});

// ── The oracle ──────────────────────────────────────────────────────────────────────────────

/** What may come back with a 2xx: JSON, an evidence file or ZIP, the PEM public key, or nothing. */
const DOWNLOAD_TYPES = /^(application\/zip|text\/csv|application\/json|application\/yaml|application\/x-pem-file|text\/plain|text\/html)\b/;

interface Sent {
  method: string;
  url: string;
  headers: [string, string][];
  body: string;
}

function describeRequest(sent: Sent): string {
  return JSON.stringify({ ...sent, url: sent.url.length > 300 ? `${sent.url.slice(0, 300)}…` : sent.url, body: sent.body.length > 300 ? `${sent.body.slice(0, 300)}…` : sent.body });
}

async function send(request: Request, sent: Sent): Promise<void> {
  let response: Response;
  try {
    response = await exports.default.fetch(request);
  } catch (error) {
    throw new Error(`the Worker threw ${String(error)} for ${describeRequest(sent)}`);
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  const shown = `${response.status} ${text.slice(0, 300)}\n  for ${describeRequest(sent)}`;
  const path = new URL(request.url).pathname;
  const health = path === "/healthz" && (request.method === "GET" || request.method === "HEAD");
  if (health && response.status === 503) expect(JSON.parse(text || "{}"), shown).not.toHaveProperty("ok", true);
  else expect(response.status >= 200 && response.status < 500, shown).toBe(true);
  if (request.method === "HEAD") return;
  const type = response.headers.get("content-type") ?? "";
  if (response.status >= 400) {
    expect(type, shown).toMatch(/^application\/json/);
    const json = JSON.parse(text) as { error?: { code?: unknown; message?: unknown }; ok?: unknown };
    if (!health) {
      expect(typeof json.error?.code, shown).toBe("string");
      expect(typeof json.error?.message, shown).toBe("string");
    }
    if (response.status === 405) expect(response.headers.get("allow"), shown).toBeTruthy();
    return;
  }
  if (bytes.length === 0) return;
  expect(type, shown).toMatch(DOWNLOAD_TYPES);
  if (type.startsWith("application/json")) JSON.parse(text);
}

// ── Generated requests ──────────────────────────────────────────────────────────────────────

const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 });
/** encodeURIComponent, which throws on a lone surrogate: those are sent raw (the URL parser replaces them). */
const encode = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return text;
  }
};

const segment = fc.oneof(
  fc.constantFrom(
    RUN, RUN, "run_20260101T000000Z_abcd", "run_", "run_%00", "..", ".", "%2e%2e", "%00", "%2F", "%5C", "%ZZ", "%", "%E0%A4%A", "%ED%A0%80", "%FF%FE",
    "evidence", "public-key", "manifest.json", "manifest.sig", "index.json", "../../etc/passwd", "acc_0123456789abcdef", "runs", "", " ", "\u0000", "\u202e",
    "😀", "é", "x".repeat(5000), ...EVIDENCE_FILE_NAMES,
  ),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }).map(encode),
);
const path = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      "/", "/healthz", "/runs", "/runs/", `/runs/${RUN}`, `/runs/${RUN}/`, `/runs/${RUN}/evidence`, `/runs/${RUN}/evidence/findings.json`, `/runs/${RUN}/evidence/findings.csv`,
      `/runs/${RUN}/evidence/inventory.csv`, "/evidence", "/evidence/", "/evidence/public-key", "/slack/commands", "/slack/interactions", "/exemptions", "/remediations", "/evidence/report",
      "/exemptions/acc_0123456789abcdef", "/__scheduled", "//runs", "/RUNS", "/runs/../healthz", "/runs/%2e%2e/healthz", "/runs%2F", "/Runs/x/evidence",
    ),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.constantFrom("/runs", "/evidence", "/exemptions", "/slack", "/healthz", "", `/runs/${RUN}/evidence`), fc.array(segment, { minLength: 1, maxLength: 4 }))
      .map(([base, segments]) => `${base}/${segments.join("/")}`),
  },
  { weight: 1, arbitrary: fc.integer({ min: 1000, max: 16_000 }).map((length) => `/runs/${"a".repeat(length)}`) },
);

const b64url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const day = fc.date({ min: new Date("0001-01-01T00:00:00Z"), max: new Date("9999-12-31T00:00:00Z"), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10));
const queryKey = fc.oneof(fc.constantFrom("limit", "cursor", "from", "to", "notify", "policy", "format", "", "__proto__", "constructor", "limit[]", "from "), fc.string({ maxLength: 8 }));
const queryValue = fc.oneof(
  fc.constantFrom(
    "", "0", "1", "20", "100", "101", "-1", "1.5", "1e2", "0x10", "NaN", "Infinity", " 5", "9".repeat(400), "true", "false", "TRUE", "jwk", "pem", "default",
    "../default", "2026-01-01", "2026-02-30", "2026-13-01", "0000-01-01", "9999-12-31", "+002026-01-01", "2026-1-1", "2024-02-29", "2025-02-29",
    b64url(JSON.stringify(["2026-01-01T00:00:00.000Z", "run_x"])), b64url(JSON.stringify(["9999", "\u0000"])), b64url(JSON.stringify({ a: 1 })), b64url("[1,2]"), b64url("not json"),
    "eyJ", "====", "a+b/c", "%", "%00", "%ZZ", "\u00e9", "😀",
  ),
  day,
  fc.string({ maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
);
const anyQuery = fc.array(fc.tuple(queryKey, queryValue, fc.boolean()), { maxLength: 5 }).map((pairs) => pairs.map(([key, value, raw]) => (raw ? `${key}=${value}` : `${encode(key)}=${encode(value)}`)).join("&"));
/** GET /runs: a page size and a cursor, any of them. */
const listQuery = fc
  .tuple(
    fc.option(fc.oneof({ weight: 3, arbitrary: fc.integer({ min: -5, max: 120 }).map(String) }, { weight: 1, arbitrary: queryValue })),
    fc.option(fc.oneof(fc.tuple(fc.string({ maxLength: 30 }), fc.string({ maxLength: 30 })).map((pair) => b64url(encodeURIComponent(JSON.stringify(pair)))), fc.tuple(day, fc.string({ maxLength: 10 })).map(([at, id]) => b64url(JSON.stringify([`${at}T00:00:00.000Z`, `run_${id.replace(/[^\x20-\x7e]/g, "")}`]))), queryValue)),
  )
  .map(([limit, cursor]) => [limit === null ? "" : `limit=${encode(limit)}`, cursor === null ? "" : `cursor=${encode(cursor)}`].filter(Boolean).join("&"));
/** POST /runs: its options as a query. */
const startQuery = fc.tuple(fc.constantFrom("true", "false", "yes", ""), fc.constantFrom("default", "nope", "../x", "")).map(([notify, policy]) => `notify=${notify}&policy=${policy}`);
/** GET /evidence: periods valid (a ZIP, some with the run made in beforeAll) or reversed, too long, not dates. */
const periodQuery = fc.oneof(
  fc.tuple(fc.date({ min: new Date("2020-01-01T00:00:00Z"), max: new Date("2030-01-01T00:00:00Z"), noInvalidDate: true }), fc.integer({ min: -30, max: 400 })).map(([from, days]) => {
    const to = new Date(from.getTime() + days * 86_400_000);
    return `from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
  }),
  fc.tuple(fc.integer({ min: -400, max: 5 }), fc.integer({ min: -5, max: 400 })).map(([before, after]) => {
    const at = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    return `from=${at(before)}&to=${at(after)}`;
  }),
  fc.tuple(fc.integer({ min: -300, max: 0 }), fc.integer({ min: 0, max: 60 })).map(([before, after]) => {
    const at = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    return `from=${at(before)}&to=${at(after)}`;
  }),
  fc.tuple(queryValue, queryValue).map(([from, to]) => `from=${encode(from)}&to=${encode(to)}`),
  anyQuery,
);
const query = fc.oneof(fc.constant(""), anyQuery, listQuery, startQuery, periodQuery);

const method = fc.constantFrom("GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS");
/** Each route with the queries it reads, and paths next to it. */
const targeted = fc.oneof(
  fc.record({ method: fc.constantFrom("GET", "GET", "HEAD"), path: fc.constantFrom("/runs", "/runs/"), query: fc.oneof(listQuery, anyQuery) }),
  fc.record({ method: fc.constant("POST"), path: fc.constantFrom("/runs", "/runs/", "/run%73"), query: fc.oneof(fc.constant(""), startQuery, anyQuery) }),
  fc.record({ method: fc.constantFrom("GET", "HEAD", "DELETE"), path: fc.oneof(fc.constant(`/runs/${RUN}`), segment.map((id) => `/runs/${id}`)), query: anyQuery }),
  fc.record({
    method: fc.constantFrom("GET", "GET", "HEAD", "POST"),
    path: fc.oneof(
      fc.constantFrom(`/runs/${RUN}/evidence`, ...[...EVIDENCE_FILE_NAMES, "manifest.json", "manifest.sig", "nope.txt"].map((file) => `/runs/${RUN}/evidence/${file}`)),
      segment.map((file) => `/runs/${RUN}/evidence/${file}`),
      segment.map((id) => `/runs/${id}/evidence/findings.json`),
      segment.map((id) => `/runs/${id}/evidence`),
    ),
    query: anyQuery,
  }),
  fc.record({ method: fc.constantFrom("GET", "GET", "GET", "HEAD"), path: fc.constantFrom("/evidence", "/evidence/"), query: periodQuery }),
  fc.record({ method: fc.constantFrom("GET", "HEAD"), path: fc.constant("/evidence/public-key"), query: fc.oneof(fc.constantFrom("", "format=jwk", "format=pem", "format=", "format=jwk&format=pem"), anyQuery) }),
  fc.record({ method: fc.constantFrom("GET", "DELETE", "DELETE"), path: fc.oneof(fc.constantFrom("/exemptions", "/exemptions/acc_0123456789abcdef"), segment.map((id) => `/exemptions/${id}`)), query: anyQuery }),
  fc.record({ method: fc.constantFrom("GET", "HEAD"), path: fc.constant("/healthz"), query: anyQuery }),
  fc.record({ method: fc.constant("POST"), path: fc.constantFrom("/slack/commands", "/slack/interactions"), query: anyQuery }),
);
const target = fc.oneof({ weight: 3, arbitrary: targeted }, { weight: 2, arbitrary: fc.record({ method, path, query }) });

const authorization = fc.oneof(
  { weight: 9, arbitrary: fc.constant(`Bearer ${API_TOKEN}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      undefined, "", "Bearer", "Bearer ", `bearer ${API_TOKEN}`, `BEARER   ${API_TOKEN}  `, `Bearer ${API_TOKEN}x`, `Bearer ${API_TOKEN.slice(1)}`, `Bearer ${API_TOKEN} ${API_TOKEN}`,
      `Basic ${btoa(`user:${API_TOKEN}`)}`, `Bearer ${"x".repeat(8000)}`, `Token ${API_TOKEN}`,
    ),
  },
  { weight: 1, arbitrary: printable.map((token) => `Bearer ${token}`) },
  { weight: 1, arbitrary: printable },
);
const contentType = fc.oneof(
  fc.constantFrom(
    undefined, "application/json", "application/json; charset=utf-8", "application/x-www-form-urlencoded", "multipart/form-data; boundary=----x", "multipart/form-data", "text/plain",
    "application/octet-stream", "application/json; charset=utf-16", ";;;", "*/*",
  ),
  printable,
);
const otherHeaders = fc.array(
  fc.tuple(
    fc.constantFrom("accept", "x-slack-signature", "x-slack-request-timestamp", "content-encoding", "accept-encoding", "transfer-encoding", "x-forwarded-for", "cookie", "origin", "x-http-method-override", "range"),
    fc.oneof(printable, fc.constantFrom("chunked", "gzip", "v0=00", `v0=${"0".repeat(64)}`, String(Math.floor(Date.now() / 1000)), "-1", "1e400", "bytes=0-10", "PUT", "DELETE")),
  ),
  { maxLength: 3 },
);

const sizes = [8191, 8192, 8193, 65_535, 65_536, 65_537, 200_000];
const sized = fc.tuple(fc.constantFrom(...sizes), fc.constantFrom("x", "{", "a=b&", "é")).map(([size, filler]) => filler.repeat(size).slice(0, size));
const text = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  fc.constantFrom('{"notify":"yes"}', '{"policy":"../../etc"}', '{"policy":"nope"}', '{"x":1}', "null", "[]", "{", "\uFEFF{}", '{"__proto__":{"notify":true}}', "payload=%7B", "ssl_check=1"),
  sized,
);
type BodyKind = "none" | "text" | "bytes" | "stream";
const body = fc.oneof(
  fc.constant({ kind: "none" as BodyKind, text: "" }),
  text.map((value) => ({ kind: "text" as BodyKind, text: value })),
  fc.uint8Array({ maxLength: 2048 }).map((bytes) => ({ kind: "bytes" as BodyKind, text: String.fromCharCode(...bytes) })),
  // Streams stay small: one the Worker leaves unread (a 401, a 413) makes workerd print "read end of
  // pipe was aborted", noise for a right answer. The limits are crossed by text sent as
  // `transfer-encoding: chunked` (otherHeaders), which the body limits count as they read.
  text.filter((value) => value.length <= 4096).map((value) => ({ kind: "stream" as BodyKind, text: value })),
);

/**
 * POST /runs with the token and a valid body (or none) starts a run: such requests get a body that
 * is never a valid start request, so the fuzzing starts no run; every other path still sees it.
 */
const notAStartBody = fc.oneof(
  fc.string({ maxLength: 100 }).map((rest) => `x${rest}`),
  fc
    .jsonValue({ maxDepth: 3 })
    .filter((value) => value === null || typeof value !== "object" || Array.isArray(value) || Object.keys(value).some((key) => key !== "notify" && key !== "policy"))
    .map((value) => JSON.stringify(value)),
  fc.record({ notify: fc.jsonValue(), policy: fc.jsonValue() }, { requiredKeys: [] }).map((value) => JSON.stringify({ ...value, unknown: 1 })),
  sized.filter((value) => value.length > 8192),
);
function tryDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
const mayStartRun = (method: string, url: URL) => method === "POST" && /^\/+runs\/*$/i.test(tryDecode(url.pathname));

const httpRequest = fc.record({
  target,
  authorization,
  contentType,
  otherHeaders,
  body,
  notAStartBody,
});

function toRequest(generated: GeneratedRequest): [Request, Sent] {
  const { authorization, contentType, otherHeaders } = generated;
  const { method } = generated.target;
  const url = new URL(BASE);
  url.pathname = generated.target.path.replaceAll(RUN, runId);
  url.search = generated.target.query;
  const headers = new Headers();
  if (authorization !== undefined) headers.set("authorization", authorization);
  // POST /runs reads its body as text: workerd warns on the console when the type is not text-like.
  const textual = contentType === undefined || /^(application\/json|text\/)/i.test(contentType);
  if (contentType !== undefined && (textual || !mayStartRun(method, url))) headers.set("content-type", contentType);
  for (const [name, value] of otherHeaders) headers.set(name, value);
  let { kind, text } = generated.body;
  if (mayStartRun(method, url)) [kind, text] = [kind === "none" || (kind === "stream" && generated.notAStartBody.length > 4096) ? "text" : kind, generated.notAStartBody];
  if (method === "GET" || method === "HEAD") kind = "none";
  const init: RequestInit = { method, headers };
  if (kind === "text") init.body = text;
  else if (kind === "bytes") init.body = Uint8Array.from(text, (char) => char.charCodeAt(0));
  else if (kind === "stream") {
    // A stream, written in chunks: no Content-Length header, so the body limits count what they read.
    // (A FixedLengthStream: a plain ReadableStream the Worker leaves unread makes workerd print
    // "read end of pipe was aborted".)
    const bytes = new TextEncoder().encode(text);
    const { readable, writable } = new FixedLengthStream(bytes.length);
    const writer = writable.getWriter();
    const write = async () => {
      for (let at = 0; at < bytes.length; at += 4096) await writer.write(bytes.slice(at, at + 4096));
      await writer.close();
    };
    write().catch(() => {});
    init.body = readable;
  }
  return [new Request(url, init), { method, url: url.href, headers: [...headers], body: kind === "none" ? "" : `${kind}: ${text}` }];
}
type GeneratedRequest = {
  target: { method: string; path: string; query: string };
  authorization: string | undefined;
  contentType: string | undefined;
  otherHeaders: [string, string][];
  body: { kind: BodyKind; text: string };
  notAStartBody: string;
};

// ── Signed Slack requests ───────────────────────────────────────────────────────────────────


async function sendSigned(route: "/slack/commands" | "/slack/interactions", bytes: Uint8Array, { skew = 0, contentType = "application/x-www-form-urlencoded" } = {}): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000) + skew;
  const headers: [string, string][] = [
    ["content-type", contentType],
    ["x-slack-request-timestamp", String(timestamp)],
    ["x-slack-signature", await sign(bytes, timestamp)],
  ];
  const request = new Request(`${BASE}${route}`, { method: "POST", headers, body: bytes });
  await send(request, { method: "POST", url: request.url, headers, body: new TextDecoder().decode(bytes) });
}

const slackText = fc.oneof(
  fc.constantFrom("", "status", "STATUS", " last ", "last", "help", "help me", "runner", "rundown", "run default", "run ../x", "run a b", "status\nrun", "<!channel>", "`", "&amp;"),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
);
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 15 });
const slashFields = fc.record({
  team_id: optional(fc.oneof({ weight: 3, arbitrary: fc.constant("T0001") }, fc.string({ maxLength: 10 }))),
  channel_id: optional(fc.oneof({ weight: 3, arbitrary: fc.constant("C0KEYWARDEN") }, fc.string({ maxLength: 10 }))),
  user_id: optional(fc.oneof(fc.constantFrom("U_ALLOWED", "U_SECOND", "U_OTHER", "u_allowed", ""), fc.string({ maxLength: 10 }))),
  user_name: optional(fc.string({ maxLength: 20 })),
  command: optional(fc.oneof({ weight: 3, arbitrary: fc.constantFrom("/keywarden", "/kw <!channel>", "/`x`", "/".repeat(200)) }, fc.string({ maxLength: 20 }))),
  text: optional(slackText),
  response_url: optional(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ maxLength: 20 }).map((rest) => `${slack.base}/response/${encode(rest)}`) },
      fc.constantFrom("https://attacker.example/collect", "", "javascript:alert(1)", `${slack.base}/response/../__slack/calls`, "http://127.0.0.1:1/response/x", `${slack.base}/responsefoo`),
      fc.string({ maxLength: 20 }),
    ),
  ),
  ssl_check: fc.option(fc.constantFrom("1", "0", ""), { nil: undefined, freq: 1 }),
  extra: fc.array(fc.tuple(fc.oneof(fc.constantFrom("text", "user_id", "command", "payload", "__proto__"), fc.string({ maxLength: 8 })), fc.string({ maxLength: 20 })), { maxLength: 3 }),
});
const slashBody = fc.oneof(
  { weight: 4, arbitrary: slashFields.map(({ extra, ...fields }) => [...Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined), ...extra]) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }).map((raw) => [...new URLSearchParams(raw)]) },
);

/** The body as Slack sends it; a body that would start a run comes from a user who may not. */
function slashCommandBytes(entries: [string, string][], trailer: Uint8Array): Uint8Array {
  const form = new URLSearchParams([...entries, ["trigger_id", crypto.randomUUID()]]);
  const decoded = Object.fromEntries(new URLSearchParams(new TextDecoder().decode(new Uint8Array([...new TextEncoder().encode(form.toString()), ...trailer]))));
  if (parseCommandText(decoded.text ?? "").action === "run") form.append("user_id", "U_NOT_ALLOWED");
  return new Uint8Array([...new TextEncoder().encode(form.toString()), ...trailer]);
}

const hex = (maxLength: number) => fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), maxLength });
/** A finding as buttons and forms name it, `<run id>:<fingerprint>`, or a bare fingerprint (a report from before runs were named). */
const findingRef = fc.oneof(hex(32), fc.tuple(fc.constantFrom("run_20261204T214557Z_32d08e", "run_x", ""), hex(32)).map(([run, fp]) => `${run}:${fp}`));
const interactionPayload = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({
    type: fc.constantFrom("block_actions", "view_submission", "shortcut", ""),
    user: fc.oneof(fc.record({ id: fc.constantFrom("U_ALLOWED", "U_OTHER", "") }), fc.jsonValue()),
    trigger_id: fc.oneof(fc.constant(crypto.randomUUID()), fc.jsonValue()),
    actions: fc.oneof(fc.array(fc.record({ action_id: fc.constantFrom(ACCEPT_RISK_ACTION, "other"), value: optional(findingRef) }), { maxLength: 2 }), fc.jsonValue()),
    response_url: optional(fc.constantFrom(`${slack.base}/response/fuzz`, "https://attacker.example/x", "")),
    view: fc.record({
      id: fc.constantFrom("V1", ""),
      callback_id: fc.constantFrom(ACCEPT_MODAL, "other"),
      private_metadata: findingRef,
      state: fc.oneof(fc.record({ values: fc.dictionary(fc.string({ maxLength: 6 }), fc.dictionary(fc.string({ maxLength: 6 }), fc.record({ value: optional(fc.string({ maxLength: 30 })), selected_date: optional(day) }))) }), fc.jsonValue()),
    }),
  }, { requiredKeys: ["type"] }),
);

// ── Properties ──────────────────────────────────────────────────────────────────────────────

describe("any request gets a 2xx/3xx/4xx answer with a JSON body (or an evidence download), never a 5xx", () => {
  it("any method, path, query, headers and body", async () => {
    await fc.assert(
      fc.asyncProperty(httpRequest, async (generated) => {
        await send(...toRequest(generated));
      }),
      { numRuns: 280 },
    );
  });

  it("slash commands signed as Slack signs them, with any fields and text", async () => {
    await fc.assert(
      fc.asyncProperty(slashBody, fc.uint8Array({ maxLength: 8 }), fc.constantFrom(0, 0, 0, 0, 0, 0, 0, 0, -400, 400), fc.constantFrom("application/x-www-form-urlencoded", "application/json", "text/plain"), async (entries, trailer, skew, contentType) => {
        await sendSigned("/slack/commands", slashCommandBytes(entries, trailer), { skew, contentType });
      }),
      { numRuns: 80 },
    );
  });

  it("interactions signed as Slack signs them, with any payload", async () => {
    await fc.assert(
      fc.asyncProperty(interactionPayload, fc.boolean(), async (payload, asForm) => {
        const json = JSON.stringify(payload) ?? "";
        const raw = asForm ? new URLSearchParams({ payload: json, nonce: crypto.randomUUID() }).toString() : `${json}&nonce=${crypto.randomUUID()}`;
        await sendSigned("/slack/interactions", new TextEncoder().encode(raw));
      }),
      { numRuns: 40 },
    );
  });
});
