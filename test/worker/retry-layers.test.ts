/**
 * One retry policy per request (src/util/retry.ts): the Admin API client tries a request at most
 * DEFAULT_RETRY_POLICY.maxAttempts times, and the Workflow's step retries never multiply that. A step
 * is tried again only for a failure the client did not retry to the end (a wait longer than it may
 * hold an isolate for), after a durable sleep.
 */
import { introspectWorkflow } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { DEFAULT_RETRY_POLICY } from "../../src/util/retry.js";
import { env, sim, slack, startRun, waitForRun } from "./helpers.js";

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
});

/** A run on miniflare's Workflows engine, its durable sleeps and retry delays off. */
async function audit(body?: unknown) {
  await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
  await introspector.modifyAll(async (m) => {
    await m.disableSleeps();
    await m.disableRetryDelays();
  });
  const id = await startRun(body);
  return await waitForRun(id);
}

async function statusesOf(path: string): Promise<number[]> {
  return (await sim.requests()).filter((r) => r.path === `/v1${path}`).map((r) => r.status);
}

describe("a request that keeps failing", () => {
  it("one inventory page is tried maxAttempts times in all, not once more per attempt of its step", async () => {
    const page = "/organization/projects/proj_ml/api_keys";
    await sim.fault({ match: { path: page }, effect: { kind: "status", status: 503, retryAfter: 0 } });
    const run = await audit({ notify: false });
    expect(run.status).toBe("incomplete");
    expect(await statusesOf(page)).toEqual(Array(DEFAULT_RETRY_POLICY.maxAttempts).fill(503));
  });

  it("one enrichment page is tried maxAttempts times in all", async () => {
    const page = "/organization/costs";
    await sim.fault({ match: { path: page }, effect: { kind: "status", status: 503, retryAfter: 0 } });
    const run = await audit({ notify: false });
    expect(run.status).toBe("complete");
    expect(await statusesOf(page)).toEqual(Array(DEFAULT_RETRY_POLICY.maxAttempts).fill(503));
  });
});

describe("a wait longer than the client may hold an isolate for", () => {
  it("a Retry-After above the cap is waited out by the step's durable sleep, and the page is read on its next attempt", async () => {
    const page = "/organization/projects/proj_ml/api_keys";
    await sim.fault({ match: { path: page }, times: 1, effect: { kind: "status", status: 429, retryAfter: 3600 } });
    const run = await audit({ notify: false });
    expect(run.status).toBe("complete");
    expect(await statusesOf(page)).toEqual([429, 200]);
  });
});
