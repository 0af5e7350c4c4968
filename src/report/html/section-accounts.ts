/**
 * A section per account (issue 19), when the period has more than one: what was open in it at the
 * end, and how its controls fared run by run — from the last run's findings.json (each key names its
 * account) and each run's controls.json (account by account in runs of several accounts). A period of
 * one account has no such section: the page is as before accounts existed.
 */
import { type ControlsPeriodSummary, controlsPeriodSummary } from "../../controls/period-summary.js";
import type { ControlStatus, RunControl } from "../../model/controls.js";
import type { RunStatus } from "../../model/run.js";
import { DEFAULT_ACCOUNT } from "../../model/key-facts.js";
import { PROVIDER_TITLE, type Provider } from "../accounts.js";
import { SEVERITY_ORDER, badge, ident, orDash, plural, table, when } from "./format.js";
import { type Html, html, joined } from "./markup.js";
import { type ReportRun, lastEvaluatedRun } from "./read-run.js";
import type { ControlEntry, FindingEntry } from "./schemas.js";

export interface PeriodAccount {
  name: string;
  /** As the evidence writes it (`openai`, `anthropic`); null when it does not say. */
  provider: string | null;
  /** Where its section is on the page. */
  anchor: string;
}

/** A finding of findings.json written before accounts existed is OpenAI's, of the account `openai` (as model/key-facts.ts reads a key). */
export function findingAccount(f: FindingEntry): { name: string; provider: string } {
  const provider = f.key.provider ?? "openai";
  return { name: f.key.account ?? (provider === "openai" ? DEFAULT_ACCOUNT : provider), provider };
}

/** The accounts the period's evidence names, by name; empty when it names fewer than two. */
export function periodAccounts(runs: readonly ReportRun[]): PeriodAccount[] {
  const providers = new Map<string, string | null>();
  const note = (name: string, provider: string | null) => providers.set(name, providers.get(name) ?? provider);
  for (const f of lastEvaluatedRun(runs)?.findings ?? []) {
    const account = findingAccount(f);
    note(account.name, account.provider);
  }
  for (const run of runs) for (const control of run.controls ?? []) for (const a of control.accounts ?? []) note(a.account, a.provider);
  if (providers.size < 2) return [];
  return [...providers.keys()].sort().map((name, i) => ({ name, provider: providers.get(name) ?? null, anchor: `account-${i + 1}` }));
}

export function providerTitle(provider: string | null): string {
  return provider === null ? "" : (PROVIDER_TITLE[provider as Provider] ?? provider);
}

/** `openai-eu (OpenAI)` as markup, the name as code. */
export function accountName(account: { name: string; provider: string | null }): Html {
  return html`<code>${account.name}</code>${account.provider ? ` (${providerTitle(account.provider)})` : ""}`;
}

export function accountSections(runs: readonly ReportRun[], accounts: readonly PeriodAccount[]): Html[] {
  return accounts.map((account) => accountSection(runs, account));
}

function accountSection(runs: readonly ReportRun[], account: PeriodAccount): Html {
  const last = lastEvaluatedRun(runs);
  const findings = last?.findings?.filter((f) => findingAccount(f).name === account.name) ?? null;
  const open = (() => {
    if (!last?.manifest) return html`<p>No run in this period evaluated the policy.</p>`;
    if (!findings) return html`<p>The findings.json of run <code>${last.id}</code> could not be read.</p>`;
    const bySeverity = SEVERITY_ORDER.map((s) => [s, findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
    const counts = bySeverity.length > 0 ? html`: ${joined(bySeverity.map(([s, n]) => html`${n} ${badge(s)}`), html`, `)}` : "";
    return html`<p>Open at the end of the period, as found by run <code>${last.id}</code> (${when(last.manifest.run.started_at)}): <strong>${plural(findings.length, "finding")}</strong>${counts}. They are listed under <a href="#open-findings">Open at the end</a>.</p>`;
  })();
  return html`<section id="${account.anchor}" class="account" data-account="${account.name}">
<h2>Account ${accountName(account)}</h2>
${open}
${controlsOfAccount(runs, account.name)}
</section>`;
}

/** The controls of one account over the period (the runs that recorded it), those it tested at least once. */
function controlsOfAccount(runs: readonly ReportRun[], name: string): Html {
  const withData = runs.filter((r) => r.manifest && r.controls?.some((c) => c.accounts?.some((a) => a.account === name)));
  const lastWithData = withData.at(-1);
  if (!lastWithData) return html`<p class="no-data">No control data for this account: no run of the period recorded its controls account by account.</p>`;
  const summary: ControlsPeriodSummary = controlsPeriodSummary(
    runs.flatMap((r) =>
      r.manifest ? [{ run_id: r.manifest.run.id, started_at: r.manifest.run.started_at, status: r.manifest.run.status as RunStatus, controls: accountControls(r.controls, name) }] : [],
    ),
  );
  const atLast = new Map((accountControls(lastWithData.controls, name) ?? []).map((c) => [`${c.framework} ${c.control_id}`, c]));
  const rows = summary.controls
    .filter((c) => c.runs_tested > 0)
    .map((c) => {
      const latest = atLast.get(`${c.framework} ${c.control_id}`);
      return [
        html`${c.framework} ${ident(c.control_id)}`,
        orDash(c.title),
        badge(c.last_status),
        `${c.runs_passed} / ${c.runs_failed} / ${c.runs_incomplete} / ${c.runs_not_tested}`,
        orDash(latest === undefined ? "" : String(latest.findings)),
        orDash(latest === undefined ? "" : String(latest.keys_tested)),
      ];
    });
  const others = runs.filter((r) => r.manifest && r.manifest.run.status !== "failed" && !withData.includes(r)).length;
  const note = others > 0 ? html`\n<p>${plural(others, "run")} of the period recorded no controls of this account (a run of one account, or one without it): counted as not tested here; the Controls section has every run.</p>` : "";
  const body =
    rows.length === 0
      ? html`<p>No control was tested on this account in the period.</p>`
      : table("compact account-controls", ["Control", "Title", "Last run", "Runs passed / failed / incomplete / not tested", "Open findings", "Keys tested"], rows);
  return html`<h3>Controls on this account</h3>
<p>As in <a href="#controls">Controls</a>, over this account's keys only; open findings and keys tested as of the last run with its data (${when(lastWithData.manifest?.run.started_at)}).</p>${note}
${body}`;
}

/** One account's figures of a run's controls, in the shape the period summary takes; undefined when the run recorded none for it. */
function accountControls(controls: readonly ControlEntry[] | null, name: string): RunControl[] | undefined {
  const found = (controls ?? []).flatMap((c) => {
    const a = c.accounts?.find((x) => x.account === name);
    return a ? [{ c, a }] : [];
  });
  if (found.length === 0) return undefined;
  return found.map(({ c, a }) => ({
    framework: c.framework,
    control_id: c.control_id,
    title: c.title ?? "",
    rules: c.rules,
    keys_tested: a.keys_tested ?? 0,
    findings: a.findings ?? 0,
    exempted: a.exempted ?? 0,
    accepted: a.accepted ?? 0,
    status: a.status as ControlStatus,
  }));
}
