import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import worker from "../../src/index.js";

const simUrl = inject("simUrl");
const simAdminKey = inject("simAdminKey");
const simControl = simUrl.replace(/\/v1$/, "/__sim");

async function simRequests(): Promise<{ path: string; query: Record<string, string>; status: number }[]> {
  return ((await (await fetch(`${simControl}/requests`)).json()) as { requests: never }).requests;
}

afterEach(async () => {
  await fetch(`${simControl}/faults`, { method: "DELETE" });
  await fetch(`${simControl}/requests`, { method: "DELETE" });
  vi.restoreAllMocks();
});

async function runCron(overrides: Record<string, string>) {
  const log = vi.spyOn(console, "log").mockImplementation(() => {});
  const error = vi.spyOn(console, "error").mockImplementation(() => {});
  const controller = createScheduledController({ scheduledTime: new Date("2026-11-23T06:00:00Z"), cron: "0 6 * * 1" });
  const ctx = createExecutionContext();
  await worker.scheduled(controller, { ...env, OPENAI_ADMIN_KEY: simAdminKey, OPENAI_BASE_URL: simUrl, ...overrides } as Env, ctx);
  await waitOnExecutionContext(ctx);
  const lines = [...log.mock.calls, ...error.mock.calls].map((call) => call.join(" "));
  return { lines, errorLines: error.mock.calls.map((call) => call.join(" ")) };
}

describe("scheduled handler in workerd", () => {
  it("audits the whole sample organization through the SDK and logs a one-line summary", async () => {
    const { lines, errorLines } = await runCron({});
    expect(errorLines).toEqual([]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^keywarden run_\d{8}T\d{6}Z_[0-9a-f]{6} complete: 3 admin keys, 11 project keys in 4 projects; \d+ findings \(.*critical.*\) \(cron 2026-11-23T06:00:00.000Z\)$/);
    const requests = await simRequests();
    expect(requests).toHaveLength(7);
    for (const r of requests.filter((r) => r.path.endsWith("/api_keys"))) expect(r.query.owner_project_access).toBe("any");
  });

  it("logs an incomplete run, naming the project it could not see, when a project's key list keeps failing", async () => {
    await fetch(`${simControl}/faults`, {
      method: "POST",
      body: JSON.stringify({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 500 } }),
    });
    const { errorLines } = await runCron({});
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(/ incomplete: .*NOT SEEN: API keys of project "ml-research" \(proj_ml\)/);
  });

  it("logs a failed run on a rejected admin key without ever printing the key", async () => {
    const wrongKey = "sk-admin-wrong-worker-key-zyxwvutsrqponmlkjih";
    const { lines } = await runCron({ OPENAI_ADMIN_KEY: wrongKey });
    expect(lines.join("\n")).toMatch(/ failed: .*HTTP 401/);
    expect(lines.join("\n")).not.toContain("zyxwvutsrqponmlkjih");
  });

  it("refuses to run with a missing admin key, naming the setting", async () => {
    await expect(runCron({ OPENAI_ADMIN_KEY: "" })).rejects.toThrow(/OPENAI_ADMIN_KEY/);
    expect(await simRequests()).toEqual([]);
  });
});

describe("HTTP", () => {
  it("answers GET /healthz without auth and without secrets", async () => {
    const response = await exports.default.fetch("http://keywarden.test/healthz");
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ ok: true });
    expect(body).not.toContain("sk-admin");
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await exports.default.fetch("http://keywarden.test/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
