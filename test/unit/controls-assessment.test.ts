/** The control assessment of a run: which rules test a control, on how many keys, with what result; and where the run and the text report show it. */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../src/audit/run.js";
import type { AuditRun } from "../../src/model/run.js";
import { type AssessedRule, assessControls } from "../../src/controls/assessment.js";
import { FRAMEWORKS } from "../../src/controls/catalogue.js";
import type { RunControl } from "../../src/model/controls.js";
import type { KeyRecord } from "../../src/model/inventory.js";
import { renderTextReport } from "../../src/report/text.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { makeRun } from "../sim/slack-run-factory.js";

function key(id: string, project: KeyRecord["project"] = { id: "proj_web", name: "web", archived: false }): KeyRecord {
  return {
    kind: project ? "project" : "admin",
    id,
    name: id,
    redacted_value: "sk-proj-...abcd",
    created_at: "2026-01-01T00:00:00.000Z",
    last_used_at: null,
    expires_at: null,
    project,
    owner: { type: "user", id: "user_a", name: "A", email: "a@example.com", role: "member" },
    owner_access: project ? "active" : null,
  };
}

const KEYS = [key("key_admin", null), key("key_web"), key("key_old", { id: "proj_old", name: "old", archived: true })];
const DORMANT: AssessedRule = { id: "unused-90d", controls: { soc2: ["CC6.2"], cis: ["5.3"] } };
const ARCHIVED: AssessedRule = { id: "archived-project-key", scope: { archived: "only" }, controls: { soc2: ["CC6.2"], nist80053: ["AC-2"] } };
const ADMIN_ONLY: AssessedRule = { id: "admin-key-no-expiry", scope: { kinds: ["admin"] }, controls: { nist80053: ["AC-2"] } };

function control(controls: RunControl[], framework: string, id: string): RunControl {
  const found = controls.find((c) => c.framework === framework && c.control_id === id);
  if (!found) throw new Error(`no ${framework} ${id}`);
  return found;
}

describe("assessControls", () => {
  it("lists every control of the catalogue once, in catalogue order, whatever the policy maps", () => {
    const controls = assessControls({ status: "complete", rules: [DORMANT], keys: KEYS, findings: [], exemptions: [] });
    expect(controls.map((c) => `${c.framework} ${c.control_id}`)).toEqual(FRAMEWORKS.flatMap((f) => f.controls.map((c) => `${f.id} ${c.id}`)));
    expect(control(controls, "pcidss", "8.6.2")).toEqual({
      framework: "pcidss",
      control_id: "8.6.2",
      title: "Passwords of system and application accounts are not hard coded in scripts, files or source code",
      rules: [],
      keys_tested: 0,
      findings: 0,
      exempted: 0,
      accepted: 0,
      status: "not_tested",
    });
  });

  it("fails a control when one of its rules has a finding no exemption covers, and counts what was exempted and accepted", () => {
    const controls = assessControls({
      status: "complete",
      rules: [DORMANT, ARCHIVED],
      keys: KEYS,
      findings: [{ rule_id: "unused-90d" }, { rule_id: "archived-project-key" }],
      exemptions: [{ rule_id: "unused-90d", source: "policy" }, { rule_id: "unused-90d", source: "slack" }, { rule_id: "unused-90d" }],
    });
    expect(control(controls, "soc2", "CC6.2")).toMatchObject({ rules: ["unused-90d", "archived-project-key"], findings: 2, exempted: 2, accepted: 1, status: "fail" });
    expect(control(controls, "nist80053", "AC-2")).toMatchObject({ rules: ["archived-project-key"], findings: 1, exempted: 0, accepted: 0, status: "fail" });
  });

  it("passes a control whose findings were all exempted", () => {
    const controls = assessControls({ status: "complete", rules: [DORMANT], keys: KEYS, findings: [], exemptions: [{ rule_id: "unused-90d", source: "slack" }] });
    expect(control(controls, "cis", "5.3")).toMatchObject({ findings: 0, accepted: 1, status: "pass" });
  });

  it("counts the distinct keys in the scope of the control's rules", () => {
    const controls = assessControls({ status: "complete", rules: [ARCHIVED, ADMIN_ONLY, DORMANT], keys: KEYS, findings: [], exemptions: [] });
    // AC-2: the archived project's key (archived-project-key) and the admin key (admin-key-no-expiry).
    expect(control(controls, "nist80053", "AC-2").keys_tested).toBe(2);
    // CC6.2: unused-90d has no scope, so every key.
    expect(control(controls, "soc2", "CC6.2").keys_tested).toBe(3);
  });

  it("never passes a control on an incomplete run, but still fails it on a finding it saw", () => {
    const controls = assessControls({ status: "incomplete", rules: [DORMANT, ARCHIVED], keys: KEYS, findings: [{ rule_id: "archived-project-key" }], exemptions: [] });
    expect(control(controls, "cis", "5.3").status).toBe("incomplete");
    expect(control(controls, "nist80053", "AC-2").status).toBe("fail");
    expect(controls.map((c) => c.status)).not.toContain("pass");
  });

  it("tests nothing in a failed run", () => {
    const controls = assessControls({ status: "failed", rules: [DORMANT], keys: [], findings: [], exemptions: [] });
    expect(new Set(controls.map((c) => c.status))).toEqual(new Set(["not_tested"]));
    expect(control(controls, "cis", "5.3")).toMatchObject({ rules: ["unused-90d"], keys_tested: 0 });
  });
});

describe("an audit of the sample organization", () => {
  const NOW = new Date("2026-11-20T12:00:00Z");
  const ADMIN_KEY = "sk-admin-controls-test-secret-abcdefghijklmnop";
  const policy = { name: "sample-org", file: "test/sim/sample-policy.yaml", text: readFileSync("test/sim/sample-policy.yaml", "utf8") };
  let sim: Simulator;
  let run: AuditRun;
  beforeAll(async () => {
    sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY });
    run = await runAudit({ config: { adminKey: ADMIN_KEY, baseURL: sim.url }, policy, trigger: "cli", now: () => NOW });
  });
  afterAll(() => sim.close());

  it("carries the control assessment: dormant keys fail CIS 5.3 on every key, the break-glass exemption counted", () => {
    const controls = run.controls ?? [];
    expect(controls).toHaveLength(FRAMEWORKS.reduce((n, f) => n + f.controls.length, 0));
    const dormant = run.findings.filter((f) => f.rule_id === "unused-90d").length;
    expect(control(controls, "cis", "5.3")).toEqual({
      framework: "cis",
      control_id: "5.3",
      title: "Disable Dormant Accounts",
      rules: ["unused-90d"],
      keys_tested: run.counts.admin_keys + run.counts.project_keys,
      findings: dormant,
      exempted: 1,
      accepted: 0,
      status: "fail",
    });
    expect(control(controls, "pcidss", "8.6.2").status).toBe("not_tested");
  });

  it("lists the failing controls at the end of the text report, one line each", () => {
    const lines = renderTextReport(run).split("\n");
    const failing = (run.controls ?? []).filter((c) => c.status === "fail");
    const heading = lines.indexOf(`Controls failing (${failing.length})`);
    expect(heading).toBeGreaterThan(0);
    expect(lines.slice(heading + 1, heading + 1 + failing.length).every((line) => line.startsWith("  • "))).toBe(true);
    expect(lines).toContain(`  • CIS Controls v8.1 5.3 Disable Dormant Accounts: ${control(failing, "cis", "5.3").findings} findings (unused-90d)`);
  });
});

describe("the text report of a run without failing controls", () => {
  it("has no controls section", () => {
    const passing: RunControl = { framework: "soc2", control_id: "CC6.1", title: "t", rules: ["r"], keys_tested: 1, findings: 0, exempted: 0, accepted: 0, status: "pass" };
    expect(renderTextReport(makeRun({ controls: [passing] }))).not.toContain("Controls failing");
    expect(renderTextReport(makeRun({}))).not.toContain("Controls failing");
  });
});
