/** "Every run": status, counts and manifest SHA-256 of each run, runs without evidence among them; and the chart of open findings. */
import { type RunWithoutEvidence, failedBeforeEvidence } from "../../evidence/without-evidence.js";
import { type ChartRun, findingsChart } from "./chart.js";
import { SEVERITY_ORDER, badge, colgroup, ident, when } from "./format.js";
import { type Html, html, joined } from "./markup.js";
import type { ReportRun } from "./read-run.js";

const HEADERS = ["Started (UTC)", "Run", "Trigger", "Status", "Admin keys", "Project keys", "Critical", "High", "Medium", "Low", "Info", "Open findings", "Signed"];
/** Under each run's row, its manifest SHA-256 across the table: whole on one line, on screen and on paper. */
const HASH_SPAN = HEADERS.length - 1;
const WIDTHS = [11, 22, 6, 10, 6, 6, 6, 5, 7, 5, 5, 6, 5];

export function trendSection(runs: readonly ReportRun[], gaps: readonly RunWithoutEvidence[], period: { from: string; to: string }): Html {
  const points: ChartRun[] = [
    ...runs.flatMap((r) =>
      r.manifest ? [{ at: r.manifest.run.started_at, status: r.manifest.run.status, findings: r.manifest.run.status === "failed" ? null : r.manifest.run.counts.findings }] : [],
    ),
    ...gaps.filter(failedBeforeEvidence).map((g) => ({ at: g.started_at, status: g.status, findings: null })),
  ];
  return html`<section id="trend">
<h2>Open findings over time</h2>
<p>Findings still open after exemptions, by severity, at each run. Incomplete runs could not list every key: their counts are a lower bound.</p>
<figure>${findingsChart(points, gaps.filter((g) => !failedBeforeEvidence(g)).map((g) => ({ at: g.started_at })), period)}</figure>
</section>`;
}

export function runsSection(runs: readonly ReportRun[], gaps: readonly RunWithoutEvidence[]): Html {
  const rows = [
    ...runs.map((run) => ({ at: run.manifest?.run.started_at ?? "\uffff", html: runRow(run) })),
    ...gaps.map((gap) => ({ at: gap.started_at, html: gapRow(gap) })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const head = HEADERS.map((h) => html`<th scope="col">${h}</th>`);
  const problems = runs.flatMap((run) => run.problems.map((p) => html`<li>Run <code>${run.id}</code>: ${p}</li>`));
  const list =
    rows.length === 0
      ? html`<p>No run in this period.</p>`
      : html`<table class="runs fixed">\n${colgroup(WIDTHS)}<thead><tr>${head}</tr></thead>\n<tbody>\n${joined(
          rows.map((r) => r.html),
          html`\n`,
        )}\n</tbody>\n</table>`;
  return html`<section id="runs">
<h2>Every run</h2>
${list}
${chainSentence(runs)}
${problems.length > 0 ? html`<h3>Files this report could not read</h3>\n<ul class="problems">${joined(problems, html`\n`)}</ul>` : ""}
</section>`;
}

function hashRow(run: ReportRun): Html {
  const hash = run.manifestSha256 ? html`<code class="hash">${run.manifestSha256}</code>` : "no manifest.json";
  return html`<tr class="hash-row" data-run="${run.id}"><td></td><td colspan="${HASH_SPAN}"><span class="small">manifest SHA-256</span> ${hash}</td></tr>`;
}

function runRow(run: ReportRun): Html {
  const m = run.manifest;
  if (!m) {
    return html`<tr class="run unreadable" data-run="${run.id}"><td></td><td>${ident(run.id)}</td><td colspan="10">manifest unreadable: ${run.problems[0] ?? ""}</td><td>${run.signed ? "yes" : "no"}</td></tr>\n${hashRow(run)}`;
  }
  const failed = m.run.status === "failed";
  const f = m.run.counts.findings;
  const counts = failed ? SEVERITY_ORDER.map(() => "—") : SEVERITY_ORDER.map((s) => String(f[s]));
  const cells = [
    when(m.run.started_at, false),
    ident(m.run.id),
    m.run.trigger,
    badge(m.run.status),
    failed ? "—" : String(m.run.counts.admin_keys),
    failed ? "—" : String(m.run.counts.project_keys),
    ...counts,
    failed ? "—" : html`<strong>${f.total}</strong>`,
    run.signed ? "yes" : "no",
  ];
  const cellClass = (i: number) => (i === 0 ? html` class="when"` : i >= 4 && i <= 11 ? html` class="num"` : "");
  return html`<tr class="run s-${m.run.status}" data-run="${m.run.id}">${cells.map((c, i) => html`<td${cellClass(i)}>${c}</td>`)}</tr>\n${hashRow(run)}`;
}

function gapRow(gap: RunWithoutEvidence): Html {
  const said = failedBeforeEvidence(gap) ? "Failed before it could write evidence:" : html`<strong>No stored evidence:</strong>`;
  return html`<tr class="gap" data-run="${gap.id}"><td class="when">${when(gap.started_at, false)}</td><td>${ident(gap.id)}</td><td></td><td>${badge(gap.status)}</td><td colspan="${HASH_SPAN - 3}">${said} ${gap.reason}</td></tr>`;
}

/** The hash chain as the manifests record it (keywarden verify is what checks it). */
function chainSentence(runs: readonly ReportRun[]): Html {
  const chained = runs.filter((r) => r.manifest);
  if (chained.length === 0) return html``;
  const first = chained[0]?.manifest?.previous_manifest_sha256 ?? null;
  const start = first === null ? "The first run starts the chain." : "The first run links to the manifest of a run before the period.";
  const breaks = chained.slice(1).flatMap((run, i) => (run.manifest?.previous_manifest_sha256 === chained[i]?.manifestSha256 ? [] : [run.id]));
  const links =
    breaks.length === 0
      ? chained.length > 2
        ? ` Each of the other ${chained.length - 1} runs names the SHA-256 of the manifest before it.`
        : chained.length === 2
          ? " The other run names the SHA-256 of the manifest before it."
          : ""
      : html` <strong>The chain does not link at ${joined(
          breaks.map((id) => html`<code>${id}</code>`),
          html`, `,
        )}</strong>: a run is missing or was altered.`;
  return html`<p class="chain">Chain, as the manifests record it: ${start}${links} <code>keywarden verify</code> checks this (below).</p>`;
}
