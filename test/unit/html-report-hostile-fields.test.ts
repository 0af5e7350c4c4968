/**
 * Every value the report shows from evidence, not only the names html-report-escaping.test.ts tries:
 * the same period is rendered twice, once as recorded and once with markup appended to every string
 * the evidence holds (policy name, trigger, control titles and rules, exemptions, remediations,
 * decisions, findings, times) and to the deployment's address, the verify URLs and the gap. The two
 * pages must have the same elements with the same attributes: no value became markup, wherever it is
 * shown, in text or in an attribute.
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/model/run.js";
import { renderPeriodReport } from "../../src/report/html/period-report.js";
import { NOVEMBER_2026 } from "../support/evidence-fixture.js";
import { GAP, type Report, attr, buildReportPeriod, hasClass, parseReport, periodAuditRun, tableRows, textOf } from "./html-report-support.js";

/** Closes an attribute, opens elements with a handler, closes the cell, opens a comment; and an entity that must stay text. */
const HOSTILE = `"'><b class="x" onclick="alert(1)">&amp;</td></tr><svg><!--`;

/**
 * Values that choose what the page shows (a branch, a count, a colour, a control's catalogue entry
 * and so its place): kept as recorded, so both pages take the same branches.
 */
const CHOOSERS = new Set(["source", "event", "via", "mode", "status", "severity", "type", "kind", "format", "fingerprint", "framework", "control_id"]);

function withHostile(value: unknown, key = ""): unknown {
  if (typeof value === "string") return CHOOSERS.has(key) ? value : `${value}${HOSTILE}`;
  if (Array.isArray(value)) return value.map((v) => withHostile(v, key));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withHostile(v, k)]));
  return value;
}

function hostileRun(i: number): AuditRun {
  const run = periodAuditRun(i);
  // Not a trigger Keywarden names, but the manifest records a string: a copy of the evidence may hold any.
  return { ...run, trigger: `${run.trigger}${HOSTILE}` as AuditRun["trigger"], policy: { ...run.policy, name: `${run.policy.name}${HOSTILE}` } };
}

/** Each element as its tag and attribute names, in document order: the page's structure, without its text. */
function structure(page: Report): string[] {
  return page.elements.map((e) => `${e.tagName}(${e.attrs.map((a) => a.name).join(",")})`);
}

let plain: Report;
let hostile: Report;

beforeAll(async () => {
  const recorded = await buildReportPeriod();
  const marked = await buildReportPeriod({ auditRun: hostileRun });
  const documents = ["exemptions.json", "controls.json", "remediations.json", "acceptances.json", "findings.json"];
  const runs = marked.stored.map((run) => ({
    ...run,
    files: Object.fromEntries(
      Object.entries(run.files).map(([name, bytes]) => [
        name,
        documents.includes(name) ? new TextEncoder().encode(JSON.stringify(withHostile(JSON.parse(new TextDecoder().decode(bytes))))) : bytes,
      ]),
    ),
  }));
  const served = (suffix: string) => ({
    deployment: `https://keywarden.acme.workers.dev${suffix}`,
    verify: { publicKeyUrl: `https://kw.example/evidence/public-key${suffix}`, exportUrl: `https://kw.example/evidence?from=2026-11-01&to=2026-11-30${suffix}` },
  });
  plain = parseReport(renderPeriodReport({ period: NOVEMBER_2026, runs: recorded.stored, withoutEvidence: [GAP], ...served("") }));
  const gap = { ...GAP, id: `${GAP.id}${HOSTILE}`, reason: `${GAP.reason}${HOSTILE}` };
  hostile = parseReport(renderPeriodReport({ period: NOVEMBER_2026, runs, withoutEvidence: [gap], ...served(HOSTILE) }));
});

describe("markup in any value of the evidence", () => {
  it("adds no element and no attribute to the page", () => {
    expect(structure(hostile)).toEqual(structure(plain));
    expect(hostile.elements.flatMap((e) => e.attrs.filter((a) => a.name === "onclick"))).toEqual([]);
  });

  it("is shown as written, where the value is shown", () => {
    expect(textOf(hostile.byId("report-header"))).toContain(`https://keywarden.acme.workers.dev${HOSTILE}, policy default${HOSTILE}, signed by`);
    expect(textOf(hostile.byId("summary"))).toContain(`cron${HOSTILE}`);
    const control = tableRows(hostile.byId("controls"), (r) => hasClass(r, "control"))[0]!;
    expect(control.Title).toBe(`Logical access security${HOSTILE}`);
    expect(control.Rules).toBe(`owner-not-allowed${HOSTILE}`);
    const remediation = tableRows(hostile.byId("remediations"))[0]!;
    expect(remediation.Reason).toBe(`owner outside example.com${HOSTILE}`);
    expect(tableRows(hostile.byId("accepted-risks"))[0]!.Reason).toBe(`pinned by a running training experiment${HOSTILE}`);
    expect(tableRows(hostile.byId("open-findings"))[0]!.Owner).toBe(`mallory@gmail.com${HOSTILE}`);
    expect(textOf(hostile.byId("verify"))).toContain(`https://kw.example/evidence/public-key${HOSTILE}`);
  });

  it("stays inside an attribute: a time's datetime holds the whole recorded value", () => {
    const datetimes = tableRows(hostile.byId("remediations")).flatMap((row) => collectTimes(row.element));
    expect(datetimes).toContain(`2026-11-20T10:00:00.000Z${HOSTILE}`);
  });
});

function collectTimes(element: Report["elements"][number]): string[] {
  const found: string[] = [];
  const walk = (node: Report["elements"][number]) => {
    if (node.tagName === "time") found.push(attr(node, "datetime") ?? "");
    for (const child of node.childNodes) if ("tagName" in child) walk(child);
  };
  walk(element);
  return found;
}
