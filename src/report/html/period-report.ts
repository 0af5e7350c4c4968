/**
 * The period report: one self-contained HTML page for people (an auditor, a security lead) that
 * says what was audited and how often, every run with its status and manifest hash, open findings
 * over time, per-control status, accepted risks, remediations, and how to verify the evidence.
 *
 * Pure: the stored files of the period's runs in, a page out; the same evidence always gives the
 * same bytes (no clock, no locale). No script, no external resource of any kind (its own
 * Content-Security-Policy says so), light backgrounds, print rules for PDF. Every value taken from
 * evidence is escaped: the page is built with hono/html's `html` tag (markup.ts). It is in every
 * period export as `report.html` and served at `GET /evidence/report`; it is derived from the
 * evidence, not evidence, and the export's period manifest fixes its bytes (see
 * ../evidence/period-manifest.ts).
 */
import { createHash } from "node:crypto";
import { redact } from "../../util/redact.js";
import { KEYWARDEN_VERSION } from "../../version.js";
import { type RunWithoutEvidence, failedBeforeEvidence } from "../../evidence/without-evidence.js";
import { plural } from "./format.js";
import { organizationLine } from "./header-organization.js";
import { constantMarkup, html, joined } from "./markup.js";
import { type StoredRunFiles, readRuns } from "./read-run.js";
import { type PeriodAccount, accountSections, periodAccounts, providerTitle } from "./section-accounts.js";
import { controlsSection } from "./section-controls.js";
import { acceptedRisksSection, remediationsSection } from "./section-decisions.js";
import { openFindingsSection } from "./section-findings.js";
import { runsSection, trendSection } from "./section-runs.js";
import { summarySection } from "./section-summary.js";
import { type VerifyHelp, verifySection } from "./section-verify.js";
import { REPORT_CSS } from "./styles.js";

export { REPORT_INPUT_FILES, type StoredRunFiles, lastEvaluatedRun } from "./read-run.js";

/** Its name in the period export, next to index.json. */
export const REPORT_FILE = "report.html";

export interface PeriodReportInput {
  /** The period, as GET /evidence takes it (YYYY-MM-DD, both days included, UTC). */
  period: { from: string; to: string };
  /** The runs with stored evidence: at least the files of REPORT_INPUT_FILES each has; others are not read. */
  runs: readonly StoredRunFiles[];
  /** The runs of the period that left no evidence (shown as gaps). */
  withoutEvidence?: readonly RunWithoutEvidence[];
  /** Where the public key and the export are served; inside the export, neither is known. */
  verify?: Partial<VerifyHelp>;
  /** The Worker's address (origin) when it serves the page; it names the deployment in the header. Unknown inside the export. */
  deployment?: string | null;
  /** Configured secrets: removed from every value read (the evidence never holds them; this is a second net). */
  secrets?: readonly (string | undefined)[];
}

/** The export's file name, as GET /evidence names it. */
export function exportFileName(period: { from: string; to: string }): string {
  return `keywarden-evidence-${period.from}-to-${period.to}.zip`;
}

const STYLE_HASH = `sha256-${createHash("sha256").update(REPORT_CSS).digest("base64")}`;

/**
 * Nothing but the page's own style sheet: no script, image, font, frame, connection, form or base
 * URL. `frame-ancestors` only works as a header (reportHeaders); a <meta> policy ignores it.
 */
export const REPORT_CSP = `default-src 'none'; style-src '${STYLE_HASH}'; img-src 'none'; font-src 'none'; script-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'`;

/** The headers of the page served over HTTP. */
export function reportHeaders(): Record<string, string> {
  return {
    "content-type": "text/html; charset=utf-8",
    "content-security-policy": `${REPORT_CSP}; frame-ancestors 'none'`,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cache-control": "no-store",
  };
}

/** The runs without evidence, as the summary counts them: a run that failed before it could write any is not a gap. */
function withoutEvidenceSaid(gaps: readonly RunWithoutEvidence[]): string {
  const failedStarts = gaps.filter(failedBeforeEvidence).length;
  const parts = [
    ...(gaps.length > failedStarts ? [`${plural(gaps.length - failedStarts, "run")} without evidence`] : []),
    ...(failedStarts > 0 ? [`${plural(failedStarts, "run")} that failed before ${failedStarts === 1 ? "it" : "they"} could write evidence`] : []),
  ];
  return parts.length === 2 ? `, ${parts[0]} and ${parts[1]}` : parts.map((part) => ` and ${part}`).join("");
}

/** "OpenAI", or the providers of a period of several accounts: "Anthropic and OpenAI". */
function auditedProviders(accounts: readonly PeriodAccount[]): string {
  const providers = [...new Set(accounts.map((a) => providerTitle(a.provider ?? "openai")))].sort();
  if (providers.length === 0) return "OpenAI";
  return providers.length === 1 ? (providers[0] as string) : `${providers.slice(0, -1).join(", ")} and ${providers.at(-1)}`;
}

export function renderPeriodReport(input: PeriodReportInput): string {
  const secrets = (input.secrets ?? []).filter((s): s is string => typeof s === "string" && s.length > 0);
  const runs = readRuns(input.runs, secrets);
  const gaps = (input.withoutEvidence ?? []).map((g) => ({ ...g, id: redact(g.id, secrets), status: redact(g.status, secrets), reason: redact(g.reason, secrets) }));
  const { from, to } = input.period;
  const help: VerifyHelp = { zipName: exportFileName(input.period), ...input.verify };
  // A period of several accounts (issue 19) has a section per account; one of one account is as before.
  const accounts = periodAccounts(runs);
  const sections = [
    summarySection(runs, gaps),
    trendSection(runs, gaps, input.period),
    openFindingsSection(runs, accounts),
    controlsSection(runs),
    ...accountSections(runs, accounts),
    acceptedRisksSection(runs, input.period),
    remediationsSection(runs),
    runsSection(runs, gaps),
    verifySection(runs, help),
  ];
  const contents = [
    ["summary", "What was audited"],
    ["trend", "Open findings over time"],
    ["open-findings", "Open at the end"],
    ["controls", "Controls"],
    ...accounts.map((a) => [a.anchor, `Account ${a.name}`]),
    ["accepted-risks", "Accepted risks"],
    ["remediations", "Remediations"],
    ["runs", "Every run"],
    ["verify", "How to verify"],
  ].map(([id, label]) => html`<li><a href="#${id}">${label}</a></li>`);
  const page = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${constantMarkup(REPORT_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="Keywarden ${KEYWARDEN_VERSION}">
<title>Keywarden audit report, ${from} to ${to}</title>
<style>${constantMarkup(REPORT_CSS)}</style>
</head>
<body>
<header id="report-header">
<h1>${auditedProviders(accounts)} API key audit</h1>
<p class="period">${from} to ${to} (UTC, both days included)</p>
${organizationLine(runs, input.deployment)}
<p class="generator">Keywarden ${KEYWARDEN_VERSION}, from the evidence of ${plural(runs.length, "run")}${withoutEvidenceSaid(gaps)}.</p>
<p class="notice">A reading aid derived from the evidence, not evidence itself. In the period export, <code>period-manifest.json</code> fixes its SHA-256 (signed when the runs' manifests are), so an edited copy fails <code>keywarden verify</code>. Check the evidence with <code>keywarden verify</code> (<a href="#verify">how</a>); where this page and the verified files disagree, the files are right.</p>
<nav aria-label="Contents"><ol>${contents}</ol></nav>
</header>
<main>
${joined(sections, html`\n`)}
</main>
<footer class="small">Times are UTC. Counts are as each run's manifest records them; lists are from each run's exemptions.json, controls.json, remediations.json, acceptances.json and the last run's findings.json.</footer>
</body>
</html>
`;
  return page.toString();
}
