import { introspectWorkflow } from "cloudflare:test";
import type { AuditRun } from "../../src/model/run.js";
import { beforeEach, describe, expect, it } from "vitest";
import { generateOrg } from "../../src/sim/generate.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type SlackCall, api, env, sim, slack, startRun, waitForRun, waitForWorkflow } from "./helpers.js";

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
});

const posts = (calls: SlackCall[]) => calls.filter((c) => c.method === "chat.postMessage" && c.status === 200);
const findingBlockIds = (call: SlackCall) => (call.body.blocks ?? []).map((b) => b.block_id ?? "").filter((id) => id.startsWith("f-"));
const allText = (call: SlackCall) => JSON.stringify(call.body.blocks ?? []);

async function auditAndReport(body?: unknown) {
  const id = await startRun(body);
  await waitForWorkflow(id);
  return { run: await waitForRun(id), slack: await slack.calls() };
}

describe("the Slack report of a run", () => {
  it("posts one message in the channel and every finding in its thread, plus the CSV, and records the delivery", async () => {
    const { run, slack: recorded } = await auditAndReport();
    const [main, ...thread] = posts(recorded.calls);
    expect(main!.body.channel).toBe("C0KEYWARDEN");
    expect(main!.body.thread_ts).toBeUndefined();
    expect(main!.body.text).toBeTruthy();
    expect(main!.body.blocks![0]).toMatchObject({ type: "header" });
    expect(allText(main!)).toContain("default");
    for (const reply of thread) expect(reply.body.thread_ts).toBeTruthy();
    const delivered = thread.flatMap(findingBlockIds);
    expect(delivered.sort()).toEqual(run.findings.map((f) => `f-${f.fingerprint}`).sort());
    expect(recorded.uploads).toHaveLength(1);
    expect(recorded.uploads[0]!.completed).toBe(true);
    expect(recorded.uploads[0]!.content.split("\r\n").filter(Boolean)).toHaveLength(run.counts.findings.total + 1);
    const stored = (await (await api(`/runs/${run.id}`)).json()) as { delivery: { status: string; findings_delivered: number } };
    expect(stored.delivery).toMatchObject({ status: "delivered", findings_delivered: 15 });
  });

  it("says with each finding what to do and links its key's page in the OpenAI dashboard", async () => {
    const { run: stored, slack: recorded } = await auditAndReport();
    const run = (await (await api(`/runs/${stored.id}`)).json()) as AuditRun;
    const sections = posts(recorded.calls)
      .slice(1)
      .flatMap((call) => call.body.blocks ?? [])
      .filter((block) => block.block_id?.startsWith("f-"));
    expect(sections).toHaveLength(run.findings.length);
    for (const finding of run.findings) {
      const section = sections.find((block) => block.block_id === `f-${finding.fingerprint}`)?.text?.text ?? "";
      expect(finding.remediation).toBeTruthy();
      expect(section).toContain(`:wrench: ${finding.remediation}`);
      const page = finding.project ? `https://platform.openai.com/settings/${finding.project.id}/api-keys` : "https://platform.openai.com/settings/organization/admin-keys";
      expect(finding.dashboard_url).toBe(page);
      expect(section).toContain(`<${page}|Manage in OpenAI>`);
    }
    const csv = recorded.uploads[0]!.content.split("\r\n")[0]!;
    // The uploaded CSV is the evidence's findings.csv: advice and link, then what the enrichment knows of the key
    // (not the IP address it was created from: that stays in the evidence inventory, out of the channel), then
    // whose key it is (issue 19).
    expect(csv.endsWith(",sentence,remediation,dashboard_url,created_by,created_by_type,created_by_id,created_by_email,requests_30d,spend_30d_usd,provider,account")).toBe(true);
  });

  it("posts nothing for a notify: false run", async () => {
    const { run, slack: recorded } = await auditAndReport({ notify: false });
    expect(run.status).toBe("complete");
    expect(recorded.calls).toEqual([]);
  });

  // Many findings through the Workflow: several thread pages, so past the burst every reply is paced at
  // 1 s (test/unit/slack-render.test.ts renders 500; a bigger organization here only waits longer).
  it("delivers 150+ findings in full, every message within Slack's limits, counts matching", async () => {
    await sim.reset(generateOrg({ projects: 36, keysPerProject: 5, users: 60, adminKeys: 4, now: new Date(), seed: 9 }));
    const { run, slack: recorded } = await auditAndReport();
    expect(run.counts.findings.total).toBeGreaterThanOrEqual(150);
    expect(posts(recorded.calls).length).toBeGreaterThan(4);
    const all = posts(recorded.calls);
    expect(recorded.calls.filter((c) => c.method === "chat.postMessage" && c.status !== 200)).toEqual([]);
    for (const call of all) {
      expect(call.body.blocks!.length).toBeLessThanOrEqual(50);
      for (const block of call.body.blocks!) expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
      expect(call.body.text).toBeTruthy();
    }
    const delivered = all.slice(1).flatMap(findingBlockIds);
    expect(delivered).toHaveLength(run.counts.findings.total);
    expect(new Set(delivered).size).toBe(run.counts.findings.total);
    expect(allText(all[0]!)).toContain(String(run.counts.findings.total));
  });

  it("waits out a 429 and then delivers", async () => {
    await slack.fault({ method: "chat.postMessage", times: 1, effect: { kind: "ratelimit", retryAfter: 1 } });
    const { run, slack: recorded } = await auditAndReport();
    expect(recorded.calls.filter((c) => c.method === "chat.postMessage").map((c) => c.status).slice(0, 2)).toEqual([429, 200]);
    const stored = (await (await api(`/runs/${run.id}`)).json()) as { delivery: { status: string } };
    expect(stored.delivery.status).toBe("delivered");
  });

  it("records a delivery that keeps failing on the run, after the durable run retried it", async () => {
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.disableSleeps();
    });
    await slack.fault({ method: "chat.postMessage", effect: { kind: "error", error: "channel_not_found" } });
    const { run, slack: recorded } = await auditAndReport();
    expect(run.status).toBe("complete");
    const stored = (await (await api(`/runs/${run.id}`)).json()) as { delivery: { status: string; stage: string; error: string; attempts: number } };
    expect(stored.delivery).toMatchObject({ status: "failed", stage: "main", attempts: 3 });
    expect(stored.delivery.error).toContain("channel_not_found");
    expect(recorded.calls.filter((c) => c.method === "chat.postMessage")).toHaveLength(3);
  });

  it("opens an incomplete run with a red warning naming what was not seen", async () => {
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.disableSleeps();
    });
    await sim.fault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 500 } });
    const { run, slack: recorded } = await auditAndReport();
    expect(run.status).toBe("incomplete");
    const main = posts(recorded.calls)[0]!;
    expect(allText(main)).toMatch(/INCOMPLETE/);
    expect(allText(main)).toContain("ml-research");
    expect(allText(main)).not.toMatch(/all clear/i);
  });

  it("posts an alert with the reason for a failed run", async () => {
    await sim.fault({ match: { pathPrefix: "/organization" }, effect: { kind: "status", status: 401 } });
    const { run, slack: recorded } = await auditAndReport();
    expect(run.status).toBe("failed");
    const main = posts(recorded.calls)[0]!;
    expect(allText(main)).toMatch(/FAILED/);
    expect(allText(main)).toContain("401");
  });
});
