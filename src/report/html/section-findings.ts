/** "Open at the end of the period": the findings of the last run that evaluated the policy, worst first. */
import { enrichmentSummary } from "../../enrichment/describe.js";
import { badge, ident, orDash, plural, table, when } from "./format.js";
import { type Html, html } from "./markup.js";
import { type ReportRun, lastEvaluatedRun } from "./read-run.js";
import { type PeriodAccount, accountName, findingAccount } from "./section-accounts.js";
import type { FindingEntry } from "./schemas.js";

/** More than this many are counted, not listed: the run's findings.csv has them all. */
export const MAX_LISTED_FINDINGS = 100;

/** With several accounts (`accounts` not empty), each finding says its account. */
export function openFindingsSection(runs: readonly ReportRun[], accounts: readonly PeriodAccount[] = []): Html {
  const last = lastEvaluatedRun(runs);
  const body = (() => {
    if (!last?.manifest) return html`<p>No run in this period evaluated the policy.</p>`;
    const intro = html`<p>As found by run <code>${last.id}</code> (${when(last.manifest.run.started_at)}, ${badge(last.manifest.run.status)}).</p>`;
    if (!last.findings) return html`${intro}\n<p>Its findings.json could not be read: the counts are in "Every run".</p>`;
    if (last.findings.length === 0) return html`${intro}\n<p>No open finding.</p>`;
    const listed = last.findings.slice(0, MAX_LISTED_FINDINGS);
    const byAccount = accounts.length > 0;
    const rows = listed.map((f) => [
      ...(byAccount ? [accountName(findingAccount(f))] : []),
      badge(f.severity),
      ident(f.rule_id),
      html`${orDash(f.key.name)}<br>${ident(f.key.id)}`,
      orDash(f.project ? (f.project.name ?? f.project.id) : ""),
      orDash(f.owner?.email ?? f.owner?.name),
      findingCell(f),
    ]);
    const more = last.findings.length - listed.length;
    const note = more > 0 ? html`\n<p>And ${plural(more, "more finding")}: findings.csv of run <code>${last.id}</code> lists every one.</p>` : "";
    const findingsTable = byAccount
      ? table("findings", ["Account", "Severity", "Rule", "Key", "Project", "Owner", "Finding"], rows, [10, 8, 13, 18, 11, 17, 23])
      : table("findings", ["Severity", "Rule", "Key", "Project", "Owner", "Finding"], rows, [8, 15, 20, 12, 19, 26]);
    return html`${intro}\n${findingsTable}${note}`;
  })();
  return html`<section id="open-findings">
<h2>Open at the end of the period</h2>
${body}
</section>`;
}

/** Why it was found, then what the enrichment knows of the key (creator, requests, spend), as in Slack. */
function findingCell(f: FindingEntry): Html {
  const known = enrichmentSummary(f.key);
  return html`${orDash(f.sentence)}${known ? html`<br><span class="known">${known}</span>` : ""}`;
}
