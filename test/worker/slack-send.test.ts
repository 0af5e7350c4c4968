import { LogLevel, WebClient } from "@slack/web-api";
import { describe, expect, inject, it } from "vitest";
import { renderSlackReport } from "../../src/slack/render.js";
import { createSlackClient, deliverReport, postToResponseUrl } from "../../src/slack/send.js";
import type { RecordedCall, SlackFault } from "../../src/sim/slack-server.js";
import { makeError, makeRun, manyFindings } from "../sim/slack-run-factory.js";

const slackUrl = inject("slackUrl");
const token = inject("slackToken");
const base = slackUrl.replace(/\/api\/$/, "");
const SIGNING_SECRET = "slack-signing-secret-for-tests-0001";

let channelCounter = 0;
/** One channel per test: the fake server is shared with other test files, so tests only look at their own calls. */
const newChannel = () => `CSEND${Date.now().toString(36).toUpperCase()}${++channelCounter}`;

async function addFault(fault: SlackFault): Promise<void> {
  const res = await fetch(`${base}/__slack/faults`, { method: "POST", body: JSON.stringify(fault) });
  expect(res.status).toBe(201);
}

interface Recorded {
  calls: RecordedCall[];
  uploads: { file_id: string; content: string; length: number; declared_length: number; completed: boolean; channel_id: string | null; thread_ts: string | null }[];
  responseUrlPosts: { id: string; body: unknown }[];
}
async function recorded(): Promise<Recorded> {
  return (await (await fetch(`${base}/__slack/calls`)).json()) as Recorded;
}
async function callsFor(channel: string): Promise<RecordedCall[]> {
  return (await recorded()).calls.filter((c) => c.body["channel"] === channel || c.body["channel_id"] === channel);
}

const fastClient = (retry: Parameters<typeof createSlackClient>[0]["retry"] = {}) => createSlackClient({ secrets: [], token, apiUrl: slackUrl, retry: { minBackoffMs: 10, maxBackoffMs: 20, ...retry } });
const deliverOpts = { secrets: [token, SIGNING_SECRET], pauseBetweenMessagesMs: 0 };

function parseCsvLines(text: string): string[] {
  return text.split("\r\n").filter((l) => l.length > 0);
}

describe("Slack delivery inside workerd", () => {
  it("needs the transport fix: the SDK's own fetch fails in workerd, ours works", async () => {
    const quiet = { slackApiUrl: slackUrl, retryConfig: { retries: 0 }, logLevel: LogLevel.ERROR };
    const plain = new WebClient(token, quiet);
    await expect(plain.auth.test()).rejects.toThrow(/Illegal invocation/);
    const bound = new WebClient(token, { ...quiet, fetch: (url, init) => fetch(url, init as RequestInit) });
    await expect(bound.auth.test()).rejects.toThrow(/redirect/i);
    const fixed = fastClient();
    await expect(fixed.auth.test()).resolves.toMatchObject({ ok: true, team_id: "T00000001" });
  });

  it("posts the main message, every finding in the thread, and the CSV into the thread", async () => {
    const channel = newChannel();
    const run = makeRun({ findings: manyFindings(120), evidence: { stored: true, prefix: "runs/run_x/" } });
    const rendered = renderSlackReport(run, { channel });
    const result = await deliverReport(fastClient(), rendered, deliverOpts);
    expect(result).toMatchObject({ ok: true, channel, thread_messages: rendered.thread.length, findings_delivered: 120 });
    if (!result.ok) throw new Error("unreachable");
    expect(result.file_id).toMatch(/^F/);

    const calls = await callsFor(channel);
    const posts = calls.filter((c) => c.method === "chat.postMessage");
    expect(posts.map((c) => c.status)).toEqual(posts.map(() => 200));
    expect(posts).toHaveLength(1 + rendered.thread.length);
    expect(posts[0]?.body["thread_ts"]).toBeUndefined();
    expect(posts[0]?.body["unfurl_links"]).toBe("false");
    expect(posts[0]?.body["unfurl_media"]).toBe("false");
    for (const reply of posts.slice(1)) expect(reply.body["thread_ts"]).toBe(result.ts);
    expect(posts.every((c) => c.headers["authorization"] === `Bearer ${token}`)).toBe(true);

    const fingerprints = posts.slice(1).flatMap((c) => (c.body["blocks"] as { block_id?: string }[]).map((b) => b.block_id).filter((id) => id?.startsWith("f-")));
    expect(new Set(fingerprints).size).toBe(120);

    const complete = calls.find((c) => c.method === "files.completeUploadExternal");
    expect(complete?.body["thread_ts"]).toBe(result.ts);
    const upload = (await recorded()).uploads.find((u) => u.file_id === result.file_id);
    expect(upload).toMatchObject({ completed: true, channel_id: channel, thread_ts: result.ts });
    expect(upload?.length).toBe(upload?.declared_length);
    const lines = parseCsvLines(upload?.content ?? "");
    expect(lines[0]).toMatch(/^run_id,severity,rule_id,/);
    expect(lines).toHaveLength(121);
    expect(upload?.content).toBe(rendered.csv.content);
  });

  it("honors a 429 Retry-After and then succeeds", async () => {
    const channel = newChannel();
    await addFault({ method: "chat.postMessage", channel, times: 1, effect: { kind: "ratelimit", retryAfter: 1 } });
    const started = Date.now();
    const result = await deliverReport(fastClient(), renderSlackReport(makeRun(), { channel }), deliverOpts);
    expect(result).toMatchObject({ ok: true, channel, thread_messages: 0, findings_delivered: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    const posts = (await callsFor(channel)).filter((c) => c.method === "chat.postMessage");
    expect(posts.map((c) => c.status)).toEqual([429, 200]);
  });

  it("fails fast, with the wait Slack asked for, when Retry-After is beyond the cap", async () => {
    const channel = newChannel();
    await addFault({ method: "chat.postMessage", channel, times: 1, effect: { kind: "ratelimit", retryAfter: 120 } });
    const started = Date.now();
    const result = await deliverReport(fastClient(), renderSlackReport(makeRun(), { channel }), deliverOpts);
    expect(result).toEqual({ ok: false, stage: "main", error: "ratelimited: retry after 120 s", retry_after: 120, posted: { thread_messages: 0, thread_ts: [] } });
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("gives up after 3 rate-limited retries of one call", async () => {
    const channel = newChannel();
    await addFault({ method: "chat.postMessage", channel, times: 10, effect: { kind: "ratelimit", retryAfter: 0 } });
    const result = await deliverReport(fastClient(), renderSlackReport(makeRun(), { channel }), deliverOpts);
    expect(result).toMatchObject({ ok: false, stage: "main", error: "ratelimited: retry after 0 s", retry_after: 0 });
    expect((await callsFor(channel)).filter((c) => c.method === "chat.postMessage").map((c) => c.status)).toEqual([429, 429, 429, 429]);
  });

  it("tries a call that keeps failing with a 5xx once and then `retries` times, in its transport alone", async () => {
    const channel = newChannel();
    await addFault({ method: "chat.postMessage", channel, times: 10, effect: { kind: "http", status: 503 } });
    const result = await deliverReport(fastClient({ retries: 2 }), renderSlackReport(makeRun(), { channel }), deliverOpts);
    expect(result).toMatchObject({ ok: false, stage: "main", error: expect.stringMatching(/^http_503/) });
    expect((await callsFor(channel)).filter((c) => c.method === "chat.postMessage").map((c) => c.status)).toEqual([503, 503, 503]);
  });

  it("returns a persistent Slack error as a failure of its stage, without throwing", async () => {
    const channel = newChannel();
    await addFault({ method: "chat.postMessage", channel, times: 5, effect: { kind: "error", error: "channel_not_found" } });
    const result = await deliverReport(fastClient(), renderSlackReport(makeRun({ findings: manyFindings(3) }), { channel }), deliverOpts);
    expect(result).toEqual({ ok: false, stage: "main", error: "channel_not_found", posted: { thread_messages: 0, thread_ts: [] } });
  });

  it("refuses a wrong token with invalid_auth and never echoes a token", async () => {
    const channel = newChannel();
    const wrong = "xoxb-wrong-token-that-must-stay-secret-42";
    const client = createSlackClient({ secrets: [], token: wrong, apiUrl: slackUrl });
    const result = await deliverReport(client, renderSlackReport(makeRun(), { channel }), { ...deliverOpts, secrets: [] });
    expect(result).toMatchObject({ ok: false, stage: "main", error: "invalid_auth" });
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it("stops at a failing thread reply with the token redacted, then resumes without posting the main message twice", async () => {
    const channel = newChannel();
    await addFault({ method: "chat.postMessage", channel, threaded: true, times: 1, effect: { kind: "http", status: 502, body: `bad gateway; upstream said Authorization: Bearer ${token}` } });
    const rendered = renderSlackReport(makeRun({ findings: manyFindings(90) }), { channel });
    expect(rendered.thread.length).toBe(3);
    const first = await deliverReport(fastClient({ retries: 0 }), rendered, deliverOpts);
    expect(first.ok).toBe(false);
    if (first.ok) throw new Error("unreachable");
    expect(first.stage).toBe("thread");
    expect(first.error).toMatch(/^http_502: bad gateway/);
    expect(first.error).not.toContain(token);
    expect(first.error).toContain("[REDACTED]");
    expect(first.posted).toMatchObject({ channel, thread_messages: 0 });
    expect(first.posted.ts).toBeTruthy();

    const second = await deliverReport(fastClient(), rendered, { ...deliverOpts, resume: first.posted });
    expect(second).toMatchObject({ ok: true, ts: first.posted.ts, thread_messages: 3, findings_delivered: 90 });
    const posts = (await callsFor(channel)).filter((c) => c.method === "chat.postMessage" && c.status === 200);
    expect(posts.filter((c) => c.body["thread_ts"] === undefined)).toHaveLength(1);
    expect(posts.filter((c) => c.body["thread_ts"] === first.posted.ts)).toHaveLength(3);
  });

  it("reports a failed upload as the file stage, after the whole thread was posted", async () => {
    const channel = newChannel();
    await addFault({ method: "files.completeUploadExternal", channel, times: 1, effect: { kind: "error", error: "missing_scope" } });
    const rendered = renderSlackReport(makeRun({ findings: manyFindings(5) }), { channel });
    const result = await deliverReport(fastClient(), rendered, deliverOpts);
    expect(result).toMatchObject({ ok: false, stage: "file", error: "missing_scope", posted: { channel, thread_messages: 1 } });
  });

  it("never sends a secret in any call body, even when run text contains one", async () => {
    const channel = newChannel();
    const run = makeRun({ status: "incomplete", findings: manyFindings(4), errors: [makeError(1, { message: `proxy said ${token} and ${SIGNING_SECRET}` })] });
    const result = await deliverReport(fastClient(), renderSlackReport(run, { channel }), deliverOpts);
    expect(result.ok).toBe(true);
    const all = await recorded();
    expect(all.calls.length).toBeGreaterThan(0);
    for (const call of all.calls) {
      expect(call.raw).not.toContain(token);
      expect(call.raw).not.toContain(SIGNING_SECRET);
      expect(JSON.stringify(call.body)).not.toContain(token);
    }
    for (const upload of all.uploads) expect(upload.content).not.toContain(token);
    const main = (await callsFor(channel)).find((c) => c.method === "chat.postMessage" && c.body["thread_ts"] === undefined);
    expect(JSON.stringify(main?.body["blocks"])).toContain("[REDACTED]");
  });

  it("posts slash-command follow-ups to the response_url", async () => {
    const id = `resp-${Date.now()}`;
    const result = await postToResponseUrl(`${base}/response/${id}`, { response_type: "ephemeral", text: "Run started" });
    expect(result).toEqual({ ok: true });
    const post = (await recorded()).responseUrlPosts.find((p) => p.id === id);
    expect(post?.body).toEqual({ response_type: "ephemeral", text: "Run started" });

    const gone = await postToResponseUrl(`${base}/nowhere/${id}`, { text: "x" });
    expect(gone).toMatchObject({ ok: false });
    if (gone.ok) throw new Error("unreachable");
    expect(gone.error).toMatch(/^http_40\d/);
    expect(gone.error).not.toContain(id);
  });

  it("posts the first messages of a report back to back, as Slack's burst allows, and paces the rest at one per second", async () => {
    const channel = newChannel();
    const run = makeRun({ findings: manyFindings(200), evidence: { stored: true, prefix: "runs/run_x/" } });
    const rendered = renderSlackReport(run, { channel });
    expect(rendered.thread.length).toBeGreaterThan(3);
    const waits: number[] = [];
    const result = await deliverReport(fastClient(), rendered, { secrets: [token], sleep: async (ms) => void waits.push(ms) });
    expect(result.ok).toBe(true);
    // The main message and two replies at once; then one second before each further reply.
    expect(waits).toEqual(Array(1 + rendered.thread.length - 3).fill(1000));
  });
});
