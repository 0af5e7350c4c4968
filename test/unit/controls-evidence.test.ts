/** controls.json and controls.csv in a run's evidence: their format, when they are written, and that verify accepts evidence with and without them. */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/model/run.js";
import { assessControls } from "../../src/controls/assessment.js";
import type { KeyRecord } from "../../src/model/inventory.js";
import { formatPolicyError, loadPolicy } from "../../src/policy/index.js";
import { EVIDENCE_FILE_NAMES, buildEvidenceFiles, buildRunEvidence, verifyEvidence } from "../../src/evidence/index.js";
import { CONTROLS_CSV_COLUMNS } from "../../src/evidence/tables.js";
import { parseCsv } from "../support/csv-parse.js";
import { EMPTY_POLICY, buildPeriod, extractEntries, filesByName, runVerify, weeklyAuditRun, writeFileWithFolders } from "../support/evidence-fixture.js";

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const RULES = [{ id: "unused-90d", controls: { soc2: ["CC6.2"], cis: ["5.3"] } }];

/** A complete run of the weekly chain whose policy maps unused-90d; two keys were checked, one finding open, one accepted in Slack. */
function runWithControls(i = 0, overrides: Partial<AuditRun> = {}): AuditRun {
  const base = weeklyAuditRun(i);
  const status = overrides.status ?? base.status;
  const keys = ["key_a", "key_b"].map(projectKey);
  const controls = assessControls({ status, rules: RULES, keys, findings: [{ rule_id: "unused-90d" }], exemptions: [{ rule_id: "unused-90d", source: "slack" }] });
  return { ...base, controls: [...controls].reverse(), ...overrides };
}

function projectKey(id: string): KeyRecord {
  const owner = { type: "user" as const, id: "user_a", name: "A", email: "a@example.com", role: "member" };
  return { kind: "project", id, name: id, redacted_value: "sk-proj-...abcd", created_at: "2026-01-01T00:00:00.000Z", last_used_at: null, expires_at: null, project: null, owner, owner_access: "active" };
}

const filesOf = (run: AuditRun) => Object.fromEntries(buildEvidenceFiles({ run, inventory: null, policyText: EMPTY_POLICY }).map((f) => [f.name, text(f.content)]));

describe("controls.json", () => {
  it("holds the run, its status and every control in catalogue order, field by field", () => {
    const run = runWithControls();
    const doc = JSON.parse(filesOf(run)["controls.json"] ?? "");
    expect(Object.keys(doc)).toEqual(["run_id", "status", "controls"]);
    expect(doc.run_id).toBe(run.id);
    expect(doc.status).toBe("complete");
    expect(doc.controls.slice(0, 2)).toEqual([
      {
        framework: "soc2",
        control_id: "CC6.1",
        title: "Logical access security over protected information assets",
        rules: [],
        keys_tested: 0,
        findings: 0,
        exempted: 0,
        accepted: 0,
        status: "not_tested",
      },
      {
        framework: "soc2",
        control_id: "CC6.2",
        title: "Users registered and authorized before credentials are issued; credentials removed when access is no longer authorized",
        rules: ["unused-90d"],
        keys_tested: 2,
        findings: 1,
        exempted: 0,
        accepted: 1,
        status: "fail",
      },
    ]);
    expect(doc.controls.map((c: { framework: string }) => c.framework)).toEqual([...doc.controls.map((c: { framework: string }) => c.framework)].sort(byFramework));
  });

  it("of an incomplete run says so, and passes no control", () => {
    const run = runWithControls(0, { status: "incomplete" });
    const doc = JSON.parse(filesOf({ ...run, controls: assessControls({ status: "incomplete", rules: RULES, keys: [], findings: [], exemptions: [] }) })["controls.json"] ?? "");
    expect(doc.status).toBe("incomplete");
    expect(doc.controls.find((c: { control_id: string }) => c.control_id === "5.3").status).toBe("incomplete");
    expect(doc.controls.map((c: { status: string }) => c.status)).not.toContain("pass");
  });
});

describe("controls.csv", () => {
  it("has one row per control with the documented columns, rule ids separated by spaces", () => {
    const rows = parseCsv(filesOf(runWithControls())["controls.csv"] ?? "");
    expect(rows[0]).toEqual([...CONTROLS_CSV_COLUMNS]);
    expect(rows).toHaveLength(28);
    expect(rows.find((row) => row[2] === "5.3")).toEqual([runWithControls().id, "cis", "5.3", "Disable Dormant Accounts", "fail", "unused-90d", "2", "1", "0", "1", "", ""]);
  });

  it("is documented column by column in docs/controls.md", () => {
    const doc = readFileSync(new URL("../../docs/controls.md", import.meta.url), "utf8");
    const section = doc.slice(doc.indexOf("### controls.csv"));
    const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| ---")));
    expect([...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1])).toEqual([...CONTROLS_CSV_COLUMNS]);
  });
});

describe("docs/controls.md", () => {
  it("shows the error policy check gives for an id written the wrong way", () => {
    const doc = readFileSync(new URL("../../docs/controls.md", import.meta.url), "utf8");
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1] ?? "";
    const documented = /```\n(policies\/team\.yaml:[^\n]*)\n```/.exec(doc)?.[1];
    const loaded = loadPolicy(`version: 1\nname: team\n${yaml.replace("iso27001: [A.5.18]", 'iso27001: ["5.18"]')}`, "policies/team.yaml");
    expect(loaded.ok ? [] : loaded.errors.map(formatPolicyError)).toEqual([documented]);
  });
});

describe("a run's evidence", () => {
  it("lists controls.json and controls.csv in the manifest, and verify names controls.csv when it is altered", async () => {
    const evidence = await buildRunEvidence({ run: runWithControls(), inventory: null, policyText: EMPTY_POLICY, previousManifestSha256: null, version: "0.1.0" });
    expect(evidence.manifest.files.map((f) => f.name)).toEqual(expect.arrayContaining(["controls.csv", "controls.json"]));
    const files = filesByName(evidence);
    expect((await verifyEvidence(new Map([[evidence.prefix, files]]))).ok).toBe(true);
    const altered = new TextEncoder().encode(text(files["controls.csv"]).replace(",fail,", ",pass,"));
    const report = await verifyEvidence(new Map([[evidence.prefix, { ...files, "controls.csv": altered }]]));
    expect(report.problems).toEqual([{ run: evidence.manifest.run.id, file: "controls.csv", message: expect.stringMatching(/^altered: /) }]);
  });

  it("of a failed run, or of a run recorded before controls existed, has no controls files", () => {
    const failed = runWithControls(0, { status: "failed", failure: { reason: "the Admin API could not be reached", details: [] } });
    expect(Object.keys(filesOf(failed))).toEqual(["findings.json", "policy.yaml"]);
    const { controls: _none, ...older } = runWithControls();
    expect(Object.keys(filesOf(older)).filter((name) => name.startsWith("controls"))).toEqual([]);
  });

  it("can be served file by file: both names are evidence file names", () => {
    expect([...EVIDENCE_FILE_NAMES].filter((name) => name.startsWith("controls"))).toEqual(["controls.json", "controls.csv"]);
  });
});

describe("keywarden verify", () => {
  const dir = mkdtempSync(join(tmpdir(), "keywarden-controls-verify-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("verifies a period whose older runs have no controls files and whose newer ones do", async () => {
    const period = await buildPeriod({ runs: 3, auditRun: (i) => (i === 0 ? weeklyAuditRun(0) : runWithControls(i)) });
    const names = period.evidence.map((ev) => ev.files.map((f) => f.name).filter((name) => name.startsWith("controls")));
    expect(names).toEqual([[], ["controls.csv", "controls.json"], ["controls.csv", "controls.json"]]);
    const root = join(dir, "period");
    extractEntries(root, period.entries);
    const result = await runVerify(root);
    expect(result.out).toMatch(/^VERIFIED: 3 runs/);
    expect(result.code).toBe(0);
  });

  it("fails on a controls.json left in a folder without its manifest", async () => {
    const period = await buildPeriod({ runs: 1 });
    const root = join(dir, "orphan");
    extractEntries(root, period.entries);
    writeFileWithFolders(root, "runs/2026/11/run_lost/controls.json", "{}\n");
    const result = await runVerify(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain("runs/2026/11/run_lost/ holds controls.json but no manifest.json");
  });
});

const FRAMEWORK_ORDER = ["soc2", "iso27001", "nist80053", "cis", "pcidss"];
function byFramework(a: string, b: string): number {
  return FRAMEWORK_ORDER.indexOf(a) - FRAMEWORK_ORDER.indexOf(b);
}
