import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { api, env, sim, slack, waitForRun, waitForWorkflow } from "./helpers.js";

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
});
afterEach(() => vi.restoreAllMocks());

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

async function storedFailure(id: string): Promise<{ status: string; failure?: { reason: string }; delivery?: { status: string } }> {
  return (await (await api(`/runs/${id}`)).json()) as never;
}

async function failurePostsFor(id: string): Promise<string[]> {
  const { calls } = await slack.calls();
  return calls.filter((c) => c.method === "chat.postMessage" && JSON.stringify(c.body).includes(id)).map((c) => JSON.stringify(c.body));
}

describe("a run a later trigger finds abandoned or hung", () => {
  it("is recorded as failed and reported to Slack when its durable run was never created, and the new run starts", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const orphan = "run_20261101T000000Z_0rphan";
    await env.DB.prepare("INSERT INTO runs (id, trigger, policy_name, notify, status, active, started_at) VALUES (?, 'cron', 'default', 1, 'running', 1, ?)")
      .bind(orphan, hoursAgo(1))
      .run();
    const response = await api("/runs", { method: "POST", body: JSON.stringify({ notify: false }) });
    expect(response.status).toBe(202);
    const started = (await response.json()) as { id: string; started: boolean };
    expect(started).toMatchObject({ started: true });
    expect(started.id).not.toBe(orphan);

    expect(await storedFailure(orphan)).toMatchObject({
      status: "failed",
      failure: { reason: "the durable run was never created (the trigger stopped before starting it)" },
      delivery: { status: "delivered" },
    });
    const posts = await failurePostsFor(orphan);
    expect(posts).toHaveLength(1);
    expect(posts[0]).toContain("The audit failed: the durable run was never created");
    await waitForRun(started.id);
  });

  it("stops a durable run still going after 24 hours as hung, records and reports it, and starts the new run", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    // A run whose Admin API answers too slowly for it to finish before the next trigger, started (as
    // its row says) 25 hours ago. The slowness lasts until that trigger has answered: cleared earlier,
    // the instance could finish first and there would be nothing hung to stop.
    await sim.fault({ match: { pathPrefix: "/organization" }, effect: { kind: "latency", ms: 8_000 } });
    const hung = "run_20261101T000000Z_hung00";
    await env.DB.prepare("INSERT INTO runs (id, trigger, policy_name, notify, status, active, started_at) VALUES (?, 'cron', 'default', 1, 'running', 1, ?)")
      .bind(hung, hoursAgo(25))
      .run();
    await env.AUDIT_WORKFLOW.create({ id: hung, params: { run_id: hung, trigger: "cron", policy: "default", notify: true, started_at: hoursAgo(25) } });

    const response = await api("/runs", { method: "POST", body: JSON.stringify({ notify: false }) });
    const started = (await response.json()) as { id: string; started: boolean };
    expect(started.started).toBe(true);
    await sim.reset(sampleOrg(new Date()));
    await waitForWorkflow(hung);
    expect((await (await env.AUDIT_WORKFLOW.get(hung)).status()).status).toBe("terminated");
    expect(await storedFailure(hung)).toMatchObject({
      status: "failed",
      failure: { reason: expect.stringMatching(/^the durable run was still \w+ after 24 hours: stopped as hung$/) },
      delivery: { status: "delivered" },
    });
    expect(await failurePostsFor(hung)).toHaveLength(1);
    await waitForRun(started.id);
  });

  it("leaves a young run without an instance alone (its trigger may still be creating it)", async () => {
    const young = "run_20261101T000000Z_young0";
    await env.DB.prepare("INSERT INTO runs (id, trigger, policy_name, notify, status, active, started_at) VALUES (?, 'cron', 'default', 1, 'running', 1, ?)")
      .bind(young, new Date().toISOString())
      .run();
    const response = await api("/runs", { method: "POST" });
    expect(await response.json()).toMatchObject({ id: young, started: false });
    expect(await failurePostsFor(young)).toEqual([]);
    await env.DB.prepare("DELETE FROM runs WHERE id = ?").bind(young).run();
  });
});
