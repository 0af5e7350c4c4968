/**
 * The evidence, the controls and the reports of a run of several accounts (issue 19): two OpenAI
 * organizations and one Anthropic organization. Slack: slack-accounts.test.ts.
 */
import { describe, expect, it } from "vitest";
import { assessControls } from "../../src/controls/assessment.js";
import type { RunControl } from "../../src/model/controls.js";
import type { RemediationView } from "../../src/model/remediation.js";
import type { RunFinding } from "../../src/model/run.js";
import {
  ACCEPTANCES_CSV_COLUMNS,
  EXEMPTIONS_CSV_COLUMNS,
  FINDINGS_CSV_COLUMNS,
  INVENTORY_CSV_COLUMNS,
  buildEvidenceFiles,
  buildRunEvidence,
  verifyEvidence,
} from "../../src/evidence/index.js";
import { CONTROLS_CSV_COLUMNS } from "../../src/evidence/tables.js";
import { REMEDIATIONS_CSV_COLUMNS } from "../../src/evidence/remediations.js";
import { renderPeriodReport } from "../../src/report/html/period-report.js";
import { renderTextReport } from "../../src/report/text.js";
import { sha256Hex } from "../../src/util/hash.js";
import { parseCsv } from "../support/csv-parse.js";
import { ACCOUNT_FINDINGS, ACCOUNT_INVENTORY, ACCOUNT_KEYS, accountError, accountsRun } from "../sim/accounts-run-factory.js";
import { all, attr, hasClass, parseReport, tableRows, textOf } from "./html-report-support.js";

const POLICY = "version: 1\nname: default\nrules: []\n";
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

function filesOf(run = accountsRun(), extra: Partial<Parameters<typeof buildEvidenceFiles>[0]> = {}): Record<string, string> {
  return Object.fromEntries(buildEvidenceFiles({ run, inventory: ACCOUNT_INVENTORY, policyText: POLICY, ...extra }).map((f) => [f.name, text(f.content)]));
}

/** A CSV as one record per row, column name → cell. */
function table(csv: string | undefined): Record<string, string>[] {
  const [header, ...rows] = parseCsv(csv ?? "");
  return rows.map((row) => Object.fromEntries((header ?? []).map((column, i) => [column, row[i] ?? ""])));
}

function control(controls: readonly RunControl[], framework: string, id: string): RunControl {
  const found = controls.find((c) => c.framework === framework && c.control_id === id);
  if (!found) throw new Error(`no ${framework} ${id}`);
  return found;
}

describe("evidence of a run of three accounts", () => {
  it("ends every table that names a key with its provider and account", () => {
    for (const columns of [FINDINGS_CSV_COLUMNS, INVENTORY_CSV_COLUMNS, EXEMPTIONS_CSV_COLUMNS, ACCEPTANCES_CSV_COLUMNS, REMEDIATIONS_CSV_COLUMNS, CONTROLS_CSV_COLUMNS]) {
      expect(columns.slice(columns.indexOf("provider"))).toEqual(columns === INVENTORY_CSV_COLUMNS ? ["provider", "account", "key_status"] : ["provider", "account"]);
    }
    const files = filesOf();
    expect(table(files["findings.csv"]).map((r) => [r.key_id, r.provider, r.account, r.dashboard_url])).toEqual([
      ["apikey_ml", "anthropic", "anthropic", "https://console.anthropic.com/settings/keys"],
      ["key_eu_web", "openai", "openai-eu", "https://platform.openai.com/settings/proj_euweb/api-keys"],
      ["key_us_batch", "openai", "openai-us", "https://platform.openai.com/settings/proj_usbatch/api-keys"],
      ["key_us_old", "openai", "openai-us", "https://platform.openai.com/settings/proj_usold/api-keys"],
    ]);
    // The inventory by account, with the Anthropic status of each key (its archived key is inventory only).
    expect(table(files["inventory.csv"]).map((r) => [r.account, r.provider, r.key_id, r.key_status])).toEqual([
      ["anthropic", "anthropic", "apikey_gone", "archived"],
      ["anthropic", "anthropic", "apikey_ml", "active"],
      ["openai-eu", "openai", "key_eu_admin", "active"],
      ["openai-eu", "openai", "key_eu_web", "active"],
      ["openai-us", "openai", "key_us_batch", "active"],
      ["openai-us", "openai", "key_us_old", "active"],
    ]);
    expect(table(files["exemptions.csv"]).map((r) => [r.key_id, r.provider, r.account])).toEqual([["key_eu_admin", "openai", "openai-eu"]]);
    const findings = JSON.parse(files["findings.json"] ?? "");
    expect(findings.findings.map((f: { key: { id: string; provider: string; account: string } }) => `${f.key.id} ${f.key.provider} ${f.key.account}`)).toContain("apikey_ml anthropic anthropic");
    expect(findings.exemptions[0]).toMatchObject({ key_id: "key_eu_admin", provider: "openai", account: "openai-eu" });
    const inventory = JSON.parse(files["inventory.json"] ?? "");
    expect(inventory.keys[0]).toMatchObject({ id: "apikey_gone", provider: "anthropic", account: "anthropic", status: "archived" });
  });

  it("names the account of each part not seen", () => {
    const findings = JSON.parse(filesOf(accountsRun([accountError("openai-us")]))["findings.json"] ?? "");
    expect(findings.errors).toEqual([expect.objectContaining({ where: 'API keys of project "payments" (proj_x)', account: "openai-us" })]);
  });

  it("leaves a remediation's account empty when its key is gone and the run has several accounts, and fills it when the run has one", () => {
    const remediation = { id: "rem_1", key_id: "key_deleted", keys_affected: [], approvals: [], request: { method: "DELETE", path: "/x", body: null } } as unknown as RemediationView;
    const remediations = { window: { after: null, until: "2026-11-23T06:00:00.000Z" }, items: [remediation] };
    expect(table(filesOf(accountsRun(), { remediations })["remediations.csv"])[0]).toMatchObject({ key_id: "key_deleted", provider: "", account: "" });
    const one = accountsRun([], { findings: ACCOUNT_FINDINGS.slice(0, 1), exemptions: [], exemptions_in_force: [] });
    const inventory = { keys: ACCOUNT_KEYS.filter((k) => k.account === "openai-eu"), projects: [] };
    const files = Object.fromEntries(buildEvidenceFiles({ run: one, inventory, policyText: POLICY, remediations }).map((f) => [f.name, text(f.content)]));
    expect(table(files["remediations.csv"])[0]).toMatchObject({ key_id: "key_deleted", provider: "openai", account: "openai-eu" });
  });

  it("gives each control over every account, then account by account", () => {
    const files = filesOf();
    const rows = table(files["controls.csv"]).filter((r) => r.framework === "cis" && r.control_id === "5.3");
    // The archived Anthropic key is inventory: no rule checks it, so it is not among the keys tested.
    expect(rows.map((r) => [r.account, r.provider, r.status, r.keys_tested, r.findings, r.exempted])).toEqual([
      ["", "", "fail", "5", "2", "1"],
      ["anthropic", "anthropic", "fail", "1", "1", "0"],
      ["openai-eu", "openai", "fail", "2", "1", "1"],
      ["openai-us", "openai", "pass", "2", "0", "0"],
    ]);
    const json = JSON.parse(files["controls.json"] ?? "");
    const cis = json.controls.find((c: { control_id: string }) => c.control_id === "5.3");
    expect(cis.accounts.map((a: { account: string; status: string }) => `${a.account} ${a.status}`)).toEqual(["anthropic fail", "openai-eu fail", "openai-us pass"]);
  });

  it("verifies like any run", async () => {
    const run = accountsRun([], { policy: { name: "default", file: "policies/default.yaml", sha256: sha256Hex(POLICY) } });
    const evidence = await buildRunEvidence({ run, inventory: ACCOUNT_INVENTORY, policyText: POLICY, previousManifestSha256: null, version: "0.1.0" });
    const report = await verifyEvidence(new Map([[evidence.prefix, Object.fromEntries(evidence.files.map((f) => [f.name, f.content]))]]));
    expect(report.problems).toEqual([]);
  });
});

describe("controls account by account", () => {
  const rules = [{ id: "unused-90d", controls: { cis: ["5.3"] } }];

  it("are assessed only when the run has several accounts", () => {
    const one = ACCOUNT_KEYS.filter((k) => k.account === "openai-eu");
    const controls = assessControls({ status: "complete", rules, keys: one, findings: [], exemptions: [] });
    expect(control(controls, "cis", "5.3")).not.toHaveProperty("accounts");
    const legacy = one.map(({ provider: _p, account: _a, ...k }) => k);
    expect(assessControls({ status: "complete", rules, keys: legacy, findings: [], exemptions: [] })).toEqual(controls);
  });

  it("leave incomplete only the account an error names; an error naming none leaves every account incomplete", () => {
    const input = { status: "incomplete" as const, rules, keys: ACCOUNT_KEYS, findings: [], exemptions: [] };
    const named = control(assessControls({ ...input, errors: [accountError("openai-us")] }), "cis", "5.3");
    expect(named.status).toBe("incomplete");
    expect(named.accounts?.map((a) => `${a.account} ${a.status}`)).toEqual(["anthropic pass", "openai-eu pass", "openai-us incomplete"]);
    const unnamed = control(assessControls({ ...input, errors: [{}] }), "cis", "5.3");
    expect(unnamed.accounts?.map((a) => a.status)).toEqual(["incomplete", "incomplete", "incomplete"]);
    // Without the errors, an incomplete run cannot say which account is whole: none passes.
    expect(control(assessControls(input), "cis", "5.3").accounts?.map((a) => a.status)).toEqual(["incomplete", "incomplete", "incomplete"]);
  });

  it("list an account its errors name even when none of its keys was read", () => {
    const controls = assessControls({ status: "incomplete", rules, keys: ACCOUNT_KEYS, findings: [], exemptions: [], errors: [accountError("openai-apac")] });
    expect(control(controls, "cis", "5.3").accounts?.find((a) => a.account === "openai-apac")).toEqual({
      account: "openai-apac",
      provider: null,
      keys_tested: 0,
      findings: 0,
      exempted: 0,
      accepted: 0,
      status: "incomplete",
    });
  });
});

describe("the HTML report of a period of three accounts", () => {
  async function report(run = accountsRun()) {
    const evidence = await buildRunEvidence({ run, inventory: ACCOUNT_INVENTORY, policyText: POLICY, previousManifestSha256: null, version: "0.1.0" });
    return renderPeriodReport({ period: { from: "2026-11-01", to: "2026-11-30" }, runs: [{ prefix: evidence.prefix, files: Object.fromEntries(evidence.files.map((f) => [f.name, f.content])) }] });
  }

  it("has a section per account: its open findings and its controls", async () => {
    const page = parseReport(await report());
    const sections = page.elements.filter((e) => e.tagName === "section" && hasClass(e, "account"));
    expect(sections.map((s) => attr(s, "data-account"))).toEqual(["anthropic", "openai-eu", "openai-us"]);
    expect(textOf(all(page.byId("account-1"), "h2")[0] as never)).toBe("Account anthropic (Anthropic)");
    expect(textOf(page.byId("account-3"))).toContain("2 findings: 1 medium, 1 low");
    const controls = tableRows(page.byId("account-2"));
    expect(controls.find((r) => r.Control === "cis 5.3")).toMatchObject({ "Last run": "fail", "Open findings": "1", "Keys tested": "2" });
    expect(tableRows(page.byId("account-3")).find((r) => r.Control === "cis 5.3")).toMatchObject({ "Last run": "pass" });
    // The contents link to each, and the open findings say their account.
    expect(textOf(all(page.byId("report-header"), "nav")[0] as never)).toContain("Account openai-eu");
    expect(tableRows(page.byId("open-findings")).map((r) => r.Account)).toEqual(["anthropic (Anthropic)", "openai-eu (OpenAI)", "openai-us (OpenAI)", "openai-us (OpenAI)"]);
    expect(textOf(all(page.byId("report-header"), "h1")[0] as never)).toBe("Anthropic and OpenAI API key audit");
  });

  it("has none for a period of one account, and reads findings written before accounts existed", async () => {
    const keys = ACCOUNT_KEYS.filter((k) => k.account === "openai-eu").map(({ provider: _p, account: _a, ...k }) => k);
    const findings: RunFinding[] = ACCOUNT_FINDINGS.filter((f) => f.key.account === "openai-eu").map((f) => {
      const { provider: _p, account: _a, ...key } = f.key;
      return { ...f, key };
    });
    const run = accountsRun([], { findings, controls: assessControls({ status: "complete", rules: [], keys, findings, exemptions: [] }) });
    const evidence = await buildRunEvidence({ run, inventory: { keys, projects: [] }, policyText: POLICY, previousManifestSha256: null, version: "0.1.0" });
    const files = Object.fromEntries(evidence.files.map((f) => [f.name, f.content]));
    // As an older run wrote it: no provider or account on its keys.
    const older = JSON.parse(text(files["findings.json"]));
    for (const f of older.findings) {
      delete f.key.provider;
      delete f.key.account;
    }
    files["findings.json"] = new TextEncoder().encode(JSON.stringify(older));
    const html = renderPeriodReport({ period: { from: "2026-11-01", to: "2026-11-30" }, runs: [{ prefix: evidence.prefix, files }] });
    const page = parseReport(html);
    expect(page.elements.some((e) => hasClass(e, "account"))).toBe(false);
    expect(tableRows(page.byId("open-findings")).map((r) => Object.keys(r).filter((k) => k !== "element"))[0]).toEqual(["Severity", "Rule", "Key", "Project", "Owner", "Finding"]);
    expect(textOf(all(page.byId("report-header"), "h1")[0] as never)).toBe("OpenAI API key audit");
    expect(html).not.toContain("could not read");
  });
});

describe("the text report of a run of three accounts", () => {
  it("lists the findings account by account, and the account of each part not seen", () => {
    const report = renderTextReport(accountsRun([accountError("openai-us")]));
    expect(report).toContain('not seen: [openai-us] API keys of project "payments" (proj_x) — HTTP 503 after 4 attempts');
    const headings = report.split("\n").filter((line) => line.startsWith("ACCOUNT "));
    expect(headings).toEqual([
      "ACCOUNT anthropic (Anthropic): 1 finding",
      "ACCOUNT openai-eu (OpenAI): 1 finding",
      "ACCOUNT openai-us (OpenAI): ⚠ not read in full (1 part(s) not seen); 2 findings so far",
    ]);
    expect(report).toMatch(/ACCOUNT anthropic[\s\S]*\[unused-90d\] apikey-ml \(apikey_ml\) sk-ant-api03-...wxyz — workspace ml-research, owner bob@example.com/);
  });

  it("is as before for a run of one account", () => {
    const findings = ACCOUNT_FINDINGS.filter((f) => f.key.account === "openai-us");
    const legacy = findings.map((f) => {
      const { provider: _p, account: _a, ...key } = f.key;
      return { ...f, key };
    });
    expect(renderTextReport(accountsRun([], { findings, controls: [] }))).toBe(renderTextReport(accountsRun([], { findings: legacy, controls: [] })));
    expect(renderTextReport(accountsRun([], { findings, controls: [] }))).not.toContain("ACCOUNT");
  });
});
