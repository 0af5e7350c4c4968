/**
 * What the evidence holds is shown, never interpreted: key, project and owner names come from the
 * OpenAI API and reasons from people in Slack, so any of them may be markup, an attribute breakout,
 * terminal escapes or a bidirectional override. And the page loads nothing: no script, no remote
 * style, font or image, under a Content-Security-Policy of its own.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { RunExemptionInForce } from "../../src/model/run.js";
import { REPORT_CSP, renderPeriodReport } from "../../src/report/html/period-report.js";
import { NOVEMBER_2026 } from "../support/evidence-fixture.js";
import { type Report, ACCEPTANCE_DECISIONS, ACCEPTED, attr, buildReportPeriod, finding, parseReport, periodAuditRun, tableRows, textOf } from "./html-report-support.js";

const SCRIPT = "<script>alert(1)</script>";
const BREAKOUT = `"><img src=x onerror="alert(2)">`;
const CLOSE_TABLE = "</td></tr></table><iframe src=//evil.example>";
const ESCAPES = "red\u001b[31mtext\u0007\u202etxt.exe";
const OPENAI_SECRET = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123";
const CONFIGURED_SECRET = "configured-token-0123456789";

/** key_c's creator, as the audit log named it: markup, escapes and a secret in the display string. */
function hostileCreator() {
  const f = finding("low", "key_c", `uses ${CONFIGURED_SECRET}`, null);
  const display = `${BREAKOUT}${ESCAPES} ${OPENAI_SECRET}`;
  return { ...f, key: { ...f.key, created_by: { type: "user" as const, id: "user_x", email: null, api_key_id: null, display } } };
}

let html: string;
let page: Report;

beforeAll(async () => {
  const hostileAcceptance: RunExemptionInForce = { ...ACCEPTED, reason: `${SCRIPT} until ${ESCAPES}`, accepted_by: { id: "U0EVIL", name: BREAKOUT } };
  const { stored } = await buildReportPeriod({
    auditRun: (i) => ({
      ...periodAuditRun(i, [finding("critical", "key_a", SCRIPT, BREAKOUT), finding("high", "key_b", `${CLOSE_TABLE} ${OPENAI_SECRET}`, ESCAPES), hostileCreator()]),
      exemptions_in_force: i === 2 ? [] : [hostileAcceptance],
    }),
  });
  // A revocation whose caller named themselves, and gave a reason, with markup and escapes.
  const revoked = { ...ACCEPTANCE_DECISIONS[1]!, by_name: BREAKOUT, revoke_reason: `${SCRIPT} ${ESCAPES}` };
  const last = stored[3]!;
  const document = JSON.parse(new TextDecoder().decode(last.files["acceptances.json"])) as { events: Record<string, unknown>[] };
  document.events[1] = { ...document.events[1], by: { id: null, name: revoked.by_name }, revoke_reason: revoked.revoke_reason };
  last.files["acceptances.json"] = new TextEncoder().encode(JSON.stringify(document));
  html = renderPeriodReport({
    period: NOVEMBER_2026,
    runs: stored,
    withoutEvidence: [{ id: "run_gap", started_at: "2026-11-26T06:00:00.000Z", status: "failed", reason: `${CLOSE_TABLE}${SCRIPT}` }],
    secrets: [CONFIGURED_SECRET],
  });
  page = parseReport(html);
});

describe("hostile names in the period report", () => {
  it("show as text: no element or attribute comes from the evidence", () => {
    const tags = new Set(page.elements.map((e) => e.tagName));
    for (const tag of ["script", "img", "iframe", "object", "embed", "form", "input", "link", "base"]) expect(tags.has(tag), tag).toBe(false);
    const handlers = page.elements.flatMap((e) => e.attrs.filter((a) => a.name.startsWith("on")).map((a) => `${e.tagName} ${a.name}`));
    expect(handlers).toEqual([]);
  });

  it("are shown exactly as written, markup characters included", () => {
    expect(tableRows(page.byId("acceptance-decisions")).map((r) => [r.By, r.Why])[1]).toEqual([`${BREAKOUT} through the API`, `${SCRIPT} red\\x1b[31mtext\\x07\\u202etxt.exe`]);
    const findings = tableRows(page.byId("open-findings"));
    expect(findings.map((r) => [r.Key, r.Project])).toEqual([
      [`${SCRIPT} key_a`, BREAKOUT],
      [`${CLOSE_TABLE} [REDACTED] key_b`, "red\\x1b[31mtext\\x07\\u202etxt.exe"],
      ["uses [REDACTED] key_c", "—"],
    ]);
    expect(findings[2]?.Finding).toBe(`owned by someone outside the allowlist (key_c) created by ${BREAKOUT}red\\x1b[31mtext\\x07\\u202etxt.exe [REDACTED]`);
    const risk = tableRows(page.byId("accepted-risks"))[0]!;
    expect(risk["Accepted by"]).toBe(`${BREAKOUT} U0EVIL`);
    expect(risk.Reason).toBe(`${SCRIPT} until red\\x1b[31mtext\\x07\\u202etxt.exe`);
    const gap = tableRows(page.byId("runs")).find((r) => r.Run === "run_gap")!;
    expect(gap["Admin keys"]).toBe(`No stored evidence: ${CLOSE_TABLE}${SCRIPT}`);
  });

  it("never carry a secret: full-looking OpenAI secrets and the configured ones are redacted", () => {
    expect(html).not.toContain(OPENAI_SECRET);
    expect(html).not.toContain(CONFIGURED_SECRET);
    expect(html).toContain("[REDACTED]");
  });

  it("leave no control or bidirectional character in the page", () => {
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
});

describe("what the period report loads", () => {
  it("is nothing from anywhere: no script, no remote resource, only anchors within the page", () => {
    const urls = page.elements.flatMap((e) => e.attrs.filter((a) => ["src", "href", "xlink:href", "action", "formaction", "poster", "srcset", "data", "background", "cite"].includes(a.name)).map((a) => `${e.tagName} ${a.name}=${a.value}`));
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url).toMatch(/^a href=#[a-z-]+$/);
    expect(page.elements.filter((e) => e.tagName === "style")).toHaveLength(1);
    expect(page.elements.filter((e) => e.tagName === "meta" && attr(e, "http-equiv")?.toLowerCase() === "refresh")).toEqual([]);
    const css = textOf(page.elements.find((e) => e.tagName === "style")!);
    expect(css).not.toMatch(/@import|url\(|https?:/i);
    expect(page.elements.filter((e) => attr(e, "style") !== undefined)).toEqual([]);
  });

  it("forbids everything else in its own Content-Security-Policy, which allows its one style sheet by hash", () => {
    const meta = page.elements.find((e) => e.tagName === "meta" && attr(e, "http-equiv") === "Content-Security-Policy")!;
    const policy = attr(meta, "content")!;
    expect(policy).toBe(REPORT_CSP);
    expect(policy).toMatch(/^default-src 'none'; /);
    for (const directive of ["script-src 'none'", "img-src 'none'", "font-src 'none'", "connect-src 'none'", "base-uri 'none'", "form-action 'none'"]) expect(policy).toContain(directive);
    // The hash is of the exact text inside <style>: the page's own style applies, nothing else would.
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(policy).toContain(`style-src 'sha256-${createHash("sha256").update(css).digest("base64")}'`);
  });
});
