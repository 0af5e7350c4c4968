/**
 * The period report's figures, read from the page as a browser parses it, against the evidence it
 * was rendered from: every run with its status, counts and manifest SHA-256, the chart's points,
 * the open findings of the last run, each control's status, the accepted risks, the remediations,
 * and the command that verifies it all.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { renderPeriodReport } from "../../src/report/html/period-report.js";
import { sha256Hex } from "../../src/util/hash.js";
import { NOVEMBER_2026 } from "../support/evidence-fixture.js";
import { ACCEPTANCE_DECISIONS, ACCEPTED, EXPIRED, GAP, type ReportPeriod, type Report, REMEDIATIONS, all, attr, buildReportPeriod, hasClass, parseReport, periodAuditRun, tableRows, textOf } from "./html-report-support.js";

let period: ReportPeriod;
let html: string;
let page: Report;

beforeAll(async () => {
  period = await buildReportPeriod();
  html = renderPeriodReport({ period: NOVEMBER_2026, runs: period.stored, withoutEvidence: [GAP] });
  page = parseReport(html);
});

const runRows = () => tableRows(page.byId("runs"), (row) => hasClass(row, "run") || hasClass(row, "gap"));

describe("the period report", () => {
  it("counts the runs of the period, with and without evidence, by status and by trigger", () => {
    const stat = (id: string) => textOf(page.byId(`stat-${id}`));
    expect([stat("runs-total"), stat("runs-complete"), stat("runs-incomplete"), stat("runs-failed"), stat("runs-without-evidence")]).toEqual([
      "5 Runs",
      "2 Complete",
      "1 Incomplete",
      "1 Failed",
      "1 Without evidence",
    ]);
    const summary = page.byId("summary");
    expect(textOf(summary)).toContain("5 audit runs started in the period: the first at 2026-11-02 06:00 UTC, the last at 2026-11-27 06:00 UTC.");
    expect(textOf(summary)).toContain("4 of 4 runs with evidence have a signed manifest.");
    const triggers = tableRows(all(summary, "table")[0]!).map(({ Trigger, Runs }) => [Trigger, Runs]);
    expect(triggers).toEqual([["cron", "3"], ["http", "1"], ["not recorded (no evidence)", "1"]]);
  });

  it("lists every run in start order with its status, trigger, finding counts by severity and manifest SHA-256", () => {
    const rows = runRows();
    expect(rows.map((r) => attr(r.element, "data-run"))).toEqual([...period.evidence.map((e) => e.manifest.run.id).slice(0, 4), GAP.id]);
    period.evidence.forEach((ev, i) => {
      const row = rows[i]!;
      const { run } = ev.manifest;
      const f = run.counts.findings;
      const failed = run.status === "failed";
      const shown = failed ? ["—", "—", "—", "—", "—", "—"] : [f.critical, f.high, f.medium, f.low, f.info, f.total].map(String);
      expect({ id: row.Run, status: row.Status, trigger: row.Trigger, counts: [row.Critical, row.High, row.Medium, row.Low, row.Info, row["Open findings"]], signed: row.Signed }).toEqual({
        id: run.id,
        status: run.status,
        trigger: run.trigger,
        counts: shown,
        signed: "yes",
      });
      const hashRow = tableRows(page.byId("runs"), (r) => hasClass(r, "hash-row") && attr(r, "data-run") === run.id)[0]!;
      expect(textOf(hashRow.element)).toBe(`manifest SHA-256 ${sha256Hex(ev.files.find((file) => file.name === "manifest.json")!.content)}`);
      expect(textOf(hashRow.element)).toContain(ev.manifestSha256);
    });
    expect(rows[4]).toMatchObject({ Run: GAP.id, Status: "complete", "Admin keys": `No stored evidence: ${GAP.reason}` });
    expect(textOf(page.byId("runs"))).toContain("The first run starts the chain. Each of the other 3 runs names the SHA-256 of the manifest before it.");
  });

  it("draws one point per run that evaluated the policy for each severity, at the run's counts, and marks the failed run and the gap", () => {
    const svg = all(page.byId("trend"), "svg")[0]!;
    const evaluated = period.evidence.filter((e) => e.manifest.run.status !== "failed");
    for (const severity of ["critical", "high", "medium", "low", "info"] as const) {
      const group = all(svg, "g").find((g) => attr(g, "data-severity") === severity)!;
      const points = group.childNodes.filter((n) => "tagName" in n);
      expect(points, severity).toHaveLength(evaluated.length);
    }
    // Higher counts sit higher: the critical points follow the runs' critical counts (1, 0, 1).
    const critical = all(svg, "g").find((g) => attr(g, "data-severity") === "critical")!;
    const ys = all(critical, "circle").map((c) => Number(attr(c, "cy")));
    expect(ys[0]).toBe(ys[2]);
    expect(ys[1]).toBeGreaterThan(ys[0]!);
    const hollow = all(svg, "g").filter((g) => hasClass(g, "hollow"));
    expect(hollow).toHaveLength(5); // the incomplete run, once per severity
    expect(all(svg, "text").filter((t) => hasClass(t, "mark-failed")).map(textOf)).toEqual(["×", "×"]); // on the axis, and in the legend
    expect(all(svg, "text").filter((t) => hasClass(t, "mark-gap")).map(textOf)).toEqual(["?", "?"]);
    const labels = all(svg, "text").map(textOf);
    expect(labels).toEqual(expect.arrayContaining(["Run start (UTC)", "Open findings", "2026-11-01", "0"]));
  });

  it("lists the open findings of the last run that evaluated the policy, worst first", () => {
    const section = page.byId("open-findings");
    expect(textOf(section)).toContain(`As found by run ${period.evidence[3]!.manifest.run.id} (2026-11-23 06:00 UTC, complete).`);
    expect(tableRows(section).map((r) => [r.Severity, r.Key, r.Project])).toEqual([
      ["critical", "web prod key_a", "web-app"],
      ["high", "bob laptop key_b", "web-app"],
      ["low", "— key_c", "—"],
    ]);
    // What the enrichment knows is shown with the finding, as in Slack; nothing where it knows nothing.
    expect(tableRows(section).map((r) => r.Finding)).toEqual([
      "owned by someone outside the allowlist (key_a) created by alice@example.com · 1,234 requests, spent $123.46 in 30 days",
      "owned by someone outside the allowlist (key_b)",
      "owned by someone outside the allowlist (key_c)",
    ]);
  });

  it("gives each control its status at the last run, its passes and failures over the period, and its status run by run", () => {
    const section = page.byId("controls");
    const rows = tableRows(section, (r) => hasClass(r, "control"));
    const byId = Object.fromEntries(rows.map((r) => [`${attr(r.element, "data-framework")} ${attr(r.element, "data-control")}`, r]));
    expect(Object.keys(byId)).toEqual(["soc2 CC6.1", "soc2 CC6.2", "pcidss 8.6.2"]);
    expect(byId["soc2 CC6.1"]).toMatchObject({ Control: "CC6.1", Title: "Logical access security", "Last run": "fail", "Runs passed / failed / incomplete / not tested": "1 / 1 / 1 / 1", "Run by run": "✓!✗" });
    expect(byId["soc2 CC6.2"]).toMatchObject({ "Last run": "pass", "Runs passed / failed / incomplete / not tested": "1 / 2 / 0 / 1", "Run by run": "✗✗✓" });
    expect(byId["pcidss 8.6.2"]).toMatchObject({ "Last run": "not tested", "Runs passed / failed / incomplete / not tested": "0 / 0 / 0 / 4", "Run by run": "–––" });
    expect(byId["soc2 CC6.1"]!["Open findings"]).toBe("1");
    // Grouped under each framework's name.
    expect(all(section, "tr").filter((r) => hasClass(r, "framework")).map(textOf)).toEqual(["SOC 2", "PCI DSS v4.0"]);
  });

  it("says there is no control data when no run recorded controls.json", async () => {
    const { stored } = await buildReportPeriod({ auditRun: (i) => ({ ...periodAuditRun(i), controls: undefined }) });
    const section = parseReport(renderPeriodReport({ period: NOVEMBER_2026, runs: stored })).byId("controls");
    expect(textOf(section)).toBe("Controls No control data: no run of this period recorded controls.json.");
  });

  it("lists each risk accepted in Slack once, with who accepted it, why, until when, and the runs it held in; not the policy's exemptions", () => {
    const section = page.byId("accepted-risks");
    const rows = tableRows(section);
    expect(rows.map((r) => ({ rule: r.Rule, key: r.Key, by: r["Accepted by"], at: r["Accepted at"], reason: r.Reason, ticket: r.Ticket, expires: r.Expires, held: r["In force"] }))).toEqual([
      { rule: ACCEPTED.rule_id, key: ACCEPTED.key_id, by: "Dana Okafor U0DANA0001", at: "2026-11-01 09:00 UTC", reason: ACCEPTED.reason, ticket: "SEC-142", expires: "2026-12-15", held: "3 runs, 2026-11-02 – 2026-11-23; suppressed its finding in 3 of them" },
      { rule: EXPIRED.rule_id, key: EXPIRED.key_id, by: "Bob Chen U0BOB00001", at: "2026-11-13 10:00 UTC", reason: EXPIRED.reason, ticket: "—", expires: "2026-11-20 expired", held: "1 run, 2026-11-23 – 2026-11-23; suppressed its finding in 0 of them" },
    ]);
    expect(textOf(section)).toContain("Besides these, 1 exemption written in the policy file");
  });

  it("lists each decision on an accepted risk between the runs, a revocation with who revoked it and why, also for an acceptance no run saw in force", () => {
    const rows = tableRows(page.byId("acceptance-decisions"));
    expect(rows.map((r) => [r.When, r.Decision, r["Rule / key"], r.By, r.Why])).toEqual([
      ["2026-11-18 08:00 UTC", "accepted", "unused-90d key_web_old", "Sam Rivera U0SAM00001 in Slack", ACCEPTANCE_DECISIONS[0]!.reason],
      ["2026-11-19 15:30 UTC", "revoked", "unused-90d key_web_old", "dana@example.com through the API", "Bob left: the key goes"],
    ]);
  });

  it("lists the remediations with who requested and who approved them, the action and its status", () => {
    const rows = tableRows(page.byId("remediations"));
    expect(rows.map((r) => [r["Requested by"], r["Approved by"], r.Status, r["Key / rule"]])).toEqual([
      ["Sam Rivera U0SAM00001 2026-11-20 10:00 UTC", "Dana Okafor U0DANA0001 2026-11-20 10:30 UTC", "executed", "key_web_mallory owner-not-allowed"],
      ["Sam Rivera U0SAM00001 2026-11-20 10:00 UTC", "—", "rejected", "key_web_mallory owner-not-allowed"],
    ]);
    expect(rows[0]!.Action).toBe(`revoke-project-key ${REMEDIATIONS[0]!.summary}`);
  });

  it("says how to verify the export: the command, and the SHA-256 the public key must have", () => {
    const section = textOf(page.byId("verify"));
    expect(section).toContain("keywarden verify keywarden-evidence-2026-11-01-to-2026-11-30.zip --public-key evidence-public.pem");
    expect(section).toContain(`signed by the key whose SHA-256 is ${period.evidence[0]!.manifest.signature!.public_key_sha256}`);
    expect(section).toContain(`The last run of this page says its manifest hashes to ${period.evidence[3]!.manifestSha256}.`);
    expect(section).toContain("GET /evidence/public-key of the Keywarden deployment");
    const served = textOf(parseReport(renderPeriodReport({ period: NOVEMBER_2026, runs: period.stored, verify: { publicKeyUrl: "https://kw.example/evidence/public-key" } })).byId("verify"));
    expect(served).toContain("it is served without a token at https://kw.example/evidence/public-key.");
  });

  it("says so when the period has no run, and has no data to show", () => {
    const empty = parseReport(renderPeriodReport({ period: NOVEMBER_2026, runs: [] }));
    expect(textOf(empty.byId("summary"))).toContain("No audit run started in this period.");
    expect(textOf(empty.byId("open-findings"))).toContain("No run in this period evaluated the policy.");
    expect(textOf(empty.byId("controls"))).toContain("No control data");
    expect(textOf(empty.byId("accepted-risks"))).toContain("No exemption data");
    expect(textOf(empty.byId("remediations"))).toContain("No remediation data");
    expect(textOf(empty.byId("runs"))).toContain("No run in this period.");
    expect(all(empty.byId("trend"), "svg")[0]!.attrs).toContainEqual({ name: "role", value: "img" });
  });

  it("is the same page whatever order the runs are given in, rendered twice", () => {
    const again = renderPeriodReport({ period: NOVEMBER_2026, runs: [...period.stored].reverse(), withoutEvidence: [GAP] });
    expect(again).toBe(html);
  });

  it("names an evidence file it could not read and shows the rest", () => {
    const stored = period.stored.map((run, i) => (i === 3 ? { ...run, files: { ...run.files, "controls.json": new TextEncoder().encode('{"controls": [{"framework": 5}]}') } } : run));
    const broken = parseReport(renderPeriodReport({ period: NOVEMBER_2026, runs: stored }));
    const problems = all(broken.byId("runs"), "li").map(textOf);
    expect(problems).toEqual([`Run ${period.evidence[3]!.manifest.run.id}: controls.json is not in the expected format (controls.0.framework: Invalid input: expected string, received number)`]);
    // The two runs before it still have control data.
    expect(tableRows(broken.byId("controls"), (r) => hasClass(r, "control"))[0]!["Run by run"]).toBe("✓!");
  });
});
