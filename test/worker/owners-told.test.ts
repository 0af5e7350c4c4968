/**
 * SLACK_NOTIFY_OWNERS through the real AuditWorkflow inside workerd (driven by the fault matrix's
 * harness, which lets one run see an env of its own): each owner gets one message with only their
 * findings, and the owners Slack does not know are named in the report's thread.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { ReplayingWorkflow } from "./failing-bindings.js";
import { API_TOKEN, api, env, sim, slack } from "./helpers.js";

interface Post {
  method: string;
  body: { channel?: string; thread_ts?: string; text?: string; blocks?: { block_id?: string; accessory?: { value: string } }[] };
  response: { channel?: string };
}

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  await fetch(`${slack.base}/__slack/users`, {
    method: "PUT",
    body: JSON.stringify({ users: [{ id: "U0BOB", email: "bob@example.com", name: "Bob Chen" }, { id: "U0DANA", email: "dana.ops@example.com", name: "Dana Ops" }] }),
  });
});
afterEach(() => vi.restoreAllMocks());

describe("owners are told (SLACK_NOTIFY_OWNERS=true)", () => {
  it("after the channel report: one message per owner with only their findings, the rest named in the thread, recorded on the run", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
    const harness = new ReplayingWorkflow({ ...env, SLACK_NOTIFY_OWNERS: "true" } as unknown as Env);
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request("http://keywarden.test/runs", { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}` } }),
      { ...env, AUDIT_WORKFLOW: harness.binding } as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const { id } = (await response.json()) as { id: string };
    expect((await harness.finished(id)).status).toBe("complete");

    const run = (await (await api(`/runs/${id}`)).json()) as {
      id: string;
      findings: { fingerprint: string; owner: { email: string | null } }[];
      owner_messages: { delivered: number; records: { owner: { id: string }; findings: string[]; status: string; channel: string }[]; unreachable: unknown[] };
    };
    expect(run.owner_messages.delivered).toBe(2);
    const { calls } = (await (await fetch(`${slack.base}/__slack/calls`)).json()) as { calls: Post[] };
    const posts = calls.filter((c) => c.method === "chat.postMessage");
    for (const record of run.owner_messages.records) {
      const email = record.owner.id === "U0BOB" ? "bob@example.com" : "dana.ops@example.com";
      const theirs = run.findings.filter((f) => f.owner.email?.toLowerCase() === email).map((f) => f.fingerprint);
      expect([...record.findings].sort()).toEqual([...theirs].sort());
      // Their direct messages hold exactly their findings, each with its Accept-risk button (naming this run and the finding).
      const inTheirDm = posts
        .filter((p) => p.response.channel === record.channel)
        .flatMap((p) => p.body.blocks ?? [])
        .flatMap((b) => (b.accessory ? [b.accessory.value] : []));
      expect(record.channel).toMatch(/^D/);
      expect([...inTheirDm].sort()).toEqual(theirs.map((fingerprint) => `${run.id}:${fingerprint}`).sort());
    }
    // The owners Slack does not know are named in a reply in the report's thread.
    const reply = posts.find((p) => p.body.thread_ts && String(p.body.text).startsWith("*Owner messages:*"));
    expect(reply?.body.text).toContain("alice@example.com");
    expect(run.owner_messages.unreachable.length).toBeGreaterThan(0);
  });
});
