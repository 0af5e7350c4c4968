import { SEVERITIES, exemptionSource } from "../model/run.js";
import type { AuditRun, RunExemption, RunFinding } from "../model/run.js";
import { frameworkOf } from "../controls/catalogue.js";
import { enrichmentSummary } from "../enrichment/describe.js";
import { remediationFor } from "../policy/registry.js";
import { neutralizeControlChars } from "../util/control-chars.js";
import { redact } from "../util/redact.js";
import { keyProvider } from "../model/key-facts.js";
import { type RunAccount, accountTitle, runAccounts, showsAccounts } from "./accounts.js";

/**
 * A plain-text report of a run for terminals (demo, CLI). An incomplete or
 * failed run says so first, before any count, so nobody reads "0 findings" as
 * "all clear". A run of several accounts lists its findings account by account.
 */
export function renderTextReport(run: AuditRun): string {
  const lines: string[] = [];
  const accounts = runAccounts(run);
  const byAccount = showsAccounts(accounts);
  const rule = "─".repeat(72);
  lines.push(rule, `Keywarden audit ${run.id}`, `policy ${run.policy.name} (${run.policy.file}, sha256 ${run.policy.sha256.slice(0, 12)}…)`, rule);

  if (run.status === "failed") {
    lines.push(`✖ FAILED: ${run.failure?.reason ?? "unknown reason"}`);
    for (const detail of run.failure?.details ?? []) lines.push(`    ${detail}`);
    lines.push("No result: the organization was not audited.", rule);
    return printableLines(lines);
  }
  if (run.status === "incomplete") {
    lines.push(`⚠ INCOMPLETE: ${run.errors.length} part(s) of the organization could not be read. Findings below are a lower bound.`);
    for (const error of run.errors) lines.push(`    not seen: ${byAccount && error.account !== undefined ? `[${error.account}] ` : ""}${error.where} — ${error.message}`);
  } else {
    lines.push(run.counts.findings.total === 0 ? "✔ COMPLETE — all clear: every key was seen and none breaks the policy." : "✔ COMPLETE — every key was seen.");
  }

  const c = run.counts;
  lines.push(
    "",
    `Inventory: ${c.admin_keys} admin keys, ${c.project_keys} project keys, ${c.projects} projects (${c.archived_projects} archived), ${c.users} users; ${c.api_requests} API requests`,
    `Findings: ${c.findings.total} — ${SEVERITIES.map((s) => `${s} ${c.findings[s]}`).join(", ")}`,
  );
  lines.push(...enrichmentLines(run));

  if (byAccount) {
    for (const account of accounts) {
      lines.push("", accountHeading(account));
      lines.push(...findingLines(account.findings, "  "));
    }
  } else lines.push(...findingLines(run.findings, ""));

  if (run.exemptions.length > 0) {
    lines.push("", `Exempted (${run.exemptions.length})`);
    for (const e of run.exemptions) lines.push(`  • ${e.rule_id} on ${e.key_id} ${exemptionWho(e)} until ${e.expires}: ${e.reason}${e.ticket ? ` (${e.ticket})` : ""}`);
  }
  if (run.exemption_notices.length > 0) {
    lines.push("", "Exemption notices");
    for (const n of run.exemption_notices) {
      const what = exemptionSource(n) === "slack" ? `acceptance by ${n.accepted_by?.name ?? "someone"}` : "exemption";
      lines.push(`  • ${n.kind} ${what}: ${n.rule_id} on ${n.key_id} (expires ${n.expires})${n.kind === "expired" ? ": the finding is open again" : ""}`);
    }
  }
  const failing = (run.controls ?? []).filter((c) => c.status === "fail");
  if (failing.length > 0) {
    lines.push("", `Controls failing (${failing.length})`);
    for (const c of failing) {
      const framework = frameworkOf(c.framework)?.name ?? c.framework;
      const where = (c.accounts ?? []).filter((a) => a.status === "fail").map((a) => `${a.account} ${a.findings}`);
      lines.push(`  • ${framework} ${c.control_id} ${c.title}: ${c.findings} finding${c.findings === 1 ? "" : "s"} (${c.rules.join(", ")})${where.length ? `; by account: ${where.join(", ")}` : ""}`);
    }
  }
  lines.push(rule);
  return printableLines(lines);
}

/**
 * One line for a terminal, whatever text from the API (key, project and owner names, error messages)
 * it holds: anything that looks like a full secret becomes [REDACTED], and every control character a
 * visible escape (`\n`, `\x1b`), so a name can neither clear the screen nor start a line of its own.
 * Redacted first: an escape such as `\n` would glue a secret to the text before it, out of redact's sight.
 */
export function printableLine(text: string): string {
  return neutralizeControlChars(redact(text));
}

/** The report's own lines, each made printable, joined by the only newlines it contains. */
function printableLines(lines: readonly string[]): string {
  return lines.map(printableLine).join("\n");
}

/** `ACCOUNT openai-eu (OpenAI): 3 findings`, and whether it was read in full. */
function accountHeading(account: RunAccount): string {
  const findings = `${account.findings.length} finding${account.findings.length === 1 ? "" : "s"}`;
  if (account.errors.length === 0) return `ACCOUNT ${accountTitle(account)}: ${findings}`;
  return `ACCOUNT ${accountTitle(account)}: ⚠ not read in full (${account.errors.length} part(s) not seen); ${findings} so far`;
}

/** The findings by severity, worst first, each line after `indent`. */
function findingLines(findings: readonly RunFinding[], indent: string): string[] {
  const lines: string[] = [];
  for (const severity of SEVERITIES) {
    const group = findings.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push("", `${indent}${severity.toUpperCase()} (${group.length})`);
    for (const finding of group) {
      lines.push(`${indent}  • ${describeFinding(finding)}`);
      const known = enrichmentSummary(finding.key);
      if (known) lines.push(`${indent}      ${known}`);
      lines.push(`${indent}      what to do: ${remediationFor(finding)}${finding.dashboard_url ? ` — ${finding.dashboard_url}` : ""}`);
    }
  }
  return lines;
}

function describeFinding(finding: RunFinding): string {
  const where = keyProvider(finding.key) === "anthropic" ? workspaceOf(finding) : projectOf(finding);
  const owner = finding.owner.email ?? finding.owner.name ?? (finding.owner.id || "unknown");
  // The id is what `keywarden revoke` and the dashboard take; the name alone may not be unique.
  const name = finding.key.name ? `${finding.key.name} (${finding.key.id})` : finding.key.id;
  return `[${finding.rule_id}] ${name} ${finding.key.redacted_value} — ${where}, owner ${owner}: ${finding.sentence}`;
}

function projectOf(finding: RunFinding): string {
  return finding.project ? `project ${finding.project.name ?? finding.project.id}${finding.project.archived ? " (archived)" : ""}` : "organization admin key";
}

function workspaceOf(finding: RunFinding): string {
  return finding.project ? `workspace ${finding.project.name ?? finding.project.id}${finding.project.archived ? " (archived)" : ""}` : "organization key";
}

/** The enrichment, when there was one: its sources and requests, and (once each) what it could not tell. */
function enrichmentLines(run: AuditRun): string[] {
  if (!run.enrichment) return [];
  const { sources, api_requests: requests } = run.enrichment;
  const lines = [`Enrichment: ${sources.join(", ")}; ${requests} API request${requests === 1 ? "" : "s"}`];
  for (const error of run.enrichment_errors ?? []) lines.push(`    ℹ ${error.message}`);
  return lines;
}

/** Who let a key break a rule: the policy (and who approved it there) or the person who accepted it in Slack. */
function exemptionWho(e: RunExemption): string {
  if (exemptionSource(e) === "slack") return `accepted by ${e.accepted_by?.name ?? "someone"}${e.accepted_at ? ` on ${e.accepted_at.slice(0, 10)}` : ""}`;
  return e.approved_by ? `exempted by the policy, approved by ${e.approved_by},` : "exempted by the policy";
}
