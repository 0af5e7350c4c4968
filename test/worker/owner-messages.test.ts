import { describe, expect, inject, it } from "vitest";
import type { RunFinding } from "../../src/model/run.js";
import { ACCEPT_RISK_ACTION } from "../../src/slack/finding-actions.js";
import { deliverOwnerMessages } from "../../src/slack/owner-delivery.js";
import { createOwnerDirectory } from "../../src/slack/owner-directory.js";
import { type OwnerMessageFinding, findingsDueForOwners, planOwnerMessages } from "../../src/slack/owner-messages.js";
import { createSlackClient } from "../../src/slack/send.js";
import type { FakeMessage, FakeSlackUser, RecordedCall, SlackFault } from "../../src/sim/slack-server.js";
import { makeFinding, makeRun } from "../sim/slack-run-factory.js";

const slackUrl = inject("slackUrl");
const token = inject("slackToken");
const base = slackUrl.replace(/\/api\/$/, "");

/** The fake Slack is shared with other test files: this file's users, emails and channels carry a stamp of their own. */
const stamp = Date.now().toString(36).toUpperCase();

async function control(path: string, method: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${base}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  expect(res.status).toBeLessThan(300);
  return res;
}
async function recorded(): Promise<{ calls: RecordedCall[]; messages: FakeMessage[] }> {
  return (await (await control("/__slack/calls", "GET")).json()) as never;
}
const addUsers = (users: FakeSlackUser[]) => control("/__slack/users", "POST", { users });
const addFault = (fault: SlackFault) => control("/__slack/faults", "POST", fault);

let n = 0;
function keyOf(owner: RunFinding["owner"], project: RunFinding["project"], lifecycle: "new" | "open" = "new"): OwnerMessageFinding {
  const i = ++n;
  return { ...makeFinding(i), fingerprint: `fpw${stamp}${i}`, key: { ...makeFinding(i).key, id: `key_w${stamp}_${i}` }, project, owner, lifecycle };
}
const person = (email: string | null) => ({ type: "user" as const, id: `user_${email}`, name: email, email, role: "owner" });
const robot = { type: "service_account" as const, id: `svc_${stamp}`, name: "deploy-bot", email: null, role: "member" };
const fingerprintsIn = (blocks: unknown) => ((blocks ?? []) as { block_id?: string }[]).flatMap((b) => (b.block_id?.startsWith("f-") ? [b.block_id.slice(2)] : []));

describe("owner messages inside workerd, through the real Slack client", () => {
  it("looks each owner up once, opens their DM, sends each only their findings, and resumes a failed owner without duplicates", async () => {
    const alice = { id: `U0A${stamp}`, email: `alice.${stamp.toLowerCase()}@example.com`, name: "Alice" };
    const bob = { id: `W0B${stamp}`, email: `bob.${stamp.toLowerCase()}@example.com`, name: "Bob" };
    await addUsers([alice, bob]);
    const teamChannel = `C0ML${stamp}`;
    const ml = { id: `proj_ml_${stamp}`, name: "ML-Research", archived: false };
    const web = { id: `proj_web_${stamp}`, name: "web", archived: false };

    const aliceKeys = [keyOf(person(alice.email.toUpperCase()), web), keyOf(person(alice.email), ml)];
    const bobKeys = [keyOf(person(bob.email), web)];
    const robotKeys = [keyOf(robot, ml)];
    const stranger = keyOf(person(`left.${stamp.toLowerCase()}@example.com`), web);
    const alreadyTold = keyOf(person(alice.email), web, "open");
    const run = makeRun({ findings: [...aliceKeys, ...bobKeys, ...robotKeys, stranger, alreadyTold] });

    const client = createSlackClient({ secrets: [], token, apiUrl: slackUrl, retry: { retries: 0, minBackoffMs: 10, maxBackoffMs: 20 } });
    const directory = createOwnerDirectory(client, { routes: [{ match: "ml-*", slack: teamChannel }] });
    const due = findingsDueForOwners(run.findings, {});
    expect(due).not.toContainEqual(alreadyTold);
    const resolutions = await directory.resolveAll(due);
    const plan = planOwnerMessages(run, resolutions, { reportChannel: "C0KEYWARDEN" });
    expect(plan.unreachable).toEqual([expect.objectContaining({ key_owner: stranger.owner, reason: "not reachable", findings: 1 })]);

    await addFault({ method: "chat.postMessage", channel: teamChannel, times: 1, effect: { kind: "error", error: "not_in_channel" } });
    const first = await deliverOwnerMessages(client, plan, { pauseBetweenMessagesMs: 0, secrets: [token] });
    expect(first).toMatchObject({ delivered: 2, failed: 1 });
    expect(first.records.find((r) => r.owner.id === teamChannel)).toMatchObject({ status: "failed", error: "not_in_channel" });
    const second = await deliverOwnerMessages(client, plan, { pauseBetweenMessagesMs: 0, secrets: [token], previous: first.records });
    expect(second).toMatchObject({ delivered: 3, failed: 0 });

    const { calls, messages } = await recorded();
    const mine = (email: string) => calls.filter((c) => c.method === "users.lookupByEmail" && String(c.body["email"]).toLowerCase() === email);
    expect(mine(alice.email)).toHaveLength(1);
    expect(mine(bob.email)).toHaveLength(1);
    expect(calls.filter((c) => c.method === "conversations.open" && [alice.id, bob.id].includes(String(c.body["users"])))).toHaveLength(2);

    const expected = new Map([
      [alice.id, aliceKeys],
      [bob.id, bobKeys],
      [teamChannel, robotKeys],
    ]);
    for (const record of second.records) {
      const posted = messages.filter((m) => m.channel === record.channel);
      expect(posted).toHaveLength(1);
      expect(fingerprintsIn(posted[0]?.blocks).sort()).toEqual(expected.get(record.owner.id)?.map((f) => f.fingerprint).sort());
      if (record.owner.kind === "user") expect(record.channel).toMatch(/^D/);
      const buttons = (posted[0]?.blocks as { accessory?: { action_id: string } }[]).filter((b) => b.accessory);
      expect(buttons.map((b) => b.accessory?.action_id)).toEqual(expected.get(record.owner.id)?.map(() => ACCEPT_RISK_ACTION));
    }
    const everything = JSON.stringify(calls);
    expect(everything).not.toContain(alreadyTold.fingerprint);
    expect(everything).not.toContain(stranger.fingerprint);
    for (const call of calls) expect(call.raw).not.toContain(token);
  });
});
