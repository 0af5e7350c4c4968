/**
 * Enrichment in the Worker (workerd, the real Workflow): the `enrich` steps between the inventory and
 * "evaluate and record" put the creator, requests and spend on the recorded run's findings, the Slack
 * thread and the stored inventory; an organization without audit logging still completes, saying
 * once that the creator is unavailable. wrangler.toml sets ENRICH to every source.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/model/run.js";
import { DAY_SECONDS } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { api, sim, slack, startRun, waitForRun } from "./helpers.js";

const ENRICHMENT_PATHS = ["/v1/organization/audit_logs", "/v1/organization/usage/completions", "/v1/organization/costs"];

beforeEach(async () => {
  await slack.reset();
});

async function audit(): Promise<AuditRun> {
  const { id } = await waitForRun(await startRun());
  return (await (await api(`/runs/${id}`)).json()) as AuditRun;
}

describe("the Workflow's enrichment", () => {
  it("puts the creator and the spend on the findings, in the Slack thread and in the stored inventory", async () => {
    const org = sampleOrg(new Date());
    await sim.reset(org);
    const run = await audit();
    expect(run.status).toBe("complete");
    expect(run.enrichment).toEqual({ sources: ["audit_log", "usage", "costs"], api_requests: 3 });
    expect(run.enrichment_errors).toEqual([]);
    const requests = await sim.requests();
    expect(requests.filter((r) => ENRICHMENT_PATHS.includes(r.path)).map((r) => r.path).sort()).toEqual([...ENRICHMENT_PATHS].sort());

    const finding = run.findings.find((f) => f.rule_id === "service-account-owner" && f.key.id === "key_data_deploy");
    const nowS = Date.now() / 1000;
    const usage = (org.usage ?? []).filter((r) => r.api_key_id === "key_data_deploy" && r.at >= nowS - 30 * DAY_SECONDS);
    const requestsMade = usage.reduce((n, r) => n + r.num_model_requests, 0);
    expect(finding?.key).toMatchObject({ created_by: { display: "alice@example.com via API key key_admin_retired" }, requests_30d: requestsMade });
    expect(finding?.key.spend_30d_usd).toBeCloseTo(
      usage.reduce((n, r) => n + r.input_cost_usd + r.output_cost_usd, 0),
      6,
    );

    const thread = (await slack.calls()).calls.filter((c) => c.method === "chat.postMessage" && c.body.thread_ts);
    const section = thread.flatMap((c) => c.body.blocks ?? []).find((b) => b.block_id === `f-${finding?.fingerprint}`)?.text?.text ?? "";
    expect(section).toContain(`created by alice@example.com via API key key_admin_retired · ${requestsMade} requests, spent $`);

    const csv = await (await api(`/runs/${run.id}/evidence/inventory.csv`)).text();
    const row = csv.split("\r\n").find((line) => line.includes(",key_data_deploy,"));
    expect(row).toContain(",alice@example.com via API key key_admin_retired,user,user_alice,alice@example.com,,");
  });

  it("an organization without audit logging: complete, creator unavailable once, no inventory error", async () => {
    await sim.reset({ ...sampleOrg(new Date()), auditLoggingEnabled: false });
    const run = await audit();
    expect(run.status).toBe("complete");
    expect(run.errors).toEqual([]);
    expect(run.enrichment_errors).toEqual([expect.objectContaining({ source: "audit_log", status: 403, message: expect.stringMatching(/^creator unavailable: /) })]);
    expect(run.findings.length).toBeGreaterThan(0);
    expect(run.findings.every((f) => f.key.created_by === null && typeof f.key.spend_30d_usd === "number")).toBe(true);
  });
});
