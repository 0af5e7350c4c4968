/**
 * "Controls": per control of the catalogue (SOC 2, ISO/IEC 27001, NIST SP 800-53, CIS, PCI DSS),
 * its status at the period's last run, how many runs it passed, failed or was not tested in
 * (controlsPeriodSummary, the same figures as controls-summary.csv of the export), what the last run
 * with control data found, and its status run by run, from each run's controls.json.
 */
import { frameworkOf } from "../../controls/catalogue.js";
import { type ControlsPeriodSummary, controlsPeriodSummary } from "../../controls/period-summary.js";
import type { ControlStatus, RunControl } from "../../model/controls.js";
import type { RunStatus } from "../../model/run.js";
import { badge, colgroup, ident, orDash, plural, when } from "./format.js";
import { type Html, html, joined } from "./markup.js";
import type { ReportRun } from "./read-run.js";
import type { ControlEntry } from "./schemas.js";

const HEADERS = ["Control", "Title", "Last run", "Runs passed / failed / incomplete / not tested", "Open findings", "Exempted / accepted", "Run by run", "Rules"];
const SYMBOL: Record<string, string> = { pass: "✓", fail: "✗", incomplete: "!", not_tested: "–" };

/** The period summary of the runs' controls.json; null when no run recorded one. */
export function periodControls(runs: readonly ReportRun[]): ControlsPeriodSummary | null {
  if (!runs.some((r) => r.manifest && r.controls)) return null;
  return controlsPeriodSummary(
    runs.flatMap((r) =>
      r.manifest ? [{ run_id: r.manifest.run.id, started_at: r.manifest.run.started_at, status: r.manifest.run.status as RunStatus, controls: r.controls?.map(asRunControl) }] : [],
    ),
  );
}

export function controlsSection(runs: readonly ReportRun[]): Html {
  const summary = periodControls(runs);
  if (!summary) {
    return html`<section id="controls">\n<h2>Controls</h2>\n<p class="no-data">No control data: no run of this period recorded controls.json.</p>\n</section>`;
  }
  const withData = runs.filter((r) => r.manifest && r.controls);
  const lastWithData = withData.at(-1) as ReportRun;
  const atLast = new Map((lastWithData.controls ?? []).map((c) => [key(c), c]));
  const rows = summary.controls.map((control) => {
    const latest = atLast.get(key(control));
    const strip = withData.map((run) => {
      const status = run.controls?.find((c) => key(c) === key(control))?.status ?? null;
      const label = `${run.id} (${run.manifest?.run.started_at.slice(0, 10)}): ${status ?? "not listed"}`;
      return html`<span class="h h-${status && /^[a-z_]+$/.test(status) ? status : "none"}" title="${label}">${SYMBOL[status ?? ""] ?? "·"}</span>`;
    });
    const cells = [
      ident(control.control_id),
      orDash(control.title),
      badge(control.last_status),
      `${control.runs_passed} / ${control.runs_failed} / ${control.runs_incomplete} / ${control.runs_not_tested}`,
      orDash(latest?.findings === null || latest === undefined ? "" : String(latest.findings)),
      orDash(latest === undefined || (latest.exempted === null && latest.accepted === null) ? "" : `${latest.exempted ?? "—"} / ${latest.accepted ?? "—"}`),
      html`<span class="strip">${strip}</span>`,
      joined((latest?.rules ?? []).map(ident), html`<br>`),
    ];
    return {
      framework: control.framework,
      html: html`<tr class="control" data-framework="${control.framework}" data-control="${control.control_id}">${cells.map((c, i) => html`<td${i >= 3 && i <= 5 ? html` class="num"` : ""}>${c}</td>`)}</tr>`,
    };
  });
  // One block of rows per framework, under its name.
  const body = rows.map((row, i) => {
    const heading = i === 0 || rows[i - 1]?.framework !== row.framework ? html`<tr class="framework"><th colspan="${HEADERS.length}" scope="rowgroup">${frameworkOf(row.framework)?.name ?? row.framework}</th></tr>\n` : "";
    return html`${heading}${row.html}`;
  });
  const without = runs.filter((r) => r.manifest && r.manifest.run.status !== "failed" && !r.controls).length;
  const note = without > 0 ? html`\n<p>${plural(without, "run")} that evaluated the policy recorded no controls.json (recorded before controls existed): counted as not tested.</p>` : "";
  return html`<section id="controls">
<h2>Controls</h2>
<p>Status at the period's last run, and over its ${plural(summary.runs, "run")} with evidence: passed / failed / incomplete (would pass, but the run could not see every key) / not tested (no rule maps to it, the run failed, or it recorded no controls). Findings and exemptions as of the last run with control data (${when(lastWithData.manifest?.run.started_at)}). Run by run: ✓ pass, ✗ fail, ! incomplete, – not tested.</p>${note}
<table class="controls fixed">
${colgroup([7, 26, 9, 14, 8, 9, 12, 15])}<thead><tr>${HEADERS.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>
${joined(body, html`\n`)}
</tbody>
</table>
</section>`;
}

function key(c: { framework: string; control_id: string }): string {
  return JSON.stringify([c.framework, c.control_id]);
}

/** A control as read tolerantly, in the shape the period summary takes (what the file lacks counts as 0). */
function asRunControl(c: ControlEntry): RunControl {
  return {
    framework: c.framework,
    control_id: c.control_id,
    title: c.title ?? "",
    rules: c.rules,
    keys_tested: c.keys_tested ?? 0,
    findings: c.findings ?? 0,
    exempted: c.exempted ?? 0,
    accepted: c.accepted ?? 0,
    status: c.status as ControlStatus,
  };
}
