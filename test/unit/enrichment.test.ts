/**
 * Enrichment (docs/enrichment.md) against the simulator: the creator from the audit log, requests
 * and spend over 30 days from usage and costs, on each key, its findings, the reports and the
 * inventory of the evidence; and what happens when a source is off, failing or refused.
 */
import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type PolicySource, runAuditWithInventory } from "../../src/audit/run.js";
import type { AuditRun } from "../../src/model/run.js";
import { main } from "../../src/cli/main.js";
import type { CliIo } from "../../src/cli/io.js";
import { ENRICH_SOURCES, type EnrichSource } from "../../src/model/enrichment.js";
import type { KeyRecord } from "../../src/model/inventory.js";
import { buildRunEvidence } from "../../src/evidence/index.js";
import { findingText } from "../../src/slack/format.js";
import { renderTextReport } from "../../src/report/text.js";
import { DAY_SECONDS, type SimOrg, unixSeconds } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { parseCsv } from "../support/csv-parse.js";

const ADMIN_KEY = "sk-admin-enrichment-test-secret-QwErTyUiOp0123";
const NOW = new Date("2026-11-23T06:00:00Z");
const NOW_S = unixSeconds(NOW);
const ORG = sampleOrg(NOW);
const FAST_RETRY = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 2_000, budgetMs: 5_000 };
const SAMPLE_POLICY: PolicySource = { name: "sample-org", file: "test/sim/sample-policy.yaml", text: readFileSync("test/sim/sample-policy.yaml", "utf8") };
const ENRICHMENT_PATHS = ["/v1/organization/audit_logs", "/v1/organization/usage/completions", "/v1/organization/costs"];

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ org: ORG, adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.clearFaults();
  sim.clearLog();
  sim.setOrg(ORG);
});

function audit(enrich: readonly EnrichSource[] = ENRICH_SOURCES, policy: PolicySource = SAMPLE_POLICY) {
  return runAuditWithInventory({ config: { adminKey: ADMIN_KEY, baseURL: sim.url, retry: FAST_RETRY }, policy, trigger: "cli", now: () => NOW, enrich });
}

/** What the fixture says a key did in the 30 days before NOW: requests and USD. */
function expectedUse(org: SimOrg, keyId: string): { requests: number; spend: number } {
  const inWindow = (org.usage ?? []).filter((r) => r.api_key_id === keyId && r.at >= NOW_S - 30 * DAY_SECONDS && r.at < NOW_S);
  return { requests: inWindow.reduce((n, r) => n + r.num_model_requests, 0), spend: inWindow.reduce((n, r) => n + r.input_cost_usd + r.output_cost_usd, 0) };
}

function keyOf(keys: readonly KeyRecord[] | undefined, id: string): KeyRecord {
  const key = keys?.find((k) => k.id === id);
  if (!key) throw new Error(`no key ${id}`);
  return key;
}

/** rule, key, sentence and fingerprint of every finding: what enrichment must never change (bar the unused note). */
const findingsOf = (run: AuditRun) => run.findings.map((f) => `${f.rule_id} ${f.key.id} ${f.fingerprint} ${f.sentence}`);

const enrichmentRequests = () => sim.requests.filter((r) => ENRICHMENT_PATHS.includes(r.path));

describe("an enriched audit of the sample organization", () => {
  it("puts the creator, requests and spend on each key, shows them with its findings and in the evidence inventory", async () => {
    const { run, inventory } = await audit();
    expect(run.status).toBe("complete");
    expect(run.errors).toEqual([]);
    expect(run.enrichment_errors).toEqual([]);
    expect(run.enrichment).toEqual({ sources: ["audit_log", "usage", "costs"], api_requests: 3 });
    expect(run.counts.api_requests).toBe(7); // the inventory's own, unchanged

    // A key created through another admin key, by a person; one created by a service account's key.
    const deploy = keyOf(inventory?.keys, "key_data_deploy");
    const use = expectedUse(ORG, "key_data_deploy");
    expect(use.requests).toBeGreaterThan(0);
    expect(deploy.created_by).toEqual({
      type: "user",
      id: "user_alice",
      email: "alice@example.com",
      api_key_id: "key_admin_retired",
      display: "alice@example.com via API key key_admin_retired",
    });
    expect(deploy.created_from_ip).toBeNull();
    expect(deploy.requests_30d).toBe(use.requests);
    expect(deploy.spend_30d_usd).toBeCloseTo(use.spend, 6);
    expect(keyOf(inventory?.keys, "key_data_etl").created_by?.display).toBe("service account deploy-bot (sa_deploy) via API key key_data_deploy");
    // A dashboard session: the person and the IP address the log gives.
    const event = (ORG.auditLogs ?? []).find((e) => e["api_key.created"]?.id === "key_web_prod");
    const sessionIp = event?.actor?.type === "session" ? event.actor.session.ip_address : undefined;
    expect(keyOf(inventory?.keys, "key_web_prod")).toMatchObject({ created_by: { type: "user", email: "alice@example.com", api_key_id: null }, created_from_ip: sessionIp });
    // Read whole, a key the usage does not name made no request and cost nothing.
    expect(keyOf(inventory?.keys, "key_web_old")).toMatchObject({ requests_30d: 0, spend_30d_usd: 0 });

    // With its findings: in the run, the text report and Slack.
    const finding = run.findings.find((f) => f.rule_id === "service-account-owner" && f.key.id === "key_data_deploy");
    expect(finding?.key.created_by?.display).toBe("alice@example.com via API key key_admin_retired");
    const line = `created by alice@example.com via API key key_admin_retired · ${use.requests} requests, spent $${use.spend.toFixed(2)} in 30 days`;
    expect(renderTextReport(run)).toContain(`\n      ${line}\n`);
    expect(findingText(finding!)).toContain(`\n${line}\n`);
    // Admin keys cannot call models: only their creator is shown.
    const admin = run.findings.find((f) => f.key.id === "key_admin_breakglass");
    expect(findingText(admin!)).toContain("\ncreated by Dana.Ops@EXAMPLE.COM\n");

    // In the evidence inventory (CSV and JSON), after the inventory's own columns.
    const evidence = await buildRunEvidence({
      run,
      inventory: { keys: inventory!.keys, projects: inventory!.projects },
      policyText: SAMPLE_POLICY.text,
      secrets: [ADMIN_KEY],
      previousManifestSha256: null,
      version: "test",
    });
    const file = (name: string) => new TextDecoder().decode(evidence.files.find((f) => f.name === name)!.content);
    const [header, ...rows] = parseCsv(file("inventory.csv"));
    // The enrichment's seven columns, before whose key it is (provider, account, key_status: issue 19).
    expect(header?.slice(-10, -3)).toEqual(["created_by", "created_by_type", "created_by_id", "created_by_email", "created_from_ip", "requests_30d", "spend_30d_usd"]);
    const row = rows.find((r) => r[header!.indexOf("key_id")] === "key_data_deploy")!;
    expect(row.slice(-10, -3)).toEqual(["alice@example.com via API key key_admin_retired", "user", "user_alice", "alice@example.com", "", String(use.requests), String(deploy.spend_30d_usd)]);
    const json = JSON.parse(file("inventory.json")) as { keys: { id: string; created_by: unknown; requests_30d: unknown; spend_30d_usd: unknown }[] };
    expect(json.keys.find((k) => k.id === "key_data_deploy")).toMatchObject({ created_by: deploy.created_by, requests_30d: use.requests, spend_30d_usd: deploy.spend_30d_usd });

    // And with each finding in the evidence: the same columns at the end of findings.csv, the same fields on findings.json's key,
    // except the creator's IP address: findings.csv is also the file uploaded to the Slack channel, so it stays in the inventory.
    const withoutIp = (cells: string[] | undefined) => cells?.slice(-10, -3).filter((_, i) => header?.slice(-10, -3)[i] !== "created_from_ip");
    const [findingsHeader, ...findingRows] = parseCsv(file("findings.csv"));
    expect(findingsHeader?.slice(-8, -2)).toEqual(withoutIp(header));
    expect(findingsHeader?.slice(-2)).toEqual(["provider", "account"]);
    expect(findingsHeader).not.toContain("created_from_ip");
    const findingRow = findingRows.find((r) => r[findingsHeader!.indexOf("key_id")] === "key_data_deploy")!;
    expect(findingRow.slice(-8, -2)).toEqual(withoutIp(row));
    const findingsJson = JSON.parse(file("findings.json")) as { findings: { key: { id: string } }[] };
    const findingKey = findingsJson.findings.find((f) => f.key.id === "key_data_deploy")?.key;
    expect(findingKey).toMatchObject({ created_by: deploy.created_by, requests_30d: use.requests, spend_30d_usd: deploy.spend_30d_usd });
    expect(findingKey).not.toHaveProperty("created_from_ip");
  });

  it("asks the audit log for api_key.created events from the oldest key's creation, usage and costs for 30 days by key", async () => {
    await audit();
    const [log, usage, costs] = ENRICHMENT_PATHS.map((path) => sim.requests.filter((r) => r.path === path));
    const oldest = Math.min(...[...ORG.adminKeys, ...Object.values(ORG.projectKeys).flat()].map((k) => k.created_at));
    expect(log).toHaveLength(1);
    expect(log?.[0]?.query).toMatchObject({ "event_types[]": "api_key.created", limit: "100" });
    const from = Number(log?.[0]?.query["effective_at[gte]"]);
    expect(from).toBeLessThanOrEqual(oldest);
    expect(oldest - from).toBeLessThanOrEqual(DAY_SECONDS);
    for (const request of [...(usage ?? []), ...(costs ?? [])]) {
      expect(request.query).toMatchObject({ start_time: String(NOW_S - 30 * DAY_SECONDS), end_time: String(NOW_S), bucket_width: "1d", "group_by[]": "api_key_id", limit: "31" });
    }
    expect(usage).toHaveLength(1);
    expect(costs).toHaveLength(1);
  });

  it("leaves the findings as they are without enrichment", async () => {
    const enriched = await audit();
    const plain = await audit([]);
    expect(findingsOf(enriched.run)).toEqual(findingsOf(plain.run));
    expect(plain.run.enrichment).toBeUndefined();
    expect(plain.run.enrichment_errors).toBeUndefined();
    expect("created_by" in keyOf(plain.inventory?.keys, "key_web_prod")).toBe(false);
  });
});

describe("an organization without audit logging", () => {
  it("completes, saying once that the creator is unavailable; requests and spend are still known", async () => {
    sim.setOrg({ ...structuredClone(ORG), auditLoggingEnabled: false });
    const { run, inventory } = await audit();
    expect(run.status).toBe("complete");
    expect(run.errors).toEqual([]);
    expect(run.enrichment_errors).toEqual([
      {
        source: "audit_log",
        kind: "auth",
        status: 403,
        message: expect.stringMatching(/^creator unavailable: the audit log \(GET \/organization\/audit_logs\) answered HTTP 403.*audit logging may be off/),
      },
    ]);
    for (const key of inventory?.keys ?? []) expect(key.created_by, key.id).toBeNull();
    expect(keyOf(inventory?.keys, "key_data_deploy").requests_30d).toBe(expectedUse(ORG, "key_data_deploy").requests);
    const report = renderTextReport(run);
    expect(report.split("creator unavailable")).toHaveLength(2);
    expect(report).toContain("✔ COMPLETE");
    expect(findingsOf(run)).toEqual(findingsOf((await audit([])).run));
  });
});

describe("a failing enrichment source", () => {
  it("a usage endpoint that keeps failing: listed in enrichment_errors, requests unknown, findings unchanged", async () => {
    sim.addFault({ match: { path: "/organization/usage/completions" }, effect: { kind: "status", status: 500 } });
    const { run, inventory } = await audit();
    expect(run.status).toBe("complete");
    expect(run.errors).toEqual([]);
    expect(run.enrichment_errors).toEqual([
      { source: "usage", kind: "http", status: 500, message: expect.stringMatching(/^requests unavailable: completions usage .* answered HTTP 500 .*gave up after 2 attempts/) },
    ]);
    expect(sim.requests.filter((r) => r.path === "/v1/organization/usage/completions")).toHaveLength(FAST_RETRY.maxAttempts);
    for (const key of inventory?.keys ?? []) expect(key.requests_30d, key.id).toBeNull();
    expect(keyOf(inventory?.keys, "key_data_deploy")).toMatchObject({ spend_30d_usd: expect.any(Number), created_by: { id: "user_alice" } });
    expect(findingsOf(run)).toEqual(findingsOf((await audit([])).run));
  });

  it("never shows a partial sum: has_more without next_page makes the spend unknown, not smaller", async () => {
    sim.addFault({ match: { path: "/organization/costs" }, times: 1, effect: { kind: "lie_has_more" } });
    const { run, inventory } = await audit();
    expect(run.status).toBe("complete");
    expect(run.enrichment_errors).toEqual([
      { source: "costs", kind: "truncated_pagination", message: expect.stringMatching(/^spend unavailable: costs .* has_more: true without a next_page/) },
    ]);
    for (const key of inventory?.keys ?? []) expect(key.spend_30d_usd, key.id).toBeNull();
  });

  it("a 401 on the audit log: one error, not asked again, and the admin key in no message", async () => {
    sim.addFault({ match: { pathPrefix: "/organization/audit_logs" }, effect: { kind: "status", status: 401 } });
    const { run } = await audit();
    expect(run.status).toBe("complete");
    expect(run.enrichment_errors?.map((e) => [e.source, e.kind, e.status])).toEqual([["audit_log", "auth", 401]]);
    expect(sim.requests.filter((r) => r.path === "/v1/organization/audit_logs")).toHaveLength(1);
    expect(JSON.stringify(run)).not.toContain(ADMIN_KEY);
  });
});

describe("the audit log of a large organization", () => {
  /** 10 projects × 60 keys: 600 keys and as many events, in 6 windows of one page each, or 2 windows of 3 pages. */
  function largeOrg(): SimOrg {
    const org = structuredClone(ORG);
    const template = org.projectKeys["proj_web"]![0]!;
    const events = [...(org.auditLogs ?? [])];
    for (let p = 0; p < 10; p++) {
      const projectId = `proj_bulk${p}`;
      org.projects.push({ id: projectId, object: "organization.project", name: `bulk ${p}`, created_at: NOW_S - 400 * DAY_SECONDS, archived_at: null, status: "active" });
      org.projectKeys[projectId] = Array.from({ length: 60 }, (_, k) => {
        const created = NOW_S - (10 + p * 60 + k) * DAY_SECONDS;
        events.push({
          id: `audit_log-bulk_${p}_${k}`,
          type: "api_key.created",
          effective_at: created,
          actor: { type: "session", session: { user: { id: "user_bob", email: "bob@example.com" }, ip_address: "198.51.100.7" } },
          "api_key.created": { id: `key_bulk_${p}_${k}`, data: { scopes: [] } },
        });
        return { ...structuredClone(template), id: `key_bulk_${p}_${k}`, name: `bulk ${p}/${k}`, created_at: created, last_used_at: created };
      });
    }
    return { ...org, auditLogs: events };
  }

  it("reads every page of every window, in parallel windows", async () => {
    sim.setOrg(largeOrg());
    sim.addFault({ match: { path: "/organization/audit_logs" }, effect: { kind: "latency", ms: 30 } });
    const { run, inventory } = await audit(["audit_log"]);
    expect(run.enrichment_errors).toEqual([]);
    expect(inventory?.keys.length).toBe(614);
    for (const key of inventory?.keys ?? []) expect(key.created_by, key.id).not.toBeNull();
    const log = sim.requests.filter((r) => r.path === "/v1/organization/audit_logs");
    const windows = new Set(log.map((r) => r.query["effective_at[gte]"]));
    expect(windows.size).toBe(6);
    // Each window ends where the next begins (its lower bound), the last one is open.
    expect(log.filter((r) => r.query["effective_at[lt]"] === undefined && !r.query.after)).toHaveLength(1);
    // Some window needed a second page, asked for with the last id of its first.
    expect(log.filter((r) => r.query.after !== undefined).length).toBeGreaterThan(0);
    expect(sim.maxConcurrent).toBeGreaterThan(1);
    expect(sim.maxConcurrent).toBeLessThanOrEqual(6);
  });

  it("treats has_more without last_id as an error, not as the end", async () => {
    sim.setOrg(largeOrg());
    sim.addFault({ match: { path: "/organization/audit_logs" }, times: 1, effect: { kind: "lie_has_more" } });
    const { run, inventory } = await audit(["audit_log"]);
    expect(run.status).toBe("complete");
    expect(run.enrichment_errors).toEqual([
      { source: "audit_log", kind: "truncated_pagination", message: expect.stringMatching(/^creator unavailable: the audit log .* has_more: true without a last_id/) },
    ]);
    // The other windows were read: most keys still have their creator.
    const known = (inventory?.keys ?? []).filter((k) => k.created_by !== null).length;
    expect(known).toBeGreaterThan(400);
    expect(known).toBeLessThan(614);
  });
});

describe("match conditions on the enrichment's fields", () => {
  const policy = (rules: string): PolicySource => ({ name: "enrichment-match", file: "enrichment-match.yaml", text: `version: 1\nname: enrichment-match\nrules:\n${rules}\nexemptions: []\n` });
  const RULES = `  - id: big-spender
    kind: match
    severity: medium
    where: { field: spend_30d_usd, gt: 0.5 }
  - id: made-with-an-api-key
    kind: match
    severity: low
    where: { field: created_by.api_key_id, absent: false }
  - id: alice-busy-keys
    kind: match
    severity: info
    where: { all: [ { field: created_by.email, glob: "alice@*" }, { field: requests_30d, gte: 100 } ] }`;

  it("match on spend, on the creator and on requests", async () => {
    const { run } = await audit(ENRICH_SOURCES, policy(RULES));
    const keys = (rule: string) =>
      run.findings
        .filter((f) => f.rule_id === rule)
        .map((f) => f.key.id)
        .sort();
    const projectKeys = Object.values(ORG.projectKeys).flat();
    const bigSpenders = projectKeys.filter((k) => expectedUse(ORG, k.id).spend > 0.5).map((k) => k.id);
    expect(bigSpenders.length).toBeGreaterThan(0);
    expect(keys("big-spender")).toEqual(bigSpenders.sort());
    const spender = run.findings.find((f) => f.rule_id === "big-spender");
    expect(spender?.sentence).toBe(`spend_30d_usd > 0.5 (${spender?.key.spend_30d_usd})`);
    expect(keys("made-with-an-api-key")).toEqual(["key_data_deploy", "key_data_etl"]);
    const aliceBusy = projectKeys.filter((k) => k.owner.type === "user" && k.owner.user.id === "user_alice" && expectedUse(ORG, k.id).requests >= 100).map((k) => k.id);
    expect(aliceBusy.length).toBeGreaterThan(0);
    expect(keys("alice-busy-keys")).toEqual(aliceBusy.sort());
  });

  it("an unknown value never matches a comparison; absent: true finds it", async () => {
    const rules = `${RULES}\n  - id: spend-unknown\n    kind: match\n    severity: info\n    where: { field: spend_30d_usd, absent: true }`;
    const { run } = await audit(["usage"], policy(rules));
    expect(run.findings.filter((f) => f.rule_id === "big-spender")).toEqual([]);
    expect(run.findings.filter((f) => f.rule_id === "spend-unknown")).toHaveLength(run.counts.admin_keys + run.counts.project_keys);
  });

  it("the policy is refused when a number is compared as text, or text as a number", async () => {
    for (const [where, message] of [
      ['{ field: spend_30d_usd, gt: "5" }', /gt/],
      ["{ field: name, gte: 5 }", /gte compares numbers; use it on requests_30d or spend_30d_usd, not name/],
      ['{ field: requests_30d, glob: "1*" }', /glob needs a text field; requests_30d is a number/],
      ['{ field: spend_30d_usd, eq: "0" }', /spend_30d_usd is a number; write "0" without quotes/],
    ] as const) {
      const { run } = await audit([], policy(`  - id: r\n    kind: match\n    severity: low\n    where: ${where}`));
      expect(run.status, where).toBe("failed");
      expect(run.failure?.details.join("\n"), where).toMatch(message);
    }
    expect(sim.requests).toEqual([]);
  });
});

describe("the unused rule", () => {
  it("notes when last_used_at is old but the usage counts requests in the window", async () => {
    const org = structuredClone(ORG);
    const template = (org.usage ?? [])[0]!;
    org.usage = [...(org.usage ?? []), { ...template, at: NOW_S - 3 * DAY_SECONDS, api_key_id: "key_web_old", project_id: "proj_web", num_model_requests: 5 }];
    sim.setOrg(org);
    const enriched = await audit();
    const plain = await audit([]);
    const unusedOld = (run: AuditRun) => run.findings.find((f) => f.rule_id === "unused-90d" && f.key.id === "key_web_old");
    expect(unusedOld(enriched.run)?.fingerprint).toBe(unusedOld(plain.run)?.fingerprint);
    expect(unusedOld(enriched.run)?.sentence).toBe(
      `${unusedOld(plain.run)?.sentence}; yet the usage API counts 5 requests in the last 30 days: last_used_at may be stale, check before revoking`,
    );
    // No requests in the window, no note.
    const never = (run: AuditRun) => run.findings.find((f) => f.rule_id === "unused-90d" && f.key.id === "key_ml_never")?.sentence;
    expect(never(enriched.run)).toBe(never(plain.run));
  });
});

describe("ENRICH in the CLI", () => {
  async function cli(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { isTTY: false, write: (text: string) => (stderr += text) },
      env: { OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, ...env },
    };
    const code = await main(["audit", "--json", "--quiet", "--fail-on", "none", "--policy", SAMPLE_POLICY.file], io);
    return { code, stdout, stderr };
  }

  it("off: not one enrichment request, no enrichment on the run", async () => {
    const { code, stdout } = await cli({ ENRICH: "off" });
    expect(code).toBe(0);
    expect(sim.requests.length).toBe(7);
    expect(enrichmentRequests()).toEqual([]);
    const run = JSON.parse(stdout) as AuditRun;
    expect(run.enrichment).toBeUndefined();
    expect(run.findings.some((f) => "created_by" in f.key || "spend_30d_usd" in f.key)).toBe(false);
  });

  it("unset: every source; a list: only those", async () => {
    const all = JSON.parse((await cli({})).stdout) as AuditRun;
    expect(all.enrichment?.sources).toEqual(["audit_log", "usage", "costs"]);
    // One request each (in no set order: the reports go out with the inventory, the audit log once the keys are known).
    expect(enrichmentRequests().map((r) => r.path).sort()).toEqual([...ENRICHMENT_PATHS].sort());
    sim.clearLog();
    const costs = JSON.parse((await cli({ ENRICH: " costs " })).stdout) as AuditRun;
    expect(enrichmentRequests().map((r) => r.path)).toEqual(["/v1/organization/costs"]);
    const key = costs.findings[0]!.key;
    expect(typeof key.spend_30d_usd).toBe("number");
    expect("created_by" in key || "requests_30d" in key).toBe(false);
  });

  it("a value that is not a source: exit 2 naming ENRICH, before any request", async () => {
    const { code, stdout, stderr } = await cli({ ENRICH: "audit_log,spending" });
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toContain("ENRICH item 2 is not a source: use audit_log, usage, costs (comma-separated), or off");
    expect(stderr).not.toContain("spending");
    expect(sim.requests).toEqual([]);
  });
});
