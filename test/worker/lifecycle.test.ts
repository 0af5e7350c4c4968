import { introspectWorkflow } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { env, sim, startRun, waitForRun } from "./helpers.js";

// Its own file: D1 storage is isolated per test file, so this history starts empty.
beforeEach(() => sim.reset(sampleOrg(new Date())));

describe("finding lifecycle across runs", () => {
  it("is new, then open, then resolved once the key is gone; an incomplete run resolves nothing", async () => {
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.disableSleeps();
    });
    const org = sampleOrg(new Date());
    const first = await waitForRun(await startRun());
    expect(first.findings.every((f) => f.lifecycle === "new")).toBe(true);

    const second = await waitForRun(await startRun());
    expect(second.lifecycle).toMatchObject({ new: 0, open: 15, resolved: 0 });
    expect(second.findings.every((f) => f.lifecycle === "open")).toBe(true);

    // Mallory's key is revoked, but the data-pipeline project cannot be read: nothing may be resolved.
    const withoutMallory = { ...org, projectKeys: { ...org.projectKeys, proj_web: org.projectKeys.proj_web!.filter((k) => k.id !== "key_web_mallory") } };
    await sim.reset(withoutMallory);
    await sim.fault({ match: { path: "/organization/projects/proj_data/api_keys" }, effect: { kind: "status", status: 500 } });
    const incomplete = await waitForRun(await startRun());
    expect(incomplete.status).toBe("incomplete");
    expect(incomplete.lifecycle).toMatchObject({ resolved: 0, resolved_findings: [] });

    await sim.reset(withoutMallory);
    const third = await waitForRun(await startRun());
    expect(third.status).toBe("complete");
    expect(third.lifecycle).toMatchObject({ new: 0, open: 14, resolved: 1 });
    expect(third.lifecycle!.resolved_findings).toEqual([expect.objectContaining({ rule_id: "owner-not-allowed", key_id: "key_web_mallory" })]);

    // The key comes back: the finding is new again.
    await sim.reset(org);
    const fourth = await waitForRun(await startRun());
    expect(fourth.findings.find((f) => f.key.id === "key_web_mallory")?.lifecycle).toBe("new");
  });
});

