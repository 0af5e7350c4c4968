/**
 * What people decided during the period: risks accepted in Slack (who, why, until when), from each
 * run's exemptions.json, every acceptance, revocation and expiry between the runs, from
 * acceptances.json, and remediations requested and approved in Slack, from remediations.json.
 * Each is listed once, as the last run that recorded it says.
 */
import { badge, day, ident, orDash, plural, table, when } from "./format.js";
import { type Html, html, joined } from "./markup.js";
import type { ReportRun } from "./read-run.js";
import type { AcceptanceDecisionEntry, ExemptionEntry, RemediationEntry } from "./schemas.js";

interface Seen<T> {
  entry: T;
  first: ReportRun;
  last: ReportRun;
  runs: number;
  applied: number;
}

export function acceptedRisksSection(runs: readonly ReportRun[], period: { to: string }): Html {
  const withFile = runs.filter((r) => r.exemptions);
  const accepted = collect(withFile, (r) => (r.exemptions ?? []).filter((x) => x.source === "slack"), (x) => x.acceptance_id ?? JSON.stringify([x.rule_id, x.key_id, x.accepted_at]));
  const policyCount = new Set(withFile.flatMap((r) => (r.exemptions ?? []).filter((x) => x.source !== "slack").map((x) => JSON.stringify([x.rule_id, x.key_id])))).size;
  const rows = accepted.map(({ entry: x, first, last, runs: n, applied }) => [
    ident(x.rule_id),
    ident(x.key_id),
    html`${orDash(x.accepted_by?.name ?? x.accepted_by?.id)}${x.accepted_by?.id && x.accepted_by.name ? html`<br>${ident(x.accepted_by.id)}` : ""}`,
    orDash(when(x.accepted_at)),
    orDash(x.reason),
    orDash(x.ticket),
    html`${orDash(day(x.expires))}${x.expires && x.expires < period.to ? html`<br>${badge("expired")}` : ""}`,
    html`${plural(n, "run")}, ${day(first.manifest?.run.started_at)} – ${day(last.manifest?.run.started_at)}; suppressed its finding in ${applied} of them`,
  ]);
  const body =
    withFile.length === 0
      ? html`<p class="no-data">No exemption data: no run of this period recorded exemptions.json.</p>`
      : accepted.length === 0
        ? html`<p>No risk was accepted in Slack for the runs of this period.</p>`
        : table("risks", ["Rule", "Key", "Accepted by", "Accepted at", "Reason", "Ticket", "Expires", "In force"], rows, [13, 13, 12, 10, 18, 12, 9, 13]);
  const policy = policyCount > 0 ? html`\n<p>Besides these, ${plural(policyCount, "exemption")} written in the policy file (with its <code>approved_by</code>) held during the period: exemptions.json of each run lists them.</p>` : "";
  return html`<section id="accepted-risks">
<h2>Accepted risks</h2>
<p>Findings that someone accepted in Slack, so they are not counted as open while the acceptance holds (expiry day included).</p>
${body}${policy}
${acceptanceDecisions(runs)}
</section>`;
}

/** Each acceptance made, revoked or expired between the runs, from acceptances.json; nothing when no run recorded one. */
function acceptanceDecisions(runs: readonly ReportRun[]): Html {
  const withFile = runs.filter((r) => r.acceptances);
  if (withFile.length === 0) return html``;
  const all = collect(withFile, (r) => r.acceptances ?? [], (x) => JSON.stringify([x.acceptance_id, x.event, x.at])).map((seen) => seen.entry);
  const rows = all.map((x) => [
    orDash(when(x.at)),
    badge(x.event),
    html`${ident(x.rule_id)}<br>${ident(x.key_id)}`,
    html`${orDash(person(x.by?.name ?? null, x.by?.id ?? null))}${x.via === "slack" ? " in Slack" : x.via === "api" ? " through the API" : ""}`,
    orDash(x.event === "revoked" ? x.revoke_reason : x.event === "expired" ? `its last day, ${x.expires ?? "?"}, ended` : x.reason),
  ]);
  const body = rows.length === 0 ? html`<p>No risk was accepted, revoked or expired between the runs of this period.</p>` : table("decisions", ["When", "Decision", "Rule / key", "By", "Why"], rows, [14, 10, 20, 22, 34]);
  return html`<div id="acceptance-decisions">
<h3>Decisions between the runs</h3>
<p>Each acceptance made, revoked or expired, as the evidence of the first run after it records it (acceptances.json), also one made and revoked between two runs.</p>
${body}
</div>`;
}

export function remediationsSection(runs: readonly ReportRun[]): Html {
  const withFile = runs.filter((r) => r.remediations);
  const all = collect(withFile, (r) => r.remediations ?? [], (x) => x.id);
  const rows = all.map(({ entry: x }) => [
    html`${orDash(person(x.requested_by_name, x.requested_by))}<br><span class="small">${when(x.requested_at)}</span>`,
    html`${orDash(x.action)}${x.mode === "dry-run" ? " (dry run)" : ""}${x.summary ? html`<br><span class="small">${x.summary}</span>` : ""}`,
    html`${ident(x.key_id)}<br>${ident(x.rule_id)}`,
    orDash(x.reason),
    orDash(approvals(x)),
    badge(x.status),
    html`${orDash(x.outcome)}${x.executed_at ? html`<br><span class="small">${when(x.executed_at)}</span>` : ""}`,
  ]);
  const body =
    withFile.length === 0
      ? html`<p class="no-data">No remediation data: no run of this period recorded remediations.json.</p>`
      : all.length === 0
        ? html`<p>No remediation was requested in this period.</p>`
        : table("remediations", ["Requested by", "Action", "Key / rule", "Reason", "Approved by", "Status", "Outcome"], rows, [13, 18, 15, 15, 14, 10, 15]);
  return html`<section id="remediations">
<h2>Remediations</h2>
<p>Actions on keys requested in Slack, with who requested and who approved them, as the last run that recorded each says.</p>
${body}
</section>`;
}

function approvals(x: RemediationEntry): Html {
  return joined(
    x.approvals.map((a) => html`${person(a.name, a.by)}${a.at ? html` <span class="small">${when(a.at)}</span>` : ""}`),
    html`<br>`,
  );
}

/** `Dana Okafor (U0DANA0001)`, or whichever of the two is recorded. */
function person(name: string | null, id: string | null): Html {
  if (name && id && name !== id) return html`${name} ${ident(id)}`;
  return html`${name ?? id}`;
}

/** Each entry once (by key), the last run's copy, with the runs it appeared in (runs are in chain order). */
function collect<T extends ExemptionEntry | RemediationEntry | AcceptanceDecisionEntry>(runs: readonly ReportRun[], entries: (run: ReportRun) => T[], keyOf: (entry: T) => string): Seen<T>[] {
  const seen = new Map<string, Seen<T>>();
  for (const run of runs) {
    for (const entry of entries(run)) {
      const key = keyOf(entry);
      const before = seen.get(key);
      const applied = "status" in entry && entry.status === "applied" ? 1 : 0;
      seen.set(key, { entry, first: before?.first ?? run, last: run, runs: (before?.runs ?? 0) + 1, applied: (before?.applied ?? 0) + applied });
    }
  }
  return [...seen.values()];
}
