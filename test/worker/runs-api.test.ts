import { introspectWorkflow } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { generateOrg } from "../../src/sim/generate.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { API_TOKEN, api, env, runCount, sim, startRun, waitForRun } from "./helpers.js";

beforeEach(() => sim.reset(sampleOrg(new Date())));

describe("POST /runs and GET /runs/:id", () => {
  it("accepts a run (202 + Location) that a client polls until complete with the sample org's findings", async () => {
    const response = await api("/runs", { method: "POST", body: JSON.stringify({ notify: false }) });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; status: string; started: boolean };
    expect(body).toMatchObject({ status: "running", started: true });
    expect(response.headers.get("location")).toBe(`/runs/${body.id}`);

    const running = (await (await api(`/runs/${body.id}`)).json()) as { status: string };
    expect(["running", "complete"]).toContain(running.status);

    const run = await waitForRun(body.id);
    expect(run.status).toBe("complete");
    expect(run.trigger).toBe("http");
    expect(run.counts.findings.total).toBe(15);
    expect(run.findings).toHaveLength(15);
    expect(run.findings.map((f) => `${f.rule_id} ${f.key.id}`)).toContain("unused-90d key_admin_breakglass");
    expect(run.lifecycle).toMatchObject({ new: 15, open: 0, resolved: 0 });
  });

  it("lists runs newest first with a cursor", async () => {
    const first = await startRun();
    await waitForRun(first);
    const second = await startRun();
    await waitForRun(second);
    const page1 = (await (await api("/runs?limit=1")).json()) as { runs: { id: string; status: string; findings: number }[]; next_cursor: string | null };
    expect(page1.runs.map((r) => r.id)).toEqual([second]);
    expect(page1.runs[0]).toMatchObject({ status: "complete", findings: 15 });
    const page2 = (await (await api(`/runs?limit=1&cursor=${page1.next_cursor}`)).json()) as { runs: { id: string }[] };
    expect(page2.runs.map((r) => r.id)).toEqual([first]);
  });
});

describe("errors", () => {
  it("401 without a token or with a wrong one, compared in constant time, and no run starts", async () => {
    const before = await runCount();
    for (const token of [null, "wrong-token", `${API_TOKEN}x`, API_TOKEN.slice(0, -1)]) {
      const response = await api("/runs", { method: "POST", token });
      expect(response.status, String(token)).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
    }
    expect(await (await api("/runs", { token: null })).json()).toMatchObject({ error: { code: "unauthorized" } });
    expect(await runCount()).toBe(before);
  });

  it("400 for a bad body, naming the field, and no run starts", async () => {
    const before = await runCount();
    const cases: [string, string][] = [
      ["{not json", "(body)"],
      [JSON.stringify({ notify: "yes" }), "notify"],
      [JSON.stringify({ polcy: "default" }), "polcy"],
      [JSON.stringify({ policy: "Bad Name" }), "policy"],
      [JSON.stringify({ policy: "strict" }), "policy"],
    ];
    for (const [body, field] of cases) {
      const response = await api("/runs", { method: "POST", body });
      expect(response.status, body).toBe(400);
      const error = ((await response.json()) as { error: { field: string; message: string } }).error;
      expect(error.field, body).toBe(field);
    }
    const query = await api("/runs?notify=maybe", { method: "POST" });
    expect(query.status).toBe(400);
    expect(await runCount()).toBe(before);
  });

  it("404 for an unknown run and route, 405 for a wrong method, all as JSON", async () => {
    const missing = await api("/runs/run_20260101T000000Z_abcdef");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "not_found" } });
    const wrong = await api("/runs", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toBe("GET, POST");
    expect(await wrong.json()).toMatchObject({ error: { code: "method_not_allowed" } });
    // A trailing slash is another path: a 404, not a 405 that names the very method used.
    const slash = await api("/runs/");
    expect(slash.status).toBe(404);
  });
});

describe("durability", () => {
  it("two concurrent triggers produce one run", async () => {
    const before = await runCount();
    const [a, b] = await Promise.all([api("/runs", { method: "POST" }), api("/runs", { method: "POST" })]);
    const bodies = (await Promise.all([a.json(), b.json()])) as { id: string; started: boolean }[];
    expect(bodies[0]!.id).toBe(bodies[1]!.id);
    expect(bodies.map((x) => x.started).sort()).toEqual([false, true]);
    await waitForRun(bodies[0]!.id);
    expect(await runCount()).toBe(before + 1);
  });

  it("retries an inventory step that fails transiently, and the run still completes", async () => {
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.disableSleeps();
    });
    // A wait longer than the client may hold an isolate for, twice: the client gives the page up at once
    // and the Workflow tries the step again after a durable sleep (src/util/retry.ts); its last attempt reads it.
    await sim.fault({ match: { path: "/organization/projects/proj_ml/api_keys" }, times: 2, effect: { kind: "status", status: 429, retryAfter: 3600 } });
    const id = await startRun();
    const run = await waitForRun(id);
    expect(run.status).toBe("complete");
    expect(run.counts.project_keys).toBe(11);
    const attempts = (await sim.requests()).filter((r) => r.path === "/v1/organization/projects/proj_ml/api_keys").map((r) => r.status);
    expect(attempts).toEqual([429, 429, 200]);
  });

  it("leaves a request the client retried to the end to the client: 503 on every attempt of one page is not asked again by the step", async () => {
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.disableSleeps();
    });
    await sim.fault({ match: { path: "/organization/projects/proj_ml/api_keys" }, times: 4, effect: { kind: "status", status: 503, retryAfter: 0 } });
    const run = await waitForRun(await startRun());
    expect(run.status).toBe("incomplete");
    expect(run.errors).toEqual([expect.objectContaining({ where: 'API keys of project "ml-research" (proj_ml)' })]);
    const attempts = (await sim.requests()).filter((r) => r.path === "/v1/organization/projects/proj_ml/api_keys").map((r) => r.status);
    expect(attempts).toEqual([503, 503, 503, 503]);
  });

  it("a persistent inventory failure gives incomplete, naming what was not seen", async () => {
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.disableSleeps();
    });
    await sim.fault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 500 } });
    const run = await waitForRun(await startRun());
    expect(run.status).toBe("incomplete");
    expect(run.errors).toEqual([expect.objectContaining({ where: 'API keys of project "ml-research" (proj_ml)' })]);
    expect(run.findings.length).toBeGreaterThan(0);
  });
});

describe("an organization larger than one invocation's subrequest budget", () => {
  it("is audited completely in steps that each stay within AUDIT_SUBREQUESTS_PER_STEP", async () => {
    const org = generateOrg({ projects: 300, keysPerProject: 2, users: 150, adminKeys: 4, now: new Date(), seed: 5 });
    await sim.reset(org);
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    const id = await startRun({ notify: false });
    const [instance] = await introspector.get();
    await instance!.waitForStatus("complete");
    const output = (await instance!.getOutput()) as { step_requests: number[] };
    const run = await waitForRun(id);

    expect(run.status).toBe("complete");
    expect(run.counts.projects).toBe(300);
    expect(run.counts.project_keys).toBe(600);
    const requests = await sim.requests();
    expect(output.step_requests.reduce((a, b) => a + b, 0)).toBe(requests.length);
    const largest = Math.max(...output.step_requests);
    expect(largest).toBeLessThanOrEqual(45);
    expect(output.step_requests.length).toBeGreaterThanOrEqual(Math.ceil(requests.length / 45));
  });
});
