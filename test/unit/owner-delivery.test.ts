import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverOwnerMessages } from "../../src/slack/owner-delivery.js";
import type { OwnerResolution } from "../../src/slack/owner-directory.js";
import { type OwnerMessageFinding, type OwnerMessagePlan, planOwnerMessages } from "../../src/slack/owner-messages.js";
import { createSlackClient } from "../../src/slack/send.js";
import { type FakeSlack, type RecordedCall, startFakeSlack } from "../../src/sim/slack-server.js";
import { makeFinding, makeRun } from "../sim/slack-run-factory.js";

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.clear();
  slack.clearFaults();
  slack.setUsers([
    { id: "U0ALICE", email: "alice@example.com", name: "Alice" },
    { id: "U0BOB", email: "bob@example.com", name: "Bob" },
  ]);
});

const client = (retry: Parameters<typeof createSlackClient>[0]["retry"] = {}) =>
  createSlackClient({ secrets: [], token: slack.token, apiUrl: slack.url, retry: { retries: 0, minBackoffMs: 1, maxBackoffMs: 2, ...retry } });
const opts = { pauseBetweenMessagesMs: 0 };

let n = 0;
function findingsFor(count: number): OwnerMessageFinding[] {
  return Array.from({ length: count }, () => {
    const i = ++n;
    return { ...makeFinding(i), severity: "high" as const, fingerprint: `fpd-${i}`, lifecycle: "new" as const };
  });
}

/** A plan for these owners (a user id, or a channel id) and how many findings each has. */
function planFor(owners: Record<string, number>): { plan: OwnerMessagePlan; byOwner: Map<string, string[]> } {
  const resolutions = new Map<string, OwnerResolution>();
  const byOwner = new Map<string, string[]>();
  const all: OwnerMessageFinding[] = [];
  for (const [id, count] of Object.entries(owners)) {
    const findings = findingsFor(count);
    all.push(...findings);
    byOwner.set(id, findings.map((f) => f.fingerprint));
    for (const f of findings) resolutions.set(f.fingerprint, id.startsWith("U") ? { kind: "user", id } : { kind: "channel", id });
  }
  return { plan: planOwnerMessages(makeRun({ findings: all }), resolutions, { reportChannel: "C0REPORT" }), byOwner };
}

const posts = (): RecordedCall[] => slack.calls.filter((c) => c.method === "chat.postMessage" && c.status === 200 && (c.response as { ok: boolean }).ok);
const fingerprintsOf = (blocks: unknown) => ((blocks ?? []) as { block_id?: string }[]).flatMap((b) => (b.block_id?.startsWith("f-") ? [b.block_id.slice(2)] : []));
const fingerprintsIn = (call: RecordedCall) => fingerprintsOf(call.body["blocks"]);

describe("owner delivery", () => {
  it("opens a DM for a user and posts there, posts to a routed channel directly, and records each owner", async () => {
    const { plan, byOwner } = planFor({ U0ALICE: 2, C0TEAM: 1 });
    const result = await deliverOwnerMessages(client(), plan, opts);
    expect(result).toMatchObject({ delivered: 2, failed: 0 });
    const dm = slack.messages.find((m) => fingerprintsOf(m.blocks).includes(byOwner.get("U0ALICE")?.[0] ?? ""))?.channel;
    expect(dm).toMatch(/^D/);
    expect(slack.calls.filter((c) => c.method === "conversations.open").map((c) => c.body["users"])).toEqual(["U0ALICE"]);

    const alice = result.records.find((r) => r.owner.id === "U0ALICE");
    expect(alice).toMatchObject({ status: "delivered", channel: dm, messages_posted: 1 });
    expect(alice?.findings.sort()).toEqual(byOwner.get("U0ALICE")?.sort());
    expect(alice?.ts).toBeTruthy();
    expect(result.records.find((r) => r.owner.id === "C0TEAM")).toMatchObject({ status: "delivered", channel: "C0TEAM", findings: byOwner.get("C0TEAM") });

    for (const post of posts()) {
      const owner = post.body["channel"] === dm ? "U0ALICE" : "C0TEAM";
      expect(fingerprintsIn(post).sort()).toEqual(byOwner.get(owner)?.sort());
      expect(post.body["unfurl_links"]).toBe("false");
    }
    // chat.update later needs the D… id, not the user id: it works with what was recorded.
    await expect(client().chat.update({ channel: alice?.channel ?? "", ts: alice?.ts ?? "", text: "accepted" })).resolves.toMatchObject({ ok: true });
  });

  it("posts a long list as a message and replies in its thread", async () => {
    const { plan } = planFor({ U0BOB: 45 });
    expect(plan.messages[0]?.messages.length).toBeGreaterThan(1);
    const result = await deliverOwnerMessages(client(), plan, opts);
    const record = result.records[0];
    expect(record).toMatchObject({ status: "delivered", messages_posted: plan.messages[0]?.messages.length });
    const all = posts();
    expect(all[0]?.body["thread_ts"]).toBeUndefined();
    for (const reply of all.slice(1)) expect(reply.body["thread_ts"]).toBe(record?.ts);
    expect(all.flatMap(fingerprintsIn)).toHaveLength(45);
  });

  it("records a failed owner, delivers the others, and a retry sends only what is missing", async () => {
    const { plan } = planFor({ U0ALICE: 1, C0BROKEN: 2, U0BOB: 1 });
    slack.addFault({ method: "chat.postMessage", channel: "C0BROKEN", times: 1, effect: { kind: "error", error: "not_in_channel" } });
    const first = await deliverOwnerMessages(client(), plan, opts);
    expect(first).toMatchObject({ delivered: 2, failed: 1 });
    expect(first.records.find((r) => r.owner.id === "C0BROKEN")).toMatchObject({ status: "failed", error: "not_in_channel", messages_posted: 0 });

    slack.clear();
    const second = await deliverOwnerMessages(client(), plan, { ...opts, previous: first.records });
    expect(second).toMatchObject({ delivered: 3, failed: 0 });
    expect(posts().map((c) => c.body["channel"])).toEqual(["C0BROKEN"]);
    expect(slack.calls.filter((c) => c.method === "conversations.open")).toHaveLength(0);
    expect(second.records.filter((r) => r.owner.id !== "C0BROKEN")).toEqual(first.records.filter((r) => r.owner.id !== "C0BROKEN"));

    slack.clear();
    const third = await deliverOwnerMessages(client(), plan, { ...opts, previous: second.records });
    expect(third.records).toEqual(second.records);
    expect(slack.calls).toHaveLength(0);
  });

  it("never writes again to an owner told in an earlier attempt, even when the re-planned step lists more for them", async () => {
    const small = planFor({ C0TOLD: 1 });
    const first = await deliverOwnerMessages(client(), small.plan, opts);
    expect(first.records[0]?.status).toBe("delivered");
    const bigger = planFor({ C0TOLD: 45 }).plan;
    expect(bigger.messages[0]?.messages.length).toBeGreaterThan(1);
    slack.clear();
    const second = await deliverOwnerMessages(client(), bigger, { ...opts, previous: first.records });
    expect(second.records).toEqual(first.records);
    expect(slack.calls).toHaveLength(0);
  });

  it("resumes a thread where it stopped, never posting the message twice, with the token redacted from the error", async () => {
    const { plan } = planFor({ C0LONG: 45 });
    const pages = plan.messages[0]?.messages.length ?? 0;
    expect(pages).toBeGreaterThanOrEqual(3);
    slack.addFault({ method: "chat.postMessage", channel: "C0LONG", threaded: true, times: 1, effect: { kind: "http", status: 502, body: `bad gateway ${slack.token}` } });
    const first = await deliverOwnerMessages(client(), plan, opts);
    const failed = first.records[0];
    expect(failed).toMatchObject({ status: "failed", channel: "C0LONG", messages_posted: 1 });
    expect(failed?.error).toMatch(/^http_502/);
    expect(JSON.stringify(first)).not.toContain(slack.token);

    const second = await deliverOwnerMessages(client(), plan, { ...opts, previous: first.records });
    expect(second.records[0]).toMatchObject({ status: "delivered", ts: failed?.ts, messages_posted: pages });
    const all = posts();
    expect(all.filter((c) => c.body["thread_ts"] === undefined)).toHaveLength(1);
    expect(all.filter((c) => c.body["thread_ts"] === failed?.ts)).toHaveLength(pages - 1);
    expect(all.flatMap(fingerprintsIn).sort()).toEqual(plan.messages[0]?.findings.slice().sort());
  });

  it("stops at a rate limit it cannot wait for: the rest are not attempted, and says when to retry", async () => {
    const { plan } = planFor({ C0FIRST: 3, C0SECOND: 2, C0THIRD: 1 });
    slack.addFault({ method: "chat.postMessage", channel: "C0SECOND", times: 1, effect: { kind: "ratelimit", retryAfter: 120 } });
    const first = await deliverOwnerMessages(client(), plan, opts);
    expect(first).toMatchObject({ delivered: 1, failed: 2, retry_after: 120 });
    expect(first.records.map((r) => [r.owner.id, r.status])).toEqual([["C0FIRST", "delivered"], ["C0SECOND", "failed"], ["C0THIRD", "failed"]]);
    expect(first.records[2]?.error).toMatch(/^not attempted/);
    expect(posts().map((c) => c.body["channel"])).toEqual(["C0FIRST"]);

    const second = await deliverOwnerMessages(client(), plan, { ...opts, previous: first.records });
    expect(second).toMatchObject({ delivered: 3, failed: 0 });
    expect(posts().map((c) => c.body["channel"])).toEqual(["C0FIRST", "C0SECOND", "C0THIRD"]);
  });

  it("records a route to a user Slack does not have as failed (conversations.open: user_not_found)", async () => {
    const { plan } = planFor({ U0NOBODY: 1 });
    const result = await deliverOwnerMessages(client(), plan, opts);
    expect(result.records[0]).toMatchObject({ status: "failed", error: "user_not_found", messages_posted: 0 });
    expect(result.records[0]?.channel).toBeUndefined();
  });

  it("waits between posts, as Slack asks (about one message a second)", async () => {
    const { plan } = planFor({ C0A: 1, C0B: 1, C0C: 1 });
    const waits: number[] = [];
    await deliverOwnerMessages(client(), plan, { pauseBetweenMessagesMs: 1000, sleep: async (ms) => void waits.push(ms) });
    expect(waits).toEqual([1000, 1000]);
  });
});
