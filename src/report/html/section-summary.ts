/** "What was audited": how many runs, how they were started, how often, and what they saw. */
import { type RunWithoutEvidence, failedBeforeEvidence } from "../../evidence/without-evidence.js";
import type { Manifest } from "../../evidence/manifest.js";
import { plural, table, when } from "./format.js";
import { type Html, html, joined } from "./markup.js";
import { type ReportRun, lastEvaluatedRun } from "./read-run.js";

type Counts = Manifest["run"]["counts"];

export function summarySection(runs: readonly ReportRun[], gaps: readonly RunWithoutEvidence[]): Html {
  const manifests = runs.flatMap((r) => (r.manifest ? [r.manifest] : []));
  const starts = [...manifests.map((m) => m.run.started_at), ...gaps.map((g) => g.started_at)].sort();
  const total = runs.length + gaps.length;
  // A run that failed before it could write evidence is a failed run, not a gap in the record.
  const failedStarts = gaps.filter(failedBeforeEvidence).length;
  const byStatus = (status: string) => manifests.filter((m) => m.run.status === status).length;
  const last = lastEvaluatedRun(runs)?.manifest ?? null;

  const stats = [
    stat("Runs", total, "runs-total"),
    stat("Complete", byStatus("complete"), "runs-complete"),
    stat("Incomplete", byStatus("incomplete"), "runs-incomplete"),
    stat("Failed", byStatus("failed") + failedStarts, "runs-failed"),
    stat("Without evidence", gaps.length - failedStarts + runs.filter((r) => !r.manifest).length, "runs-without-evidence"),
    stat("Open findings at the last run", last ? last.run.counts.findings.total : "—", "open-last"),
  ];

  const lines: Html[] = [];
  if (total === 0) lines.push(html`<p>No audit run started in this period.</p>`);
  else {
    lines.push(html`<p>${plural(total, "audit run")} started in the period: the first at ${when(starts[0])}, the last at ${when(starts.at(-1))}.${howOften(starts)}</p>`);
  }
  const signed = runs.filter((r) => r.manifest && r.signed).length;
  if (manifests.length > 0) lines.push(html`<p>${signed} of ${plural(manifests.length, "run")} with evidence ${signed === 1 ? "has" : "have"} a signed manifest.</p>`);

  const triggers = countBy([...manifests.map((m) => m.run.trigger), ...gaps.map(() => "not recorded (no evidence)")]);
  const triggerTable = table(
    "compact triggers",
    ["Trigger", "Runs"],
    [...triggers].map(([trigger, n]) => [trigger, String(n)]),
  );
  const policies = countBy(manifests.map((m) => JSON.stringify([m.run.policy.name, m.run.policy.file, m.run.policy.sha256])));
  const policyTable = table(
    "compact policies",
    ["Policy", "File", "SHA-256", "Runs"],
    [...policies].map(([key, n]) => {
      const [name, file, sha] = JSON.parse(key) as string[];
      return [name, html`<code>${file}</code>`, html`<code class="hash">${sha}</code>`, String(n)];
    }),
  );
  const orgTable = last ? organizationTable(manifests.filter((m) => m.run.status !== "failed").map((m) => m.run.counts), last.run.counts) : null;

  return html`<section id="summary">
<h2>What was audited</h2>
<div class="stats">${stats}</div>
${joined(lines, html`\n`)}
<div class="side-by-side">
<div><h3>Runs by trigger</h3>
${manifests.length + gaps.length > 0 ? triggerTable : html`<p>None.</p>`}</div>
${orgTable ? html`<div><h3>What the runs saw</h3>\n${orgTable}</div>` : ""}
</div>
${policies.size > 0 ? html`<h3>Policies evaluated</h3>\n${policyTable}` : ""}
</section>`;
}

function stat(label: string, value: number | string, id: string): Html {
  return html`<div class="stat" id="stat-${id}"><span class="value">${value}</span> <span class="label">${label}</span></div>`;
}

/** The median time between consecutive run starts, when there are at least two. */
function howOften(starts: readonly string[]): string {
  const times = starts.map((s) => Date.parse(s)).filter((t) => !Number.isNaN(t));
  if (times.length < 2) return "";
  const intervals = times.slice(1).map((t, i) => t - (times[i] as number)).sort((a, b) => a - b);
  const median = intervals[Math.floor((intervals.length - 1) / 2)] as number;
  const hours = median / 3_600_000;
  const shown = hours >= 48 ? `${round(hours / 24)} days` : hours >= 1 ? `${round(hours)} hours` : `${round(hours * 60)} minutes`;
  return ` Typically one run every ${shown} (the median time between starts).`;
}

function round(n: number): string {
  return String(Math.round(n * 10) / 10);
}

/** The organization as the last evaluated run saw it, with the range over the period's evaluated runs. */
function organizationTable(all: readonly Counts[], last: Counts): Html {
  const rows: [string, (c: Counts) => number][] = [
    ["Admin keys", (c) => c.admin_keys],
    ["Project keys", (c) => c.project_keys],
    ["Projects", (c) => c.projects],
    ["of them archived", (c) => c.archived_projects],
    ["Users", (c) => c.users],
  ];
  return table(
    "compact organization",
    ["", "At the last run", "Over the period"],
    rows.map(([label, pick]) => {
      const values = all.map(pick);
      const lo = Math.min(...values);
      const hi = Math.max(...values);
      return [label, String(pick(last)), lo === hi ? String(lo) : `${lo}–${hi}`];
    }),
  );
}

function countBy(values: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return new Map([...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
}
