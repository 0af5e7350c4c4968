/**
 * For the html-report tests: a period of runs whose evidence has every kind of figure the report
 * shows (built and chained as the Worker builds it), and the report read as a browser reads it
 * (parse5, the WHATWG parsing algorithm): what a reader sees in a section, a table's rows by column
 * heading, and every element and attribute, to check that nothing from the evidence became markup.
 */
import { type DefaultTreeAdapterMap, parse } from "parse5";
import type { AuditRun, RunControl, RunExemptionInForce, RunFinding } from "../../src/model/run.js";
import type { RunWithoutEvidence, StoredRun } from "../../src/evidence/archive.js";
import type { RunEvidence } from "../../src/evidence/index.js";
import { acceptancesDocument } from "../../src/evidence/acceptances.js";
import { remediationsDocument } from "../../src/evidence/remediations.js";
import type { AcceptanceEvent } from "../../src/model/acceptance.js";
import type { RemediationView } from "../../src/model/remediation.js";
import { buildEvidenceChain, generateSigningKey, storedRun, weeklyAuditRun } from "../support/evidence-fixture.js";

type Node = DefaultTreeAdapterMap["node"];
export type Element = DefaultTreeAdapterMap["element"];

export interface Report {
  /** Every element, in document order. */
  elements: Element[];
  /** The element with this id (throws when there is none: the test names what is missing). */
  byId(id: string): Element;
}

export function parseReport(html: string): Report {
  const document = parse(html);
  const elements: Element[] = [];
  const walk = (node: Node) => {
    if ("tagName" in node) elements.push(node);
    const children = "content" in node && node.nodeName === "template" ? node.content.childNodes : "childNodes" in node ? node.childNodes : [];
    for (const child of children) walk(child as Node);
  };
  walk(document as unknown as Node);
  return {
    elements,
    byId(id) {
      const found = elements.find((e) => attr(e, "id") === id);
      if (!found) throw new Error(`the report has no element with id ${id}`);
      return found;
    },
  };
}

export function attr(element: Element, name: string): string | undefined {
  return element.attrs.find((a) => a.name === name)?.value;
}

/** The elements under `root` (itself excluded) with this tag name. */
export function all(root: Element, tagName: string): Element[] {
  const found: Element[] = [];
  const walk = (node: Node) => {
    if ("childNodes" in node) {
      for (const child of node.childNodes) {
        if ("tagName" in child && child.tagName === tagName) found.push(child);
        walk(child as Node);
      }
    }
  };
  walk(root);
  return found;
}

/** The text a reader sees under `node`, whitespace collapsed. */
export function textOf(node: Node): string {
  const parts: string[] = [];
  const walk = (n: Node) => {
    if (n.nodeName === "#text") parts.push((n as DefaultTreeAdapterMap["textNode"]).value);
    else if ("tagName" in n && n.tagName === "br") parts.push(" ");
    if ("childNodes" in n) for (const child of n.childNodes) walk(child as Node);
  };
  walk(node);
  return parts.join("").replace(/\s+/g, " ").trim();
}

/** The rows of the first table under `root` (or `root` itself), each as column heading → cell text; `element` is the row. */
export function tableRows(root: Element, filter: (row: Element) => boolean = () => true): (Record<string, string> & { element: Element })[] {
  const table = root.tagName === "table" ? root : all(root, "table")[0];
  if (!table) throw new Error(`no table under <${root.tagName} id="${attr(root, "id") ?? ""}">`);
  const headings = all(all(table, "thead")[0] as Element, "th").map(textOf);
  const body = all(table, "tbody")[0] as Element;
  return all(body, "tr")
    .filter(filter)
    .map((row) => {
      const cells = all(row, "td");
      const entry: Record<string, string> = {};
      let column = 0;
      for (const cell of cells) {
        entry[headings[column] ?? String(column)] = textOf(cell);
        column += Number(attr(cell, "colspan") ?? 1);
      }
      return Object.assign(entry, { element: row });
    });
}

/** Whether the element has this class. */
export function hasClass(element: Element, name: string): boolean {
  return (attr(element, "class") ?? "").split(/\s+/).includes(name);
}

// ── The period ────────────────────────────────────────────────────────────────────────────

/** Dana accepted the age of the research key in Slack; in force in every evaluated run. */
export const ACCEPTED: RunExemptionInForce = {
  rule_id: "key-age-365d",
  key_id: "key_ml_ancient",
  reason: "pinned by a running training experiment",
  expires: "2026-12-15",
  status: "applied",
  source: "slack",
  id: "acc_ml_ancient",
  accepted_by: { id: "U0DANA0001", name: "Dana Okafor" },
  accepted_at: "2026-11-01T09:00:00.000Z",
  ticket: "SEC-142",
};

/** Accepted for a week only, seen by the last run: expired before the period ended. */
export const EXPIRED: RunExemptionInForce = {
  rule_id: "unused-90d",
  key_id: "key_web_old",
  reason: "laptop being reimaged",
  expires: "2026-11-20",
  status: "unused",
  source: "slack",
  id: "acc_web_old",
  accepted_by: { id: "U0BOB00001", name: "Bob Chen" },
  accepted_at: "2026-11-13T10:00:00.000Z",
};

const POLICY_EXEMPTION: RunExemptionInForce = {
  rule_id: "unused-90d",
  key_id: "key_admin_breakglass",
  reason: "break-glass key kept offline",
  expires: "2099-12-31",
  status: "applied",
  source: "policy",
  approved_by: "security@example.com",
};

function control(framework: string, control_id: string, title: string, status: RunControl["status"], findings: number): RunControl {
  return { framework, control_id, title, rules: ["owner-not-allowed"], keys_tested: 5, findings, exempted: 0, accepted: status === "fail" ? 0 : 1, status };
}

/** Each run's controls: CC6.1 passes, is incomplete, then fails; CC6.2 the reverse; PCI 8.6.2 is never tested. */
const CONTROLS: (RunControl[] | undefined)[] = [
  [control("soc2", "CC6.1", "Logical access security", "pass", 0), control("soc2", "CC6.2", "Registration and removal", "fail", 2), control("pcidss", "8.6.2", "No hard-coded secrets", "not_tested", 0)],
  [control("soc2", "CC6.1", "Logical access security", "incomplete", 0), control("soc2", "CC6.2", "Registration and removal", "fail", 1), control("pcidss", "8.6.2", "No hard-coded secrets", "not_tested", 0)],
  undefined,
  [control("soc2", "CC6.1", "Logical access security", "fail", 1), control("soc2", "CC6.2", "Registration and removal", "pass", 0), control("pcidss", "8.6.2", "No hard-coded secrets", "not_tested", 0)],
];

export function finding(severity: RunFinding["severity"], keyId: string, keyName: string | null, projectName: string | null, rule = "owner-not-allowed"): RunFinding {
  return {
    rule_id: rule,
    rule_kind: "owner-allowlist",
    severity,
    fingerprint: `${rule}-${keyId}`,
    sentence: `owned by someone outside the allowlist (${keyId})`,
    key: { kind: "project", id: keyId, name: keyName, redacted_value: "sk-proj-...abcd", created_at: "2026-01-01T00:00:00.000Z", last_used_at: null, expires_at: null, owner_access: "active" },
    project: projectName === null ? null : { id: "proj_web", name: projectName, archived: false },
    owner: { type: "user", id: "user_mallory", name: "Mallory Quinn", email: "mallory@gmail.com", role: "member" },
  };
}

/** The four runs of the period: weekly from 2 November, the second by hand and incomplete, the third failed. */
/** key_a with what the enrichment learnt of it; the other keys with nothing known. */
function enrichedFinding(): RunFinding {
  const f = finding("critical", "key_a", "web prod", "web-app");
  const created_by = { type: "user" as const, id: "user_alice", email: "alice@example.com", api_key_id: null, display: "alice@example.com" };
  return { ...f, key: { ...f.key, created_by, created_from_ip: "198.51.100.7", requests_30d: 1234, spend_30d_usd: 123.456 } };
}

export function periodAuditRun(i: number, lastFindings: RunFinding[] = [enrichedFinding(), finding("high", "key_b", "bob laptop", "web-app"), finding("low", "key_c", null, null)]): AuditRun {
  const base = weeklyAuditRun(i);
  const findings = [
    { critical: 1, high: 2, medium: 3, low: 0, info: 1, total: 7 },
    { critical: 0, high: 2, medium: 1, low: 0, info: 0, total: 3 },
    { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 },
    { critical: 1, high: 1, medium: 0, low: 1, info: 0, total: 3 },
  ][i] as AuditRun["counts"]["findings"];
  const status = (["complete", "incomplete", "failed", "complete"] as const)[i] ?? "complete";
  const inForce = status === "failed" ? [] : i === 3 ? [ACCEPTED, EXPIRED, POLICY_EXEMPTION] : [ACCEPTED, POLICY_EXEMPTION];
  return {
    ...base,
    trigger: i === 1 ? "http" : "cron",
    status,
    counts: { ...base.counts, admin_keys: 2, project_keys: 10 - i, projects: 3, users: 6, findings },
    findings: i === 3 ? lastFindings : [],
    exemptions_in_force: inForce,
    ...(CONTROLS[i] ? { controls: CONTROLS[i] } : {}),
  };
}

function remediation(id: string, status: string, approvals: RemediationView["approvals"]): RemediationView {
  return {
    id,
    status,
    mode: "on",
    action: "revoke-project-key",
    summary: `revoke key_web_mallory (${id})`,
    request: { method: "DELETE", path: "/organization/projects/proj_web/api_keys/key_web_mallory" } as RemediationView["request"],
    keys_affected: [{ id: "key_web_mallory", name: "mallory-test", kind: "project", project_id: "proj_web" }],
    policy: "default",
    rule_id: "owner-not-allowed",
    key_id: "key_web_mallory",
    fingerprint: "fp",
    reason: "owner outside example.com",
    acknowledged_in_use: false,
    requested_by: "U0SAM00001",
    requested_by_name: "Sam Rivera",
    requested_at: "2026-11-20T10:00:00.000Z",
    approvals,
    decided_at: approvals[0]?.at ?? null,
    decided_by: approvals[0]?.by ?? null,
    executed_at: status === "executed" ? "2026-11-20T10:30:00.000Z" : null,
    http_status: status === "executed" ? 200 : null,
    outcome: status === "executed" ? "revoked" : null,
  };
}

/** What the last run recorded of the revokes decided since the run before it. */
export const REMEDIATIONS = [remediation("rem_1", "executed", [{ by: "U0DANA0001", name: "Dana Okafor", at: "2026-11-20T10:30:00.000Z" }]), remediation("rem_2", "rejected", [])];

function decision(acceptance_id: string, at: string, event: AcceptanceEvent["event"], by: { id: string | null; name: string } | null, revoke_reason: string | null = null): AcceptanceEvent {
  return {
    at,
    event,
    acceptance_id,
    by_id: by?.id ?? null,
    by_name: by?.name ?? null,
    via: event === "accepted" ? "slack" : event === "revoked" ? "api" : null,
    revoke_reason,
    policy_name: "default",
    rule_id: "unused-90d",
    key_id: "key_web_old",
    fingerprint: "fp",
    severity: "high",
    reason: "Bob rotates it when he is back",
    expires: "2026-11-21",
    ticket: null,
    accepted_by_id: "U0SAM00001",
    accepted_by_name: "Sam Rivera",
    accepted_at: "2026-11-18T08:00:00.000Z",
  };
}

/** What the last run recorded of the decisions on accepted risks since the run before it: one acceptance, made and revoked in between. */
export const ACCEPTANCE_DECISIONS = [
  decision("acc_short", "2026-11-18T08:00:00.000Z", "accepted", { id: "U0SAM00001", name: "Sam Rivera" }),
  decision("acc_short", "2026-11-19T15:30:00.000Z", "revoked", { id: null, name: "dana@example.com" }, "Bob left: the key goes"),
];

export const GAP: RunWithoutEvidence = { id: "run_20261127T060000Z_gap", started_at: "2026-11-27T06:00:00.000Z", status: "complete", reason: "R2 refused the write" };

export interface ReportPeriod {
  evidence: RunEvidence[];
  stored: StoredRun[];
}

/** The period's runs, signed, as stored; the last one with its remediations.json and acceptances.json. */
export async function buildReportPeriod(options: { auditRun?: (i: number) => AuditRun } = {}): Promise<ReportPeriod> {
  const evidence = await buildEvidenceChain({ runs: 4, auditRun: options.auditRun ?? ((i) => periodAuditRun(i)), signingKey: await generateSigningKey() });
  const stored = evidence.map(storedRun);
  const last = stored[3] as StoredRun;
  const window = { after: evidence[2]?.manifest.run.started_at ?? null, until: evidence[3]?.manifest.run.started_at ?? "" };
  last.files["remediations.json"] = new TextEncoder().encode(JSON.stringify(remediationsDocument(evidence[3]?.manifest.run.id ?? "", window, REMEDIATIONS)));
  last.files["acceptances.json"] = new TextEncoder().encode(JSON.stringify(acceptancesDocument(evidence[3]?.manifest.run.id ?? "", window, ACCEPTANCE_DECISIONS)));
  return { evidence, stored };
}
