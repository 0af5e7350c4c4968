import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../sim/slack-server.js";

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack({ token: "xoxb-fake-unit" });
});
afterAll(() => slack.close());

async function call(method: string, body: Record<string, unknown>, token: string | null = "xoxb-fake-unit") {
  const res = await fetch(`${slack.url}${method}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = { text };
  }
  return { status: res.status, headers: res.headers, json };
}

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });

describe("fake Slack Web API", () => {
  it("checks the token", async () => {
    expect((await call("auth.test", {})).json).toMatchObject({ ok: true });
    expect((await call("auth.test", {}, "xoxb-other")).json).toEqual({ ok: false, error: "invalid_auth" });
    expect((await call("auth.test", {}, null)).json).toEqual({ ok: false, error: "not_authed" });
  });

  it("refuses what chat.postMessage refuses", async () => {
    const post = (body: Record<string, unknown>) => call("chat.postMessage", { channel: "C1", ...body });
    expect((await post({ text: "hi" })).json).toMatchObject({ ok: true, channel: "C1" });
    expect((await post({})).json).toEqual({ ok: false, error: "no_text" });
    expect((await call("chat.postMessage", { text: "x" })).json).toEqual({ ok: false, error: "channel_not_found" });
    expect((await post({ text: "x", blocks: Array.from({ length: 51 }, () => section("a")) })).json).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect((await post({ text: "x", blocks: Array.from({ length: 50 }, () => section("a")) })).json).toMatchObject({ ok: true });
    expect((await post({ text: "x", blocks: [section("a".repeat(3001))] })).json).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect((await post({ text: "x", blocks: [section("a".repeat(3000))] })).json).toMatchObject({ ok: true });
    expect((await post({ text: "x", blocks: [{ type: "header", text: { type: "plain_text", text: "h".repeat(151) } }] })).json).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect((await post({ text: "x", blocks: [{ type: "header", text: { type: "mrkdwn", text: "h" } }] })).json).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect((await post({ text: "x", blocks: [{ ...section("a"), block_id: "b" }, { ...section("c"), block_id: "b" }] })).json).toMatchObject({ ok: false, error: "invalid_blocks" });
    expect((await post({ text: "x".repeat(40_001) })).json).toEqual({ ok: false, error: "msg_too_long" });
  });

  it("injects faults per method and channel, and records every call", async () => {
    slack.clear();
    slack.addFault({ method: "chat.postMessage", channel: "C2", times: 1, effect: { kind: "ratelimit", retryAfter: 7 } });
    const limited = await call("chat.postMessage", { channel: "C2", text: "x" });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("7");
    expect((await call("chat.postMessage", { channel: "C2", text: "x" })).json).toMatchObject({ ok: true });
    const res = await fetch(`${slack.base}/__slack/faults`, { method: "POST", body: JSON.stringify({ method: "auth.test", effect: { kind: "http", status: 503 } }) });
    expect(res.status).toBe(201);
    expect((await call("auth.test", {})).status).toBe(503);
    slack.clearFaults();
    expect((await call("auth.test", {})).status).toBe(200);
    expect(slack.calls.map((c) => [c.method, c.status])).toEqual([
      ["chat.postMessage", 429],
      ["chat.postMessage", 200],
      ["auth.test", 503],
      ["auth.test", 200],
    ]);
    expect(slack.calls[0]?.headers["authorization"]).toBe("Bearer xoxb-fake-unit");
    const viaHttp = (await (await fetch(`${slack.base}/__slack/calls`)).json()) as { calls: unknown[] };
    expect(viaHttp.calls).toHaveLength(4);
    await fetch(`${slack.base}/__slack/calls`, { method: "DELETE" });
    expect(slack.calls).toHaveLength(0);
  });

  it("runs the external upload flow and serves response URLs", async () => {
    const url = await call("files.getUploadURLExternal", { filename: "a.csv", length: 3 });
    const { upload_url, file_id } = url.json as { upload_url: string; file_id: string };
    expect(upload_url.startsWith(slack.base)).toBe(true);
    expect((await fetch(upload_url, { method: "POST", body: "a,b" })).status).toBe(200);
    expect((await call("files.completeUploadExternal", { files: [{ id: file_id, title: "A" }], channel_id: "C3", thread_ts: "1.2" })).json).toMatchObject({ ok: true });
    expect(slack.uploads.find((u) => u.file_id === file_id)).toMatchObject({ content: "a,b", length: 3, completed: true, channel_id: "C3", thread_ts: "1.2", title: "A" });
    expect((await call("files.completeUploadExternal", { files: [{ id: "F404" }] })).json).toEqual({ ok: false, error: "file_not_found" });

    const posted = await fetch(`${slack.base}/response/xyz`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "hi" }) });
    expect(posted.status).toBe(200);
    expect(slack.responseUrlPosts.at(-1)).toMatchObject({ id: "xyz", body: { text: "hi" } });
  });
});
