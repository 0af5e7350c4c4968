import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../../src/sim/slack-server.js";

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

const alice = { id: "U0ALICE", email: "Alice@Example.com", name: "Alice Liddell" };
const bob = { id: "W0BOB", email: "bob@example.com", name: "Bob" };
const gone = { id: "U0GONE", email: "gone@example.com", name: "Gone", deleted: true };

async function control(path: string, method: string, body?: unknown) {
  const res = await fetch(`${slack.base}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe("fake Slack: users and direct messages", () => {
  it("finds users by email whatever the case, hides deactivated ones, and needs the token", async () => {
    expect((await control("/__slack/users", "PUT", { users: [alice, bob, gone] })).status).toBe(200);
    const found = await call("users.lookupByEmail", { email: "alice@EXAMPLE.com" });
    expect(found.json).toMatchObject({ ok: true, user: { id: "U0ALICE", deleted: false, real_name: "Alice Liddell", profile: { email: "Alice@Example.com" } } });
    expect((await call("users.lookupByEmail", { email: "nobody@example.com" })).json).toEqual({ ok: false, error: "users_not_found" });
    // Slack: "If the user has been deactivated, users_not_found will be returned instead of a user object."
    expect((await call("users.lookupByEmail", { email: "gone@example.com" })).json).toEqual({ ok: false, error: "users_not_found" });
    expect((await call("users.lookupByEmail", { email: "alice@example.com" }, null)).json).toEqual({ ok: false, error: "not_authed" });
    expect((await call("users.lookupByEmail", {})).json).toMatchObject({ ok: false, error: "invalid_arguments" });
  });

  it("sets the directory over HTTP: replace, add, list, clear; refuses a malformed user", async () => {
    await control("/__slack/users", "PUT", { users: [alice] });
    await control("/__slack/users", "POST", { users: [bob, { ...alice, name: "Alice L." }] });
    const listed = await control("/__slack/users", "GET");
    expect(listed.json["users"]).toEqual([{ ...alice, name: "Alice L." }, bob]);
    expect((await control("/__slack/users", "POST", { users: [{ id: "bob", email: "x@example.com", name: "x" }] })).status).toBe(400);
    expect((await control("/__slack/users", "DELETE")).status).toBe(200);
    expect((await call("users.lookupByEmail", { email: "bob@example.com" })).json).toEqual({ ok: false, error: "users_not_found" });
    slack.setUsers([alice, bob, gone]);
    expect((await call("users.lookupByEmail", { email: "bob@example.com" })).json).toMatchObject({ ok: true, user: { id: "W0BOB" } });
  });

  it("opens one D… conversation per user, and posts there (or to the user id) but not to an unopened D…", async () => {
    slack.setUsers([alice, bob, gone]);
    const first = await call("conversations.open", { users: "U0ALICE" });
    const id = (first.json["channel"] as { id: string }).id;
    expect(id).toMatch(/^D[A-Z0-9]+$/);
    expect((await call("conversations.open", { users: "U0ALICE" })).json).toMatchObject({ ok: true, already_open: true, channel: { id } });
    const other = (await call("conversations.open", { users: "W0BOB" })).json["channel"] as { id: string };
    expect(other.id).not.toBe(id);
    expect((await call("conversations.open", { users: "U0NOBODY" })).json).toEqual({ ok: false, error: "user_not_found" });
    expect((await call("conversations.open", { users: "U0GONE" })).json).toEqual({ ok: false, error: "user_disabled" });
    expect((await call("conversations.open", {})).json).toEqual({ ok: false, error: "users_list_not_supplied" });

    expect((await call("chat.postMessage", { channel: id, text: "hi" })).json).toMatchObject({ ok: true, channel: id });
    expect((await call("chat.postMessage", { channel: "U0ALICE", text: "hi" })).json).toMatchObject({ ok: true, channel: id });
    expect((await call("chat.postMessage", { channel: "D0NEVEROPENED", text: "hi" })).json).toEqual({ ok: false, error: "channel_not_found" });
    expect((await call("chat.postMessage", { channel: "U0NOBODY", text: "hi" })).json).toEqual({ ok: false, error: "channel_not_found" });
    const recorded = (await control("/__slack/calls", "GET")).json as { ims: { user: string; channel: string }[] };
    expect(recorded.ims).toContainEqual({ user: "U0ALICE", channel: id });
  });

  it("injects a fault for one email or one user only", async () => {
    slack.setUsers([alice, bob]);
    slack.addFault({ method: "users.lookupByEmail", email: "ALICE@example.com", times: 1, effect: { kind: "ratelimit", retryAfter: 3 } });
    slack.addFault({ method: "conversations.open", user: "W0BOB", times: 1, effect: { kind: "error", error: "missing_scope" } });
    expect((await call("users.lookupByEmail", { email: "bob@example.com" })).status).toBe(200);
    expect((await call("users.lookupByEmail", { email: "alice@example.com" })).status).toBe(429);
    expect((await call("conversations.open", { users: "U0ALICE" })).json).toMatchObject({ ok: true });
    expect((await call("conversations.open", { users: "W0BOB" })).json).toEqual({ ok: false, error: "missing_scope" });
    expect((await call("conversations.open", { users: "W0BOB" })).json).toMatchObject({ ok: true });
  });
});

describe("fake Slack: chat.update", () => {
  it("updates a message by the channel id and ts chat.postMessage returned, and records it", async () => {
    slack.setUsers([alice]);
    const posted = (await call("chat.postMessage", { channel: "U0ALICE", text: "before", blocks: [section("before")] })).json as { channel: string; ts: string };
    expect((await call("chat.update", { channel: "U0ALICE", ts: posted.ts, text: "after" })).json).toEqual({ ok: false, error: "channel_not_found" });
    expect((await call("chat.update", { channel: posted.channel, ts: "1.000001", text: "after" })).json).toEqual({ ok: false, error: "message_not_found" });
    expect((await call("chat.update", { channel: posted.channel, ts: posted.ts })).json).toEqual({ ok: false, error: "no_text" });
    expect((await call("chat.update", { channel: posted.channel, ts: posted.ts, text: "x", blocks: [section("a".repeat(3001))] })).json).toMatchObject({ ok: false, error: "invalid_blocks" });
    const updated = await call("chat.update", { channel: posted.channel, ts: posted.ts, text: "after", blocks: [section("after")] });
    expect(updated.json).toMatchObject({ ok: true, channel: posted.channel, ts: posted.ts, text: "after" });
    expect(slack.updates.at(-1)).toMatchObject({ channel: posted.channel, ts: posted.ts, text: "after", blocks: [section("after")] });
    expect(slack.messages.find((m) => m.ts === posted.ts)).toMatchObject({ channel: posted.channel, text: "after", blocks: [section("after")], edits: 1 });
    const recorded = (await control("/__slack/calls", "GET")).json as { updates: unknown[]; messages: unknown[] };
    expect(recorded.updates.length).toBeGreaterThan(0);
    expect(recorded.messages.length).toBeGreaterThan(0);
  });
});

describe("fake Slack: buttons", () => {
  const button = (over: Record<string, unknown> = {}) => ({ type: "button", text: { type: "plain_text", text: "Accept risk" }, action_id: "accept_risk", value: "fp1", ...over });
  const withButton = (b: unknown) => ({ channel: "C1", text: "x", blocks: [{ ...section("finding"), accessory: b }] });

  it("accepts a section's button accessory within Slack's limits and refuses one beyond them", async () => {
    expect((await call("chat.postMessage", withButton(button()))).json).toMatchObject({ ok: true });
    expect((await call("chat.postMessage", withButton(button({ text: { type: "plain_text", text: "b".repeat(75) }, action_id: "a".repeat(255), value: "v".repeat(2000) })))).json).toMatchObject({ ok: true });
    for (const bad of [
      button({ text: { type: "plain_text", text: "b".repeat(76) } }),
      button({ text: { type: "mrkdwn", text: "b" } }),
      button({ action_id: "a".repeat(256) }),
      button({ value: "v".repeat(2001) }),
      button({ style: "loud" }),
      { type: "carousel" },
    ]) {
      const res = await call("chat.postMessage", withButton(bad));
      expect(res.json).toMatchObject({ ok: false, error: "invalid_blocks" });
      expect((res.json["errors"] as string[]).join()).toMatch(/json-pointer:\/blocks\/0\/accessory/);
    }
  });
});

describe("fake Slack: views.open", () => {
  const modal = (over: Record<string, unknown> = {}) => ({
    type: "modal",
    callback_id: "accept_risk",
    title: { type: "plain_text", text: "Accept risk" },
    submit: { type: "plain_text", text: "Accept" },
    private_metadata: "fp1",
    blocks: [
      section("Why does this key stay?"),
      { type: "input", block_id: "reason", label: { type: "plain_text", text: "Reason" }, element: { type: "plain_text_input", action_id: "reason", multiline: true, max_length: 500 } },
      { type: "input", block_id: "expires", label: { type: "plain_text", text: "Until" }, element: { type: "datepicker", action_id: "expires", initial_date: "2027-01-31" } },
    ],
    ...over,
  });

  it("opens a modal once per trigger id issued within the last 3 seconds, and records the view", async () => {
    const trigger = slack.issueTrigger();
    const opened = await call("views.open", { trigger_id: trigger, view: modal() });
    expect(opened.json).toMatchObject({ ok: true, view: { type: "modal", private_metadata: "fp1", callback_id: "accept_risk", state: { values: {} } } });
    const id = (opened.json["view"] as { id: string }).id;
    expect(slack.views.at(-1)).toMatchObject({ id, trigger_id: trigger, view: modal() });
    expect((await call("views.open", { trigger_id: trigger, view: modal() })).json).toEqual({ ok: false, error: "exchanged_trigger_id" });
    expect((await call("views.open", { trigger_id: "12345.67890.abcdef", view: modal() })).json).toEqual({ ok: false, error: "invalid_trigger_id" });
    expect((await call("views.open", { trigger_id: slack.issueTrigger({ ageMs: 3001 }), view: modal() })).json).toEqual({ ok: false, error: "expired_trigger_id" });
    expect((await call("views.open", { trigger_id: slack.issueTrigger({ ageMs: 2500 }), view: modal() })).json).toMatchObject({ ok: true });
    expect((await call("views.open", { trigger_id: slack.issueTrigger(), view: modal() }, "xoxb-other")).json).toEqual({ ok: false, error: "invalid_auth" });
  });

  it("issues trigger ids over HTTP and shows opened views at /__slack/calls", async () => {
    const issued = await control("/__slack/trigger", "POST", {});
    expect(issued.status).toBe(201);
    const trigger = issued.json["trigger_id"] as string;
    expect((await call("views.open", { trigger_id: trigger, view: modal({ private_metadata: "over-http" }) })).json).toMatchObject({ ok: true });
    const old = (await control("/__slack/trigger", "POST", { age_ms: 5000 })).json["trigger_id"] as string;
    expect((await call("views.open", { trigger_id: old, view: modal() })).json).toEqual({ ok: false, error: "expired_trigger_id" });
    const recorded = (await control("/__slack/calls", "GET")).json as { views: { trigger_id: string; view: { private_metadata: string } }[] };
    expect(recorded.views.find((v) => v.trigger_id === trigger)?.view.private_metadata).toBe("over-http");
  });

  it("refuses a modal beyond Slack's limits without using up the trigger", async () => {
    const trigger = slack.issueTrigger();
    const refuse = async (view: unknown, pointer: string) => {
      const res = await call("views.open", { trigger_id: trigger, view });
      expect(res.json).toMatchObject({ ok: false, error: "invalid_arguments" });
      expect(((res.json["response_metadata"] as { messages: string[] }).messages).join()).toContain(`[json-pointer:${pointer}]`);
    };
    await refuse(modal({ title: { type: "plain_text", text: "t".repeat(25) } }), "/view/title/text");
    await refuse(modal({ blocks: Array.from({ length: 101 }, () => section("a")) }), "/view/blocks");
    await refuse(modal({ private_metadata: "m".repeat(3001) }), "/view/private_metadata");
    await refuse(modal({ submit: undefined }), "/view/submit");
    await refuse(modal({ type: "home" }), "/view/type");
    await refuse(modal({ blocks: [{ type: "input", label: { type: "plain_text", text: "x" }, element: { type: "button", text: { type: "plain_text", text: "b" } } }] }), "/view/blocks/0/element");
    const atLimits = modal({ title: { type: "plain_text", text: "t".repeat(24) }, private_metadata: "m".repeat(3000), blocks: Array.from({ length: 100 }, () => section("a")) });
    expect((await call("views.open", { trigger_id: trigger, view: atLimits })).json).toMatchObject({ ok: true });
  });

  it("refuses input blocks in a message (Keywarden sends them only in modals)", async () => {
    const input = { type: "input", label: { type: "plain_text", text: "x" }, element: { type: "plain_text_input", action_id: "x" } };
    expect((await call("chat.postMessage", { channel: "C1", text: "x", blocks: [input] })).json).toMatchObject({ ok: false, error: "invalid_blocks" });
  });
});

describe("fake Slack: through the real SDK client", () => {
  it("decodes the form-encoded view and users the SDK sends", async () => {
    const { createSlackClient } = await import("../../src/slack/send.js");
    const client = createSlackClient({ secrets: [], token: "xoxb-fake-unit", apiUrl: slack.url });
    slack.setUsers([alice]);
    const user = await client.users.lookupByEmail({ email: "ALICE@example.com" });
    expect(user.user?.id).toBe("U0ALICE");
    const im = await client.conversations.open({ users: "U0ALICE" });
    const posted = await client.chat.postMessage({ channel: im.channel?.id ?? "", text: "hello" });
    expect(posted.channel).toBe(im.channel?.id);
    await expect(client.chat.update({ channel: posted.channel ?? "", ts: posted.ts ?? "", text: "edited" })).resolves.toMatchObject({ ok: true });
    const view = await client.views.open({ trigger_id: slack.issueTrigger(), view: { type: "modal", title: { type: "plain_text", text: "Accept risk" }, blocks: [section("a") as never] } });
    expect(view.view?.id).toMatch(/^V/);
    await expect(client.users.lookupByEmail({ email: "nobody@example.com" })).rejects.toMatchObject({ data: { error: "users_not_found" } });
  });
});
