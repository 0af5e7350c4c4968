import { createExecutionContext, createScheduledController, introspectWorkflow, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { env, sim, waitForRun } from "./helpers.js";

beforeEach(() => sim.reset(sampleOrg(new Date())));
afterEach(() => vi.restoreAllMocks());

describe("the weekly cron in workerd", () => {
  it("starts a durable run with trigger cron that audits the sample organization and is stored", async () => {
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    const controller = createScheduledController({ scheduledTime: new Date("2026-11-23T06:00:00Z"), cron: "0 6 * * 1" });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);

    const line = log.mock.calls.map((c) => c.join(" ")).find((l) => l.includes("cron 2026-11-23T06:00:00.000Z started run"));
    const id = /started run (run_\S+)/.exec(line ?? "")?.[1];
    expect(id).toBeDefined();
    const [instance] = await introspector.get();
    await instance!.waitForStatus("complete");

    const run = await waitForRun(id!);
    expect(run).toMatchObject({ id, status: "complete", trigger: "cron" });
    expect(run.counts).toMatchObject({ admin_keys: 3, project_keys: 11, projects: 4 });
    // The default policy has no exemption: the break-glass key's disuse is a finding too.
    expect(run.counts.findings.total).toBe(15);
    for (const r of (await sim.requests()).filter((r) => r.path.endsWith("/api_keys"))) expect(r.query.owner_project_access).toBe("any");
  });
});

describe("GET /healthz", () => {
  it("answers without auth and without secrets (ok once the cron run above completed)", async () => {
    const { exports } = await import("cloudflare:workers");
    const response = await exports.default.fetch("http://keywarden.test/healthz");
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ ok: true, service: "keywarden", problems: [], stale: false });
    expect(body).not.toMatch(/sk-admin|test-api-token/);
  });
});
