import { beforeAll, describe, expect, it } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { API_TOKEN, api, runCount, sim, slack, startRun, waitForWorkflow } from "./helpers.js";

/** Wrong tokens of exactly AUDIT_API_TOKEN's length: a check that compared only lengths would let each one in. */
function sameLengthImpostors(): [string, string][] {
  const flip = (i: number) => `${API_TOKEN.slice(0, i)}${API_TOKEN[i] === "x" ? "y" : "x"}${API_TOKEN.slice(i + 1)}`;
  return [
    ["first character changed", flip(0)],
    ["middle character changed", flip(Math.floor(API_TOKEN.length / 2))],
    ["last character changed", flip(API_TOKEN.length - 1)],
    ["upper case", API_TOKEN.toUpperCase()],
    ["all x", "x".repeat(API_TOKEN.length)],
  ];
}

let runId: string;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  runId = await startRun({ notify: false });
  await waitForWorkflow(runId);
});

describe("the bearer token of the HTTP API", () => {
  it("lets the right token read runs and evidence (so the refusals below are about the token)", async () => {
    expect((await api("/runs")).status).toBe(200);
    expect((await api(`/runs/${runId}`)).status).toBe(200);
    expect((await api(`/runs/${runId}/evidence`)).status).toBe(200);
    expect((await api(`/evidence?from=${today}&to=${today}`)).status).toBe(200);
  });

  it.each(sameLengthImpostors())("refuses a wrong token of the same length (%s) on /runs and /evidence with 401", async (_, token) => {
    expect(token).toHaveLength(API_TOKEN.length);
    expect(token).not.toBe(API_TOKEN);
    for (const path of ["/runs", `/runs/${runId}`, `/runs/${runId}/evidence`, `/runs/${runId}/evidence/findings.json`, `/evidence?from=${today}&to=${today}`]) {
      const response = await api(path, { token });
      expect(response.status, path).toBe(401);
      expect(response.headers.get("www-authenticate"), path).toBe('Bearer realm="keywarden", error="invalid_token"');
      expect(await response.json(), path).toEqual({ error: { code: "unauthorized", message: "invalid bearer token" } });
    }
  });

  it("starts no run for a wrong token of the same length", async () => {
    const runs = await runCount();
    await sim.reset();
    for (const [, token] of sameLengthImpostors()) {
      const response = await api("/runs", { method: "POST", token });
      expect(response.status).toBe(401);
      expect(await response.text()).not.toContain("run_");
    }
    expect(await runCount()).toBe(runs);
    expect(await sim.requests()).toEqual([]);
  });

  it("refuses a token that is a prefix or an extension of the right one", async () => {
    for (const token of [API_TOKEN.slice(0, -1), `${API_TOKEN}0`, `${API_TOKEN}${API_TOKEN}`, API_TOKEN.slice(1)]) {
      expect((await api("/runs", { token })).status, token).toBe(401);
      expect((await api(`/evidence?from=${today}&to=${today}`, { token })).status, token).toBe(401);
    }
  });

  it("guards every spelling of the protected paths", async () => {
    for (const path of ["/runs/", `/runs/${runId}/`, `/evidence/?from=${today}&to=${today}`, `/runs/${runId}/evidence/`]) {
      const response = await api(path, { token: null });
      expect([401, 404], path).toContain(response.status);
    }
  });
});

describe("an AUDIT_API_TOKEN nobody should use", () => {
  // The placeholder of .dev.vars.example is known to every reader of the repository, and "off" is the
  // word that turns a feature off: neither may open the API, even presented exactly.
  it.each([
    ["the placeholder of .dev.vars.example", "change-me-to-a-long-random-string"],
    ["off", "off"],
  ])("refuses every bearer request while the token is %s, saying the API is disabled", async (_, configured) => {
    const { default: worker } = await import("../../src/index.js");
    const { createExecutionContext, env, waitOnExecutionContext } = await import("cloudflare:test");
    const ctx = createExecutionContext();
    const request = new Request("http://keywarden.test/runs", { headers: { authorization: `Bearer ${configured}` } });
    const response = await worker.fetch(request, { ...env, AUDIT_API_TOKEN: configured } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain("this API is disabled until AUDIT_API_TOKEN is set");
    expect(text).not.toContain(configured === "off" ? "\"runs\"" : configured);
  });
});
