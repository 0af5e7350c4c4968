import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../src/audit/run.js";
import { actionsFor } from "../../src/decide/actions.js";
import type { AuditRun } from "../../src/model/run.js";
import { type SlackBlock, type SlackMessage, blockTexts, messageProblems } from "../../src/slack/blocks.js";
import { buildEvidenceFiles } from "../../src/evidence/files.js";
import { FINDINGS_CSV_COLUMNS as FINDINGS_CSV_HEADER } from "../../src/evidence/tables.js";
import { renderFindingsCsv } from "../../src/slack/csv.js";
import { blockKitBuilderJson, renderPlainTextPreview } from "../../src/slack/preview.js";
import { type RenderedSlackReport, renderSlackReport } from "../../src/slack/render.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { startSimulator, type Simulator } from "../../src/sim/server.js";
import { makeError, makeFinding, makeRun, manyFindings } from "../sim/slack-run-factory.js";

const CHANNEL = "C0SECURITY";
const NOW = new Date("2026-11-23T06:00:00Z");

/** Checked here independently of `messageProblems`, straight from Slack's documented limits. */
function expectWithinSlackLimits(message: SlackMessage): void {
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.text.length).toBeLessThanOrEqual(4000);
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  let total = 0;
  for (const block of message.blocks) {
    if (block.type === "header") expect(block.text.text.length).toBeLessThanOrEqual(150);
    if (block.type === "section") {
      if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(3000);
      for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(2000);
    }
    if (block.type === "context") expect(block.elements.length).toBeLessThanOrEqual(10);
    if (block.block_id !== undefined) expect(block.block_id.length).toBeLessThanOrEqual(255);
    total += blockTexts(block).reduce((n, t) => n + t.length, 0);
  }
  expect(total).toBeLessThanOrEqual(12_000);
  expect(messageProblems(message)).toEqual([]);
}

function allMessages(r: RenderedSlackReport): SlackMessage[] {
  return [r.main, ...r.thread];
}

function findingIds(r: RenderedSlackReport): string[] {
  return r.thread.flatMap((m) => m.blocks.filter((b) => b.block_id?.startsWith("f-")).map((b) => (b.block_id ?? "").slice(2)));
}

function allText(blocks: readonly SlackBlock[]): string {
  return blocks.flatMap(blockTexts).join("\n");
}

/** RFC 4180 parser (quotes, doubled quotes, CRLF, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

describe("renderSlackReport on the sample organization", () => {
  let sim: Simulator;
  let run: AuditRun;
  beforeAll(async () => {
    const adminKey = "sk-admin-slack-render-test-000000000000";
    sim = await startSimulator({ org: sampleOrg(NOW), adminKey });
    run = await runAudit({
      config: { adminKey, baseURL: sim.url },
      policy: { name: "default", file: "policies/default.yaml", text: readFileSync("policies/default.yaml", "utf8") },
      trigger: "demo",
      now: () => NOW,
    });
  });
  afterAll(() => sim.close());

  it("renders a complete run with findings: header, counts, worst findings, thread and CSV", () => {
    expect(run.status).toBe("complete");
    expect(run.findings.length).toBeGreaterThan(0);
    const r = renderSlackReport({ ...run, evidence: { stored: true, prefix: `runs/${run.id}/` } }, { channel: CHANNEL });
    for (const m of allMessages(r)) expectWithinSlackLimits(m);
    const header = r.main.blocks[0];
    expect(header?.type).toBe("header");
    expect(header && blockTexts(header)[0]).toBe(`:large_orange_circle: COMPLETE · ${run.findings.length} findings · policy default`);
    const text = allText(r.main.blocks);
    expect(text).toContain(`*Findings: ${run.counts.findings.total}*`);
    expect(text).toContain("*Worst findings*");
    expect(text).toContain(`runs/${run.id}/`);
    expect(text).toContain(`${run.counts.api_requests} Admin API requests`);
    expect(text).not.toMatch(/all clear/i);
    expect(r.main.channel).toBe(CHANNEL);
    expect(r.findings_total).toBe(run.counts.findings.total);
    expect(findingIds(r).sort()).toEqual(run.findings.map((f) => f.fingerprint).sort());
    const rows = parseCsv(r.csv.content);
    expect(rows[0]).toEqual([...FINDINGS_CSV_HEADER]);
    expect(rows).toHaveLength(run.findings.length + 1);
    expect(r.csv.filename).toBe(`keywarden-${run.id}-findings.csv`);
    // The worst finding of the run comes first in the main message.
    const worst = [...run.findings].sort((a, b) => ["critical", "high", "medium", "low", "info"].indexOf(a.severity) - ["critical", "high", "medium", "low", "info"].indexOf(b.severity))[0];
    expect(text).toContain(`\`${worst?.rule_id}\``);
  });

  it("gives a plain-text preview and Block Kit Builder JSON", () => {
    const r = renderSlackReport(run, { channel: CHANNEL });
    const preview = renderPlainTextPreview(r.main);
    expect(preview.split("\n")[0]).toMatch(/^🟠 COMPLETE · \d+ findings · policy default$/);
    expect(preview).not.toMatch(/&lt;|&gt;|&amp;/);
    // Every emoji shortcode the renderer writes has its character in the preview (none left as :name:).
    expect(preview).not.toMatch(/:[a-z_]+:/);
    expect(JSON.parse(blockKitBuilderJson(r.main))).toEqual({ blocks: r.main.blocks });
  });
});

describe("renderSlackReport at scale", () => {
  it("delivers each of 500 findings exactly once, every message within Slack's limits", () => {
    const run = makeRun({ findings: manyFindings(500) });
    const r = renderSlackReport(run, { channel: CHANNEL });
    for (const m of allMessages(r)) expectWithinSlackLimits(m);
    expect(r.thread.length).toBeGreaterThan(1);
    const ids = findingIds(r);
    expect(ids).toHaveLength(run.counts.findings.total);
    expect(new Set(ids).size).toBe(500);
    expect(new Set(ids)).toEqual(new Set(run.findings.map((f) => f.fingerprint)));
    expect(r.thread_finding_counts.reduce((a, b) => a + b, 0)).toBe(run.counts.findings.total);
    r.thread.forEach((m, i) => expect(m.blocks.filter((b) => b.block_id?.startsWith("f-"))).toHaveLength(r.thread_finding_counts[i] ?? -1));
    expect(r.thread[0]?.text).toMatch(/^Keywarden run_20261123T060000Z_abc123: Findings 1–\d+ of 500$/);
    expect(r.thread.at(-1)?.text).toMatch(/Findings \d+–500 of 500$/);
    // The main message shows the 10 worst, highest severity first.
    const bullets = allText(r.main.blocks).split("\n").filter((l) => l.startsWith("•"));
    expect(bullets).toHaveLength(10);
    expect(allText(r.main.blocks)).toContain("`service-account-owner` — 72 findings (10 shown)");
  });

  it("keeps every finding when every string is huge and full of characters to escape", () => {
    const long = "<&>".repeat(4000);
    const findings = Array.from({ length: 120 }, (_, i) =>
      makeFinding(i, {
        sentence: `${long} ${i}`,
        key: { ...makeFinding(i).key, name: `${long}${i}`, redacted_value: `sk-${"`".repeat(50)}` },
        owner: { type: "user", id: `user_${i}`, name: long, email: `${long}@example.com`, role: null },
        project: { id: `proj_${long}`, name: long, archived: false },
      }),
    );
    const run = makeRun({
      status: "incomplete",
      findings,
      errors: Array.from({ length: 30 }, (_, i) => makeError(i, { where: `${long} ${i}`, message: long })),
      policy: { name: "p".repeat(400), file: long, sha256: "f".repeat(64) },
    });
    const r = renderSlackReport(run, { channel: CHANNEL, maxFindingsInMain: 30 });
    for (const m of allMessages(r)) expectWithinSlackLimits(m);
    expect(findingIds(r)).toHaveLength(120);
    expect(r.thread.flatMap((m) => m.blocks.filter((b) => b.block_id?.startsWith("e-")))).toHaveLength(30);
  });

  it("caps the worst findings of the main message at maxFindingsInMain", () => {
    const run = makeRun({ findings: manyFindings(50) });
    const bulletsFor = (max?: number) =>
      allText(renderSlackReport(run, { channel: CHANNEL, ...(max === undefined ? {} : { maxFindingsInMain: max }) }).main.blocks)
        .split("\n")
        .filter((l) => l.startsWith("•")).length;
    expect(bulletsFor()).toBe(10);
    expect(bulletsFor(3)).toBe(3);
    // At most 30, fewer when the message's room runs out first.
    expect(bulletsFor(1000)).toBe(bulletsFor(30));
    expect(bulletsFor(30)).toBeLessThanOrEqual(30);
    expect(bulletsFor(30)).toBeGreaterThan(20);
    expect(bulletsFor(0)).toBe(0);
  });
});

describe("renderSlackReport by status", () => {
  it("opens an incomplete run with a red warning naming what was not seen", () => {
    const run = makeRun({ status: "incomplete", findings: manyFindings(3), errors: [makeError(1), makeError(2, { where: "organization users", message: "invalid_shape: users[3].email" })] });
    const r = renderSlackReport(run, { channel: CHANNEL });
    expect(blockTexts(r.main.blocks[0] as SlackBlock)[0]).toBe(":red_circle: INCOMPLETE · 3 findings so far · policy default");
    const warning = blockTexts(r.main.blocks[1] as SlackBlock)[0] ?? "";
    expect(warning.split("\n")[0]).toBe(":red_circle: *INCOMPLETE — 2 parts not seen:*");
    expect(warning).toContain('API keys of project "Team 1" (proj_x1)');
    expect(warning).toContain("organization users");
    expect(warning).toContain("lower bound");
    expect(r.main.text).toContain("INCOMPLETE");
    expect(allText(allMessages(r).flatMap((m) => m.blocks))).not.toMatch(/all clear/i);
    // Nothing was cut, so the errors are not repeated in the thread.
    expect(r.thread.flatMap((m) => m.blocks).filter((b) => b.block_id?.startsWith("e-"))).toHaveLength(0);
  });

  it("keeps the count exact when the list of parts not seen is cut, and lists them all in the thread", () => {
    const run = makeRun({ status: "incomplete", errors: Array.from({ length: 40 }, (_, i) => makeError(i)) });
    const r = renderSlackReport(run, { channel: CHANNEL });
    const warning = blockTexts(r.main.blocks[1] as SlackBlock)[0] ?? "";
    expect(warning).toContain("INCOMPLETE — 40 parts not seen:");
    expect(warning).toMatch(/…and 25 more \(all listed in the thread\)/);
    expect(r.thread.flatMap((m) => m.blocks).filter((b) => b.block_id?.startsWith("e-"))).toHaveLength(40);
    expect(allText(r.main.blocks)).not.toMatch(/all clear/i);
    expect(r.findings_total).toBe(0);
  });

  it("posts an alert with the reason for a failed run, and no counts", () => {
    const run = makeRun({ status: "failed", failure: { reason: "policy policies/x.yaml is invalid", details: ["rules[0].days: expected a number (line 4, column 11)"] } });
    const r = renderSlackReport(run, { channel: CHANNEL });
    expect(blockTexts(r.main.blocks[0] as SlackBlock)[0]).toMatch(/^:x: FAILED/);
    const alert = allText(r.main.blocks);
    expect(alert).toContain("*The audit failed: policy policies/x.yaml is invalid*");
    expect(alert).toContain("rules[0].days: expected a number (line 4, column 11)");
    expect(alert).not.toContain("*Findings:");
    expect(alert).not.toMatch(/all clear/i);
    expect(r.main.text).toBe("Keywarden FAILED (policy default): policy policies/x.yaml is invalid");
    expect(r.thread).toEqual([]);
    for (const m of allMessages(r)) expectWithinSlackLimits(m);
  });

  it("says all clear only for a complete run without findings", () => {
    const clear = renderSlackReport(makeRun(), { channel: CHANNEL });
    expect(blockTexts(clear.main.blocks[0] as SlackBlock)[0]).toBe(":white_check_mark: ALL CLEAR · policy default");
    expect(clear.thread).toEqual([]);
    expect(clear.findings_total).toBe(0);
    for (const run of [makeRun({ status: "incomplete", errors: [makeError(1)] }), makeRun({ status: "failed", failure: { reason: "x", details: [] } }), makeRun({ findings: manyFindings(1) })]) {
      const r = renderSlackReport(run, { channel: CHANNEL });
      expect(JSON.stringify(r)).not.toMatch(/all clear/i);
    }
  });

  it("shows new, open and resolved since the last run and lists the resolved ones in the thread", () => {
    const run = makeRun({
      findings: manyFindings(2).map((f, i) => ({ ...f, lifecycle: i === 0 ? "new" : "open" })),
      lifecycle: {
        new: 1,
        open: 1,
        resolved: 1,
        resolved_findings: [{ fingerprint: "old1", rule_id: "unused-90d", severity: "high", key_id: "key_old", key_name: "old", project: null, last_seen_run: "run_prev" }],
      },
      exemptions: [{ rule_id: "unused-90d", key_id: "key_z", reason: "break-glass key", expires: "2027-01-01", fingerprint: "exz" }],
    });
    const r = renderSlackReport(run, { channel: CHANNEL });
    expect(allText(r.main.blocks)).toContain("*Since the last run:* :new: 1 new  ·  1 still open  ·  :white_check_mark: 1 resolved");
    const ids = r.thread.flatMap((m) => m.blocks.map((b) => b.block_id)).filter(Boolean);
    expect(ids).toEqual(expect.arrayContaining(["r-old1", "x-exz"]));
    expect(r.thread_finding_counts.reduce((a, b) => a + b, 0)).toBe(2);
  });

  it("links the evidence when given a URL, and warns when the evidence was not stored", () => {
    const linked = renderSlackReport(makeRun({ evidence: { stored: true, prefix: "runs/r1/" } }), { channel: CHANNEL, evidenceUrl: "https://kw.example/runs/r1/evidence?a=1&b=|x" });
    expect(allText(linked.main.blocks)).toContain("<https://kw.example/runs/r1/evidence?a=1&amp;b=%7Cx|Evidence> · `runs/r1/`");
    const notStored = renderSlackReport(makeRun({ evidence: { stored: false, prefix: "runs/r1/", error: "R2 put failed" } }), { channel: CHANNEL });
    expect(allText(notStored.main.blocks)).toContain(":warning: *Evidence NOT stored*: R2 put failed");
    const badUrl = renderSlackReport(makeRun(), { channel: CHANNEL, evidenceUrl: "javascript:alert(1)" });
    expect(allText(badUrl.main.blocks)).not.toContain("javascript");
  });
});

describe("escaping of organization-controlled strings", () => {
  it("never lets a key, owner, project or sentence form a mention, link or fake line", () => {
    const hostile = "<!channel> <!here|here> <@U123> <#C123> <https://evil.example|click> &amp; ok";
    const run = makeRun({
      status: "incomplete",
      errors: [makeError(1, { where: `API keys of project "${hostile}"`, message: hostile })],
      findings: manyFindings(3).map((f) => ({
        ...f,
        sentence: hostile,
        key: { ...f.key, name: `${hostile}\n:white_check_mark: *All clear*` },
        owner: { ...f.owner, name: hostile, email: "<mailto:x@evil.example>" },
        project: { id: "proj_1", name: hostile, archived: false },
      })),
      lifecycle: { new: 0, open: 3, resolved: 1, resolved_findings: [{ fingerprint: "r", rule_id: "unused-90d", severity: "high", key_id: "k", key_name: hostile, project: null, last_seen_run: "run_0" }] },
    });
    const r = renderSlackReport(run, { channel: CHANNEL });
    for (const m of allMessages(r)) {
      const texts = [m.text, ...m.blocks.filter((b) => b.type !== "header").flatMap(blockTexts)];
      // Keywarden's own markup: "> " opening a quoted line, and the links to the OpenAI dashboard.
      for (const t of texts.map((t) => withoutDashboardLinks(t).replace(/^> /gm, ""))) {
        expect(t).not.toContain("<");
        expect(t).not.toContain(">");
        expect(t).not.toMatch(/&(?!amp;|lt;|gt;)/);
      }
      for (const block of m.blocks) {
        if (block.type === "section" && block.text) expect(block.text).toMatchObject({ type: "mrkdwn", verbatim: true });
      }
    }
    const thread = allText(r.thread.flatMap((m) => m.blocks));
    expect(thread).toContain("&lt;!channel&gt;");
    expect(thread).toContain("&amp;amp; ok");
    expect(thread).not.toContain("\n:white_check_mark: *All clear*");
  });
});

/** The text without Keywarden's links to the OpenAI dashboard (exactly the two pages it links). */
function withoutDashboardLinks(text: string): string {
  return text.replace(/<https:\/\/platform\.openai\.com\/settings\/(organization\/admin-keys|proj_[A-Za-z0-9]+\/api-keys)\|Manage in OpenAI>/g, "");
}

const threadText = (r: RenderedSlackReport) => allText(r.thread.flatMap((m) => m.blocks));
/** The thread's section of the finding with this fingerprint. */
const findingSection = (r: RenderedSlackReport, fingerprint: string) =>
  allText(r.thread.flatMap((m) => m.blocks).filter((b) => b.block_id === `f-${fingerprint}`));

describe("what to do about each finding", () => {
  const projectKey = makeFinding(1, { project: { id: "proj_Web42", name: "web", archived: false }, key: { ...makeFinding(1).key, kind: "project" } });
  const adminKey = makeFinding(5, { project: null, key: { ...makeFinding(5).key, kind: "admin" } });
  const oddProject = makeFinding(2, { project: { id: "proj_x|<!channel>", name: "odd", archived: false }, key: { ...makeFinding(2).key, kind: "project" } });

  it("the thread gives each finding its remediation and a link to manage its key in the OpenAI dashboard", () => {
    const custom = { ...projectKey, remediation: "ask the platform team to revoke it (runbook RB-12)" };
    const r = renderSlackReport(makeRun({ findings: [custom, adminKey, oddProject] }), { channel: CHANNEL });
    expect(findingSection(r, custom.fingerprint)).toContain(
      ":wrench: ask the platform team to revoke it (runbook RB-12) · <https://platform.openai.com/settings/proj_Web42/api-keys|Manage in OpenAI>",
    );
    expect(findingSection(r, adminKey.fingerprint)).toContain("<https://platform.openai.com/settings/organization/admin-keys|Manage in OpenAI>");
    // Recorded without a remediation (an older run): its kind's default; a project id that is not one: no link.
    expect(findingSection(r, oddProject.fingerprint)).toContain(":wrench: review the key against this rule and revoke or rotate it");
    expect(findingSection(r, oddProject.fingerprint)).not.toContain("Manage in OpenAI");
    for (const m of allMessages(r)) expectWithinSlackLimits(m);
  });

  it("the main message's worst findings say it too", () => {
    const r = renderSlackReport(makeRun({ findings: [{ ...projectKey, remediation: "rotate it today" }] }), { channel: CHANNEL });
    expect(allText(r.main.blocks)).toContain(":wrench: rotate it today · <https://platform.openai.com/settings/proj_Web42/api-keys|Manage in OpenAI>");
  });

  it("keeps the advice and the link whole when everything else is huge, every message within Slack's limits", () => {
    const long = "<&>".repeat(2000);
    const findings = Array.from({ length: 60 }, (_, i) => {
      const base = makeFinding(i, { project: { id: `proj_P${i}`, name: long, archived: false } });
      return { ...base, key: { ...base.key, kind: "project" as const, name: long, id: `key_${long}` }, sentence: long, remediation: `${long} ${i}`, owner: { ...base.owner, name: long, email: long } };
    });
    const r = renderSlackReport(makeRun({ findings }), { channel: CHANNEL, maxFindingsInMain: 30 });
    for (const m of allMessages(r)) expectWithinSlackLimits(m);
    for (const f of findings) expect(findingSection(r, f.fingerprint)).toMatch(new RegExp(`<https://platform\\.openai\\.com/settings/${f.project?.id}/api-keys\\|Manage in OpenAI>$`));
    const mainBullets = allText(r.main.blocks).split("\n").filter((line) => line.includes(":wrench:"));
    expect(mainBullets.length).toBeGreaterThan(0);
    for (const line of mainBullets) expect(line).toMatch(/\|Manage in OpenAI>$/);
    for (const m of allMessages(r)) for (const t of m.blocks.flatMap(blockTexts)) expect(withoutDashboardLinks(t).replace(/^> /gm, "")).not.toMatch(/[<>]/);
  });
});

describe("exemptions in the thread", () => {
  it("say who approved or accepted each one, until when, and why", () => {
    const run = makeRun({
      findings: manyFindings(1),
      exemptions: [
        { rule_id: "unused-90d", key_id: "key_bg", reason: "break-glass key", expires: "2027-01-01", fingerprint: "x1", source: "policy", approved_by: "security@example.com" },
        {
          rule_id: "key-age-365d",
          key_id: "key_batch",
          reason: "batch job until the migration",
          expires: "2026-12-31",
          fingerprint: "x2",
          source: "slack",
          id: "acc_1",
          accepted_by: { id: "U0ALICE", name: "Alice Martin" },
          accepted_at: "2026-11-20T09:30:00.000Z",
          ticket: "https://tickets.example/SEC-12",
        },
        { rule_id: "owner-not-allowed", key_id: "key_old", reason: "recorded before sources", expires: "2027-02-01", fingerprint: "x3" },
      ],
    });
    const r = renderSlackReport(run, { channel: CHANNEL });
    const thread = threadText(r);
    expect(thread).toContain("`unused-90d` on `key_bg` — exempted by the policy until 2027-01-01, approved by security@example.com: break-glass key");
    expect(thread).toContain("`key-age-365d` on `key_batch` — accepted by Alice Martin until 2026-12-31: batch job until the migration · ticket https://tickets.example/SEC-12");
    expect(thread).toContain("`owner-not-allowed` on `key_old` — exempted by the policy until 2027-02-01: recorded before sources");
    expect(allText(r.main.blocks)).toContain(":shield: 3 findings exempted (2 by the policy, 1 accepted in Slack)");
    for (const m of allMessages(r)) expectWithinSlackLimits(m);
  });

  it("say when an acceptance expired, and by whom it was made", () => {
    const run = makeRun({
      findings: manyFindings(1),
      exemption_notices: [
        { kind: "expired", rule_id: "unused-90d", key_id: "key_web", reason: "quarterly job", expires: "2026-11-20", source: "slack", id: "acc_1", accepted_by: { id: "U0ALICE", name: "Alice Martin" }, accepted_at: "2026-10-01T00:00:00.000Z" },
        { kind: "unused", rule_id: "unused-90d", key_id: "key_gone", reason: "break-glass", expires: "2027-01-01", source: "policy", approved_by: "sec@example.com" },
      ],
    });
    const thread = threadText(renderSlackReport(run, { channel: CHANNEL }));
    expect(thread).toContain("`unused-90d` on `key_web`: the acceptance by Alice Martin expired on 2026-11-20; the finding is open again — quarterly job");
    expect(thread).toContain("`unused-90d` on `key_gone`: the policy's exemption (approved by sec@example.com, until 2027-01-01) names a key that was not seen — break-glass");
  });
});

describe("CSV", () => {
  it("is RFC 4180 with a header row, and neutralizes formulas", () => {
    const findings = [
      makeFinding(1, { sentence: 'has "quotes", commas\nand a newline' }),
      makeFinding(2, { key: { ...makeFinding(2).key, name: '=HYPERLINK("x")' } }),
      makeFinding(3, { owner: { type: "user", id: "u", name: "+cmd", email: "@sum(1)", role: "-2+3" } }),
    ];
    const run = makeRun({ findings });
    const rows = parseCsv(renderFindingsCsv(run));
    expect(rows[0]).toEqual([...FINDINGS_CSV_HEADER]);
    expect(rows).toHaveLength(4);
    const col = (name: (typeof FINDINGS_CSV_HEADER)[number]) => FINDINGS_CSV_HEADER.indexOf(name);
    const row = (keyId: string) => rows.find((r) => r[col("key_id")] === keyId) ?? [];
    expect(row("key_1")[col("sentence")]).toBe('has "quotes", commas\nand a newline');
    expect(row("key_2")[col("key_name")]).toBe(`'=HYPERLINK("x")`);
    expect(row("key_3")[col("owner_name")]).toBe("'+cmd");
    expect(row("key_3")[col("owner_email")]).toBe("'@sum(1)");
    expect(row("key_3")[col("owner_role")]).toBe("'-2+3");
    expect(row("key_1")[col("created_at")]).toBe("2025-01-02T03:04:05.000Z");
    expect(row("key_1")[col("fingerprint")]).toBe(findings[0]?.fingerprint);
    for (const row of rows) expect(row).toHaveLength(FINDINGS_CSV_HEADER.length);
  });

  it("is byte for byte the evidence findings.csv", () => {
    const run = makeRun({ findings: manyFindings(25) });
    const evidence = buildEvidenceFiles({ run, inventory: null, policyText: "version: 1" }).find((f) => f.name === "findings.csv");
    expect(evidence && new TextDecoder().decode(evidence.content)).toBe(renderFindingsCsv(run));
  });
});

describe("where the evidence is", () => {
  it("shows the full manifest SHA-256, the value auditors keep for verify --anchor", () => {
    const sha = "a".repeat(32) + "b".repeat(32);
    const { main } = renderSlackReport(makeRun({ evidence: { stored: true, prefix: "runs/2026/11/run_x/", manifest_sha256: sha } }), { channel: CHANNEL });
    const text = main.blocks.flatMap(blockTexts).join("\n");
    expect(text).toContain(`manifest sha256 \`${sha}\``);
    expect(text).toContain("verify --anchor");
  });

  it("does not show an empty policy hash for a run that never read its policy", () => {
    const { main } = renderSlackReport(makeRun({ status: "failed", policy: { name: "default", file: "policies/default.yaml", sha256: "" } }), { channel: CHANNEL });
    expect(main.blocks.flatMap(blockTexts).join("\n")).not.toContain("sha256 ``");
  });
});

describe("Accept-risk buttons", () => {
  it("sit beside every finding in the thread, valued with the run and its fingerprint, only when asked for", () => {
    const run = makeRun({ findings: manyFindings(45) });
    const withButtons = renderSlackReport(run, { channel: CHANNEL, acceptButtons: true });
    const findingBlocks = withButtons.thread.flatMap((m) => m.blocks).filter((b) => b.block_id?.startsWith("f-"));
    expect(findingBlocks).toHaveLength(45);
    for (const block of findingBlocks) {
      expect(block.type === "section" && block.accessory).toMatchObject({ type: "button", action_id: "accept_risk", value: `${run.id}:${block.block_id?.slice(2)}` });
    }
    for (const message of withButtons.thread) expectWithinSlackLimits(message);
    const without = renderSlackReport(run, { channel: CHANNEL });
    expect(without.thread.flatMap((m) => m.blocks).some((b) => b.type === "section" && b.accessory)).toBe(false);
  });
});

describe("the Revoke… menu (REMEDIATION not off)", () => {
  it("replaces the button with Accept risk… / Revoke… on findings an action fits, and keeps the button where none does", () => {
    const run = makeRun({ findings: manyFindings(21) });
    const rendered = renderSlackReport(run, { channel: CHANNEL, acceptButtons: true, revokeMenu: true });
    const blocks = rendered.thread.flatMap((m) => m.blocks).filter((b) => b.block_id?.startsWith("f-"));
    const byKey = new Map(run.findings.map((f) => [`f-${f.fingerprint}`, f]));
    let menus = 0;
    for (const block of blocks) {
      const finding = byKey.get(block.block_id ?? "");
      const accessory = block.type === "section" ? block.accessory : undefined;
      // actionsFor is tested on its own (remediation-actions.test.ts): archived projects and rule kinds
      // with no action for this owner get none.
      if (!finding || actionsFor(finding, []).length === 0) expect(accessory).toMatchObject({ type: "button", action_id: "accept_risk" });
      else {
        menus++;
        expect(accessory).toEqual({
          type: "overflow",
          action_id: "finding_menu",
          options: [
            { text: { type: "plain_text", text: "Accept risk…" }, value: `accept_risk:${run.id}:${finding?.fingerprint}` },
            { text: { type: "plain_text", text: "Revoke…" }, value: `revoke:${run.id}:${finding?.fingerprint}` },
          ],
        });
      }
    }
    expect(menus).toBeGreaterThan(0);
    expect(menus).toBeLessThan(blocks.length);
  });
});

describe("enrichment that failed", () => {
  it("is said once in the main message, and the run is still reported as complete", () => {
    const run = makeRun({ findings: manyFindings(3), enrichment_errors: [{ source: "audit_log", kind: "auth", status: 403, message: "creator unavailable: the audit log answered HTTP 403 (is audit logging on?)" }] });
    const { main } = renderSlackReport(run, { channel: CHANNEL });
    const text = main.blocks.flatMap(blockTexts).join("\n");
    expect(text.match(/creator unavailable/g)).toHaveLength(1);
    expect(text).not.toMatch(/incomplete/i);
  });
});
