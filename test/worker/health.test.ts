import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { API_TOKEN, EVIDENCE_SIGNING_KEY, SIGNING_SECRET, env, sim, slack, startRun, waitForRun } from "./helpers.js";

const SECRETS = [API_TOKEN, SIGNING_SECRET, EVIDENCE_SIGNING_KEY, "sk-admin-sim-worker-tests-000000000000", "xoxb-keywarden-fake-0000000000-secret"];
const unmigrated = (env as unknown as { UNMIGRATED_DB: D1Database }).UNMIGRATED_DB;

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
});
afterEach(() => vi.restoreAllMocks());

async function call(path: string, overrides: Partial<Record<keyof Env, unknown>> = {}, init: RequestInit = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const response = await worker.fetch(new Request(`http://keywarden.test${path}`, init), { ...env, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

function expectNoSecret(text: string) {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

interface Health {
  ok: boolean;
  problems: string[];
  stale: boolean;
  last_complete_run: { id: string; finished_at: string } | null;
  stale_after_days: number;
}

describe("GET /healthz as a readiness check", () => {
  it("is 503 and stale before any run completed, then 200 with the last complete run once one did", async () => {
    const before = await call("/healthz");
    expect(before.status).toBe(503);
    const beforeText = await before.text();
    expectNoSecret(beforeText);
    const body = JSON.parse(beforeText) as Health;
    expect(body).toMatchObject({ ok: false, stale: true, last_complete_run: null, stale_after_days: 8 });
    expect(body.problems).toEqual(["stale: no run has completed yet (POST /runs starts one)"]);

    const id = await startRun({ notify: false });
    await waitForRun(id);
    const after = await call("/healthz");
    expect(after.status).toBe(200);
    const afterBody = (await after.json()) as Health;
    expect(afterBody).toMatchObject({ ok: true, stale: false, problems: [], last_complete_run: { id } });
    expect(after.headers.get("cache-control")).toBe("no-store");
  });

  it("is 503 and stale when the last complete run is older than STALE_AFTER_DAYS", async () => {
    // The run of the test above finished moments ago: fresh within a 1-day window too.
    expect((await call("/healthz", { STALE_AFTER_DAYS: "1" })).status).toBe(200);
    await env.DB.prepare("UPDATE runs SET finished_at = '2026-01-01T00:00:00.000Z' WHERE status = 'complete'").run();
    const stale = await call("/healthz");
    expect(stale.status).toBe(503);
    const body = (await stale.json()) as Health;
    expect(body.stale).toBe(true);
    expect(body.problems).toEqual([expect.stringMatching(/^stale: the last complete run finished 2026-01-01T00:00:00.000Z, more than 8 days ago \(STALE_AFTER_DAYS\)$/)]);
  });

  it("names invalid settings and never their values", async () => {
    const response = await call("/healthz", { OPENAI_ADMIN_KEY: "", OPENAI_BASE_URL: "ftp://secret-host.example", SLACK_CHANNEL: "" });
    expect(response.status).toBe(503);
    const text = await response.text();
    expectNoSecret(text);
    expect(text).not.toContain("secret-host");
    const body = JSON.parse(text) as Health;
    expect(body.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^setting OPENAI_ADMIN_KEY is not set/),
        expect.stringMatching(/^setting OPENAI_BASE_URL must be an http\(s\) URL/),
      ]),
    );
  });

  it("names every bad setting in one answer, each with its fix where the Worker runs", async () => {
    // Five settings wrong at once: one fix and restart must be enough to find them all.
    const bad = { OPENAI_BASE_URL: "ftp://x.example", SLACK_CHANNEL: "", REMEDIATION: "sometimes", ENRICH: "audit_log,everything", STALE_AFTER_DAYS: "0" };
    const deployed = (await (await call("/healthz", bad)).json()) as Health;
    const settings = deployed.problems.filter((p) => p.startsWith("setting "));
    expect(settings.map((p) => /^setting ([A-Z_]+)/.exec(p)?.[1]).sort()).toEqual(["ENRICH", "OPENAI_BASE_URL", "REMEDIATION", "SLACK_CHANNEL", "STALE_AFTER_DAYS"]);
    expect(settings.find((p) => p.includes("REMEDIATION"))).toMatch(/must be one of off, dry-run, on.*wrangler\.toml \[vars\].*npx wrangler deploy/);
    expect(settings.find((p) => p.includes("SLACK_CHANNEL"))).toMatch(/SLACK_BOT_TOKEN is set.*wrangler\.toml \[vars\]/);
    expect(settings.join("\n")).not.toContain(".dev.vars");

    const local = (await (await worker.fetch(new Request("http://127.0.0.1:8787/healthz"), { ...env, ...bad, OPENAI_ADMIN_KEY: "" } as Env, createExecutionContext())).json()) as Health;
    const admin = local.problems.find((p) => p.startsWith("setting OPENAI_ADMIN_KEY"));
    expect(admin).toMatch(/^setting OPENAI_ADMIN_KEY is not set.*\.dev\.vars.*restart wrangler dev/);
    expect(admin).not.toContain("wrangler secret put");
    expect(local.problems.filter((p) => p.startsWith("setting "))).toHaveLength(6);

    vi.spyOn(console, "error").mockImplementation(() => {});
    const post = await call("/runs", bad, { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(post.status).toBe(500);
    const { error } = (await post.json()) as { error: { code: string; message: string; problems: string[] } };
    expect(error.code).toBe("misconfigured");
    expect(error.problems).toHaveLength(5);
    for (const name of ["ENRICH", "OPENAI_BASE_URL", "REMEDIATION", "SLACK_CHANNEL", "STALE_AFTER_DAYS"]) expect(error.message).toContain(name);
    const row = await env.DB.prepare("SELECT summary_json FROM runs ORDER BY started_at DESC, id DESC LIMIT 1").first<{ summary_json: string }>();
    const failure = (JSON.parse(row!.summary_json) as { failure: { details: string[] } }).failure;
    expect(failure.details).toHaveLength(5);
  });

  it("names a POLICY that names no bundled policy as a setting; the cron records its failed run and POST /runs answers misconfigured", async () => {
    const health = (await (await call("/healthz", { POLICY: "nope" })).json()) as Health;
    expect(health.problems).toContainEqual(expect.stringMatching(/^setting POLICY names no bundled policy \("nope" is not in policies\/; available: .*default/));
    vi.spyOn(console, "error").mockImplementation(() => {});
    const post = await call("/runs", { POLICY: "nope" }, { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(post.status).toBe(500);
    expect(((await post.json()) as { error: { code: string; problems: string[] } }).error).toMatchObject({ code: "misconfigured", problems: [expect.stringMatching(/^POLICY names no bundled policy/)] });
    const ctx = createExecutionContext();
    await expect(worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "0 6 * * 1" }), { ...env, POLICY: "nope" } as unknown as Env, ctx)).rejects.toThrow(/POLICY names no bundled policy/);
    await waitOnExecutionContext(ctx);
    const row = await env.DB.prepare("SELECT status, trigger, summary_json FROM runs ORDER BY started_at DESC, id DESC LIMIT 1").first<{ status: string; trigger: string; summary_json: string }>();
    expect(row).toMatchObject({ status: "failed", trigger: "cron" });
    expect((JSON.parse(row!.summary_json) as { failure: { details: string[] } }).failure.details).toEqual([expect.stringMatching(/^POLICY names no bundled policy/)]);
  });

  it("says the D1 schema is not migrated and what to run", async () => {
    const response = await call("/healthz", { DB: unmigrated });
    expect(response.status).toBe(503);
    const body = (await response.json()) as Health;
    expect(body.problems).toEqual([expect.stringContaining("D1 is not migrated (missing 0001_run_history.sql, 0002_evidence.sql, 0003_slack_replay.sql, 0004_accepted_exemptions.sql, 0005_remediations.sql, 0006_acceptance_events.sql, 0007_one_open_remediation.sql, 0008_watch.sql): run npx wrangler d1 migrations apply DB")]);
  });
});

describe("an unmigrated D1", () => {
  it("answers POST /runs and GET /runs with 503 and the command to run, not a bare 500", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    for (const init of [{ method: "POST" }, { method: "GET" }]) {
      const response = await call("/runs", { DB: unmigrated }, { ...init, headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect(response.status).toBe(503);
      expect(await response.json()).toMatchObject({
        error: { code: "not_migrated", message: expect.stringContaining("npx wrangler d1 migrations apply DB") },
      });
    }
  });
});

describe("a trigger that cannot start a run", () => {
  it("records a failed cron run naming the setting, and tells Slack", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const controller = createScheduledController({ scheduledTime: new Date(), cron: "0 6 * * 1" });
    const broken = { ...env, OPENAI_ADMIN_KEY: "" } as Env;
    await expect(worker.scheduled(controller, broken, ctx)).rejects.toThrow(/OPENAI_ADMIN_KEY is not set/);
    await waitOnExecutionContext(ctx);

    const row = await env.DB.prepare("SELECT id, status, trigger, active, summary_json FROM runs ORDER BY started_at DESC, id DESC LIMIT 1").first<{
      id: string;
      status: string;
      trigger: string;
      active: number;
      summary_json: string;
    }>();
    expect(row).toMatchObject({ status: "failed", trigger: "cron", active: 0 });
    const summary = JSON.parse(row!.summary_json) as { failure: { reason: string; details: string[] }; delivery?: { status: string } };
    expect(summary.failure.reason).toBe("the run could not start: invalid configuration");
    expect(summary.failure.details).toEqual([expect.stringMatching(/^OPENAI_ADMIN_KEY is not set/)]);
    expect(summary.delivery?.status).toBe("delivered");

    const { calls } = await slack.calls();
    const post = calls.find((c) => c.method === "chat.postMessage");
    expect(JSON.stringify(post?.body)).toMatch(/The audit failed: the run could not start: invalid configuration/);
    expect(JSON.stringify(post?.body)).toContain("OPENAI_ADMIN_KEY is not set");
    expectNoSecret(JSON.stringify(calls.map((c) => c.body)));
    expect(errors.mock.calls.flat().join("\n")).toMatch(/cron trigger could not start a run \(recorded: true, Slack: delivered\)/);

    // The failed start holds no lock: the next trigger starts a run.
    const id = await startRun({ notify: false });
    expect((await waitForRun(id)).status).toBe("complete");
  });

  it("still records the failure when Slack itself is not usable", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const response = await call("/runs", { OPENAI_BASE_URL: "not a url", SLACK_CHANNEL: "" }, { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: "misconfigured", message: expect.stringContaining("OPENAI_BASE_URL must be an http(s) URL") } });
    const row = await env.DB.prepare("SELECT status, trigger FROM runs ORDER BY started_at DESC, id DESC LIMIT 1").first();
    expect(row).toEqual({ status: "failed", trigger: "http" });
    expect((await slack.calls()).calls).toEqual([]);
  });
});
