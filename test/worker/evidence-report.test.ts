/**
 * GET /evidence/report?from=&to= in the Worker: the period's report as one HTML page, behind the
 * bearer token, with the same period rules as GET /evidence, a Content-Security-Policy that forbids
 * everything external, and the figures of the runs it stored.
 */
import { unzipSync } from "fflate";
import { parse } from "parse5";
import { beforeAll, describe, expect, it } from "vitest";
import { renderPeriodReport } from "../../src/report/html/period-report.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { api, sim, slack, startRun, waitForWorkflow } from "./helpers.js";

const today = new Date().toISOString().slice(0, 10);
const QUERY = `from=${today}&to=${today}`;
const ids: string[] = [];

beforeAll(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  for (let i = 0; i < 2; i++) {
    const id = await startRun({ notify: false });
    await waitForWorkflow(id);
    ids.push(id);
  }
});

interface RunSummary {
  status: string;
  trigger: string;
  counts: { findings: { total: number; critical: number } };
  evidence: { manifest_sha256: string };
}

/** The `<tr>` rows of the page's runs table: each run's id, cells and manifest SHA-256. */
function runsOf(html: string): Map<string, { cells: string[]; hash: string }> {
  type Node = { nodeName: string; value?: string; attrs?: { name: string; value: string }[]; childNodes?: Node[] };
  const rows: Node[] = [];
  const walk = (node: Node) => {
    if (node.nodeName === "tr") rows.push(node);
    for (const child of node.childNodes ?? []) walk(child);
  };
  walk(parse(html) as unknown as Node);
  const raw = (node: Node): string => (node.nodeName === "#text" ? (node.value ?? "") : (node.childNodes ?? []).map(raw).join(""));
  const textOf = (node: Node) => raw(node).replace(/\s+/g, " ").trim();
  const attr = (node: Node, name: string) => node.attrs?.find((a) => a.name === name)?.value ?? "";
  const runs = new Map<string, { cells: string[]; hash: string }>();
  for (const row of rows) {
    const id = attr(row, "data-run");
    if (!id) continue;
    const entry = runs.get(id) ?? { cells: [], hash: "" };
    if (attr(row, "class").includes("hash-row")) entry.hash = textOf(row).replace("manifest SHA-256 ", "");
    else entry.cells = (row.childNodes ?? []).filter((c) => c.nodeName === "td").map(textOf);
    runs.set(id, entry);
  }
  return runs;
}

describe("GET /evidence/report", () => {
  it("serves the period's report as HTML that loads nothing, with each run's status, counts and manifest SHA-256", async () => {
    const response = await api(`/evidence/report?${QUERY}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; /);
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).toMatch(/^<!DOCTYPE html>/);

    const runs = runsOf(html);
    for (const id of ids) {
      const stored = (await (await api(`/runs/${id}`)).json()) as RunSummary;
      const row = runs.get(id);
      expect(row, id).toBeDefined();
      // Started, Run, Trigger, Status, Admin keys, Project keys, Critical, …, Open findings, Signed
      expect({ id: row!.cells[1], trigger: row!.cells[2], status: row!.cells[3], critical: row!.cells[6], total: row!.cells[11], signed: row!.cells[12] }).toEqual({
        id,
        trigger: stored.trigger,
        status: stored.status,
        critical: String(stored.counts.findings.critical),
        total: String(stored.counts.findings.total),
        signed: "yes",
      });
      expect(row!.hash).toBe(stored.evidence.manifest_sha256);
    }
  });

  it("is the report of the export, with this deployment's addresses for the public key and the export", async () => {
    const [page, zip] = await Promise.all([api(`/evidence/report?${QUERY}`).then((r) => r.text()), api(`/evidence?${QUERY}`).then((r) => r.arrayBuffer())]);
    const entries = unzipSync(new Uint8Array(zip));
    const byPrefix = new Map<string, Record<string, Uint8Array>>();
    for (const [path, bytes] of Object.entries(entries)) {
      if (!path.startsWith("runs/")) continue;
      const prefix = path.slice(0, path.lastIndexOf("/") + 1);
      byPrefix.set(prefix, { ...byPrefix.get(prefix), [path.slice(prefix.length)]: bytes });
    }
    const index = JSON.parse(new TextDecoder().decode(entries["index.json"])) as { runs_without_evidence: never[] };
    const expected = renderPeriodReport({
      period: { from: today, to: today },
      runs: [...byPrefix].map(([prefix, files]) => ({ prefix, files })),
      withoutEvidence: index.runs_without_evidence,
      deployment: "http://keywarden.test",
      verify: { publicKeyUrl: "http://keywarden.test/evidence/public-key", exportUrl: `http://keywarden.test/evidence?${QUERY}` },
    });
    expect(page).toBe(expected);
    expect(page).toContain("it is served without a token at <code>http://keywarden.test/evidence/public-key</code>.");
    // The evidence names no organization: the header names the deployment that audits it.
    expect(page).toContain("these are the runs of the Keywarden at <code>http://keywarden.test</code>, policy ");
    // The export's own copy says where it is instead.
    expect(new TextDecoder().decode(entries["report.html"])).toContain("This page is <code>report.html</code> of the export");
  });

  it.each(["from=2026-02-30&to=2026-03-01", "to=2026-12-01", "from=2025-01-01&to=2026-01-02", "from=2026-12-02&to=2026-12-01", "from=2026-12-01&to=2026-12-02&format=pdf"])(
    "answers %s with the 400 of GET /evidence",
    async (query) => {
      const [report, archive] = await Promise.all([api(`/evidence/report?${query}`), api(`/evidence?${query}`)]);
      expect(report.status).toBe(400);
      expect(await report.json()).toEqual(await archive.json());
    },
  );

  it("needs the bearer token", async () => {
    const response = await api(`/evidence/report?${QUERY}`, { token: null });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  });
});
