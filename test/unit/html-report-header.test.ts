/**
 * The period report's header says whose keys it is about. The evidence records no organization id or
 * name, so the header says that, and what does identify the runs: the Keywarden deployment that
 * served the page, the policy, the key that signed the manifests. And the accepted-risks table's
 * times may wrap: at 1,200 px "Accepted at" overprinted "Reason".
 */
import { beforeAll, describe, expect, it } from "vitest";
import { renderPeriodReport } from "../../src/report/html/period-report.js";
import { REPORT_CSS } from "../../src/report/html/styles.js";
import { NOVEMBER_2026 } from "../support/evidence-fixture.js";
import { GAP, type ReportPeriod, all, attr, buildReportPeriod, parseReport, textOf } from "./html-report-support.js";

let period: ReportPeriod;
beforeAll(async () => {
  period = await buildReportPeriod();
});

const header = (html: string) => {
  const [element] = all(parseReport(html).byId("report-header"), "p").filter((p) => attr(p, "class") === "audited");
  if (!element) throw new Error("the header has no organization line");
  return textOf(element);
};

describe("the period report's header", () => {
  it("served by the Worker: says the evidence names no organization, and names the deployment, the policy and the signing key", () => {
    const policy = period.evidence[0]?.manifest.run.policy.name;
    const key = period.evidence[0]?.manifest.signature?.public_key_sha256 ?? "";
    const html = renderPeriodReport({ period: NOVEMBER_2026, runs: period.stored, withoutEvidence: [GAP], deployment: "https://keywarden.acme.workers.dev" });
    expect(header(html)).toBe(
      `Organization: not named in the evidence (Keywarden records none); these are the runs of the Keywarden at https://keywarden.acme.workers.dev, policy ${policy}, signed by the key sha256:${key.slice(0, 16)}….`,
    );
  });

  it("inside the export (no address known): the policy and the signing key", () => {
    const policy = period.evidence[0]?.manifest.run.policy.name;
    const html = renderPeriodReport({ period: NOVEMBER_2026, runs: period.stored });
    expect(header(html)).toMatch(new RegExp(`^Organization: not named in the evidence \\(Keywarden records none\\); these are the runs of policy ${policy}, signed by the key sha256:[0-9a-f]{16}…\\.$`));
  });

  it("unsigned evidence and no run: says so", () => {
    expect(header(renderPeriodReport({ period: NOVEMBER_2026, runs: [] }))).toBe("Organization: not named in the evidence (Keywarden records none); no run with evidence in this period.");
  });

  it("shows the deployment's address as text, never markup", () => {
    const html = renderPeriodReport({ period: NOVEMBER_2026, runs: period.stored, deployment: 'https://x.example/"><script>alert(1)</script>' });
    expect(all(parseReport(html).byId("report-header"), "script")).toEqual([]);
    expect(header(html)).toContain('https://x.example/"><script>alert(1)</script>');
  });
});

describe("the accepted-risks table", () => {
  it("lets a time wrap inside its column: one on one line is wider than the column at 1,200 px and overprinted Reason", () => {
    expect(REPORT_CSS).toMatch(/table\.risks td:nth-child\(4\) time \{[^}]*white-space: normal;/);
    // The rule is on the column it is meant for.
    const html = renderPeriodReport({ period: NOVEMBER_2026, runs: period.stored });
    const [table] = all(parseReport(html).byId("accepted-risks"), "table");
    expect(all(table as NonNullable<typeof table>, "th").map(textOf)[3]).toBe("Accepted at");
  });
});
