import { readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { type PolicySource, checkPolicy, concludeRun, runAudit, summarizeRun } from "../../src/audit/run.js";
import { collectInventory } from "../../src/providers/openai/collect.js";
import type { AcceptedExemption } from "../../src/policy/index.js";
import type { InventoryProgress } from "../../src/providers/openai/inventory-work.js";
import { renderTextReport } from "../../src/report/text.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ADMIN_KEY = "sk-admin-audit-test-secret-abcdefghijklmnop";
const NOW = new Date("2026-11-20T12:00:00Z");
const samplePolicy: PolicySource = { name: "sample-org", file: "test/sim/sample-policy.yaml", text: readFileSync("test/sim/sample-policy.yaml", "utf8") };
const fastRetry = { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 2_000, budgetMs: 5_000 };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.clearFaults();
  sim.clearLog();
});

const audit = (policy: PolicySource = samplePolicy, adminKey = ADMIN_KEY) =>
  runAudit({ config: { adminKey, baseURL: sim.url, retry: fastRetry }, policy, trigger: "cli", now: () => NOW });

describe("an audit of the sample organization", () => {
  it("is complete and finds exactly the problems the sample organization has", async () => {
    const run = await audit();
    expect(run.status).toBe("complete");
    expect(run.errors).toEqual([]);
    expect(run.counts).toMatchObject({ admin_keys: 3, project_keys: 11, projects: 4, archived_projects: 1, api_requests: 7 });
    expect(run.findings.map((f) => `${f.rule_id} ${f.key.id}`).sort()).toEqual(
      [
        "service-account-owner key_admin_ci",
        "service-account-owner key_data_deploy",
        "owner-lost-access key_data_eve",
        "unused-90d key_legacy_old",
        "unused-90d key_ml_never",
        "unused-90d key_web_old",
        "admin-key-no-expiry key_admin_breakglass",
        "admin-key-no-expiry key_admin_ci",
        "key-age-365d key_admin_breakglass",
        "key-age-365d key_legacy_old",
        "key-age-365d key_ml_ancient",
        "owner-not-allowed key_data_deploy",
        "owner-not-allowed key_web_mallory",
        "archived-project-key key_legacy_old",
      ].sort(),
    );
    expect(run.counts.findings).toEqual({ critical: 2, high: 4, medium: 7, low: 1, info: 0, total: 14 });
  });

  it("triggers every rule of the default policy at least once", async () => {
    const run = await audit();
    const defaultRules = (parse(readFileSync("policies/default.yaml", "utf8")) as { rules: { id: string }[] }).rules.map((r) => r.id);
    expect(new Set(run.findings.map((f) => f.rule_id))).toEqual(new Set(defaultRules));
  });

  it("applies the sample exemption and says why, and who approved it", async () => {
    const run = await audit();
    expect(run.exemptions).toEqual([
      expect.objectContaining({ rule_id: "unused-90d", key_id: "key_admin_breakglass", expires: "2099-12-31", source: "policy", approved_by: "security@example.com" }),
    ]);
    expect(run.findings.some((f) => f.rule_id === "unused-90d" && f.key.id === "key_admin_breakglass")).toBe(false);
    expect(run.exemptions_in_force).toEqual([expect.objectContaining({ key_id: "key_admin_breakglass", source: "policy", status: "applied" })]);
  });

  it("says what to do about every finding, and where the key is managed in the OpenAI dashboard", async () => {
    const run = await audit();
    const byKey = (rule: string, keyId: string) => run.findings.find((f) => f.rule_id === rule && f.key.id === keyId);
    expect(byKey("unused-90d", "key_web_old")).toMatchObject({
      remediation: "revoke it: unused keys are pure risk; if it is still needed, rotate it",
      dashboard_url: "https://platform.openai.com/settings/proj_web/api-keys",
    });
    // The policy's own remediation wins over the rule kind's.
    expect(byKey("admin-key-no-expiry", "key_admin_ci")).toMatchObject({
      remediation: "replace it with an admin key that expires, move the automation to it, then revoke this one",
      dashboard_url: "https://platform.openai.com/settings/organization/admin-keys",
    });
    for (const finding of run.findings) expect(finding.remediation, finding.rule_id).toMatch(/\w/);
  });

  it("exempts what was accepted in Slack, and says when an acceptance expired", async () => {
    const accepted = (overrides: Partial<AcceptedExemption>): AcceptedExemption => ({
      id: "acc_1",
      rule: "unused-90d",
      key: "key_web_old",
      reason: "kept for the quarterly export",
      expires: "2026-12-31",
      accepted_by: { id: "U0ALICE", name: "Alice Martin" },
      accepted_at: "2026-11-19T10:00:00.000Z",
      ...overrides,
    });
    const checked = checkPolicy(samplePolicy);
    if (!checked.ok) throw new Error("the sample policy is invalid");
    const inventory = await collectInventory({ adminKey: ADMIN_KEY, baseURL: sim.url, retry: fastRetry });
    const conclude = (list: AcceptedExemption[]) =>
      concludeRun({ base: { id: "run_x", trigger: "cli", started_at: NOW.toISOString() }, policy: checked, inventory, evaluatedAt: NOW, finishedAt: NOW, secrets: [ADMIN_KEY], accepted: list });
    const withAcceptance = conclude([accepted({})]);
    expect(withAcceptance.findings.some((f) => f.rule_id === "unused-90d" && f.key.id === "key_web_old")).toBe(false);
    expect(withAcceptance.exemptions).toContainEqual(
      expect.objectContaining({ key_id: "key_web_old", source: "slack", id: "acc_1", accepted_by: { id: "U0ALICE", name: "Alice Martin" }, accepted_at: "2026-11-19T10:00:00.000Z" }),
    );
    const expired = conclude([accepted({ expires: "2026-11-19" })]);
    expect(expired.findings.some((f) => f.rule_id === "unused-90d" && f.key.id === "key_web_old")).toBe(true);
    expect(expired.exemption_notices).toEqual([expect.objectContaining({ kind: "expired", key_id: "key_web_old", source: "slack", accepted_by: { id: "U0ALICE", name: "Alice Martin" } })]);
    expect(conclude([]).findings).toEqual((await audit()).findings);
  });

  it("assesses controls from what the run saw: with an inventory error, a control without findings is incomplete, never pass", async () => {
    const checked = checkPolicy({ name: "default", file: "policies/default.yaml", text: readFileSync("policies/default.yaml", "utf8") });
    if (!checked.ok) throw new Error("the sample policy is invalid");
    const collected = await collectInventory({ adminKey: ADMIN_KEY, baseURL: sim.url, retry: fastRetry });
    // Only the keys no rule flags: every control the policy maps has no finding.
    const inventory = { ...collected, keys: collected.keys.filter((k) => ["key_ml_new"].includes(k.id)) };
    expect(inventory.keys).toHaveLength(1);
    const conclude = (errors: typeof inventory.errors) =>
      concludeRun({ base: { id: "run_x", trigger: "cli", started_at: NOW.toISOString() }, policy: checked, inventory: { ...inventory, errors }, evaluatedAt: NOW, finishedAt: NOW, secrets: [ADMIN_KEY] });
    const complete = conclude([]);
    const quiet = (complete.controls ?? []).filter((c) => c.rules.length > 0 && c.findings === 0);
    expect(quiet.length).toBeGreaterThan(0);
    expect(quiet.every((c) => c.status === "pass")).toBe(true);
    const incomplete = conclude([{ scope: { list: "projects" }, kind: "http", status: 503, message: "HTTP 503 on the projects list" }]);
    expect(incomplete.status).toBe("incomplete");
    const same = (incomplete.controls ?? []).filter((c) => quiet.some((q) => q.framework === c.framework && q.control_id === c.control_id));
    expect(same.map((c) => c.status)).toEqual(quiet.map(() => "incomplete"));
    expect((incomplete.controls ?? []).filter((c) => c.findings > 0).every((c) => c.status === "fail")).toBe(true);
  });

  it("records the policy by name and by the SHA-256 of its exact text", async () => {
    const run = await audit();
    expect(run.policy).toEqual({ name: "sample-org", file: "test/sim/sample-policy.yaml", sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const other = await audit({ ...samplePolicy, text: `${samplePolicy.text}\n# edited\n` });
    expect(other.policy.sha256).not.toBe(run.policy.sha256);
  });

  it("keeps secrets out of findings: only redacted key values", async () => {
    const run = await audit();
    expect(JSON.stringify(run)).not.toContain(ADMIN_KEY);
    for (const finding of run.findings) expect(finding.key.redacted_value).toMatch(/^sk-[a-z]+-\.\.\.[A-Za-z0-9]{4}$/);
  });

  it("uses a sample policy whose rules are exactly the default policy's", () => {
    const rules = (file: string) => (parse(readFileSync(file, "utf8")) as { rules: unknown }).rules;
    expect(rules("test/sim/sample-policy.yaml")).toEqual(rules("policies/default.yaml"));
  });
});

describe("an audit that cannot see everything", () => {
  it("is complete despite a transient 429", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_web/api_keys" }, times: 1, effect: { kind: "status", status: 429, retryAfter: 0 } });
    const run = await audit();
    expect(run.status).toBe("complete");
    expect(run.counts.findings.total).toBe(14);
  });

  it("is incomplete on a persistent 5xx, names the project, and keeps the findings from the rest", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 502 } });
    const run = await audit();
    expect(run.status).toBe("incomplete");
    expect(run.errors).toEqual([expect.objectContaining({ kind: "http", status: 502, where: 'API keys of project "ml-research" (proj_ml)' })]);
    expect(run.findings.some((f) => f.key.id === "key_web_old")).toBe(true);
    expect(run.findings.some((f) => f.project?.id === "proj_ml")).toBe(false);
    expect(summarizeRun(run)).toMatch(/incomplete: .*NOT SEEN: API keys of project "ml-research" \(proj_ml\)/);
    expect(renderTextReport(run)).toMatch(/INCOMPLETE[\s\S]*not seen: API keys of project "ml-research"/);
  });

  it("is incomplete on a malformed page", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_data/api_keys" }, effect: { kind: "malformed_json" } });
    const run = await audit();
    expect(run.status).toBe("incomplete");
    expect(run.errors[0]).toMatchObject({ kind: "invalid_json", where: 'API keys of project "data-pipeline" (proj_data)' });
  });

  it("is incomplete when a page lies about has_more", async () => {
    sim.addFault({ match: { path: "/organization/users" }, effect: { kind: "lie_has_more" } });
    const run = await audit();
    expect(run.status).toBe("incomplete");
    expect(run.errors[0]).toMatchObject({ kind: "truncated_pagination", where: "organization users" });
  });

  it("fails on a rejected admin key, with a message that does not contain the key", async () => {
    const wrong = "sk-admin-wrong-audit-key-0123456789abcdefghij";
    const run = await audit(samplePolicy, wrong);
    expect(run.status).toBe("failed");
    expect(run.failure?.reason).toMatch(/HTTP 401/);
    expect(run.findings).toEqual([]);
    expect(JSON.stringify(run)).not.toContain("0123456789abcdefghij");
    expect(renderTextReport(run)).not.toContain("0123456789abcdefghij");
  });
});

describe("a bad policy", () => {
  const bad = (text: string): PolicySource => ({ name: "bad", file: "policies/bad.yaml", text });
  const cases: [string, string, RegExp][] = [
    [
      "a typo in a rule kind",
      "version: 1\nname: bad\nrules:\n  - id: stale\n    kind: unsed\n    days: 90\n    severity: high\n",
      /^policies\/bad\.yaml:5:11 rules\[0\]\.kind: .*unsed.*unused/,
    ],
    [
      "a wrong type",
      "version: 1\nname: bad\nrules:\n  - id: stale\n    kind: unused\n    days: ninety\n    severity: high\n",
      /^policies\/bad\.yaml:6:11 rules\[0\]\.days: /,
    ],
    ["invalid YAML", "version: 1\nname: bad\nrules:\n  - id: stale\n   kind: [unused\n", /^policies\/bad\.yaml:\d+:\d+ /],
  ];
  for (const [what, text, message] of cases) {
    it(`fails on ${what}, naming file:line:col and the field, before any request`, async () => {
      const run = await audit(bad(text));
      expect(run.status).toBe("failed");
      expect(run.failure?.reason).toBe("policy policies/bad.yaml is invalid");
      expect(run.failure?.details[0]).toMatch(message);
      expect(sim.requests).toEqual([]);
    });
  }
});

describe("an Admin API that cannot be reached", () => {
  /** A loopback port nothing listens on: a free port, closed again. */
  function closedPort(): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const { port } = server.address() as AddressInfo;
        server.close(() => resolve(port));
      });
    });
  }

  it("fails the run (no result), instead of calling it incomplete with 0 findings", async () => {
    const baseURL = `http://127.0.0.1:${await closedPort()}/v1`;
    const run = await runAudit({ config: { adminKey: ADMIN_KEY, baseURL, retry: fastRetry }, policy: samplePolicy, trigger: "cli", now: () => NOW });
    expect(run.status).toBe("failed");
    expect(run.failure?.reason).toMatch(/^the Admin API could not be reached, not one request was answered \(.*could not connect/);
    expect(run.findings).toEqual([]);
    expect(renderTextReport(run)).toMatch(/FAILED: the Admin API could not be reached[\s\S]*No result: the organization was not audited/);
  });

  it("stays incomplete when the API answered some lists and only others timed out", async () => {
    sim.addFault({ match: { path: "/organization/projects" }, effect: { kind: "latency", ms: 1_000 } });
    const run = await runAudit({ config: { adminKey: ADMIN_KEY, baseURL: sim.url, retry: fastRetry, timeoutMs: 100 }, policy: samplePolicy, trigger: "cli", now: () => NOW });
    expect(run.status).toBe("incomplete");
    expect(run.errors).toEqual([expect.objectContaining({ kind: "network", where: "projects" })]);
    expect(run.counts.admin_keys).toBe(3);
  });
});

describe("progress of an audit", () => {
  it("tells what it lists and ends with every project's keys listed and every request counted", async () => {
    const reports: InventoryProgress[] = [];
    const run = await runAudit({ config: { adminKey: ADMIN_KEY, baseURL: sim.url, retry: fastRetry, onProgress: (p) => reports.push(p) }, policy: samplePolicy, trigger: "cli", now: () => NOW });
    expect(run.status).toBe("complete");
    expect(reports[0]).toEqual({ listing: "admin API keys", projectsListed: 0, projectsFound: 0, requests: 0 });
    expect(reports.map((r) => r.listing)).toContain('API keys of project "ml-research" (proj_ml)');
    expect(reports.at(-1)).toMatchObject({ projectsListed: 4, projectsFound: 4, requests: 7 });
    for (const [i, r] of reports.entries()) expect(r.projectsListed).toBeGreaterThanOrEqual(reports[i - 1]?.projectsListed ?? 0);
  });
});
