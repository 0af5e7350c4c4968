import { SEVERITIES, exemptionSource } from "../model/run.js";
import type { AuditRun, RunFinding } from "../model/run.js";
import type { Severity } from "../model/severity.js";
import type { HeaderBlock } from "@slack/types";
import { SLACK_LIMITS, type SlackBlock, type SlackMessage, blockChars, mrkdwn, section } from "./blocks.js";
import { SEVERITY_EMOJI, findingBullet, formatDuration, formatTime, plural, severityTag } from "./format.js";
import { clip, inlineCode, packLines, safe, slackLink } from "./mrkdwn.js";
import { runAccounts, showsAccounts } from "../report/accounts.js";
import { accountCountsText, notSeenLine } from "./account-summary.js";

export const DEFAULT_MAX_FINDINGS_IN_MAIN = 10;
const MAX_FINDINGS_IN_MAIN = 30;
const MAX_LISTED_IN_ALERT = 15;
const BULLET_MAX = 700;

export interface MainMessageOptions {
  /** SLACK_CHANNEL: a channel id (C…) or name. */
  channel: string;
  /** A link to the run's evidence, shown in the main message. */
  evidenceUrl?: string;
  /** How many of the worst findings the main message shows (default 10, at most 30). */
  maxFindingsInMain?: number;
  /** Each finding in the thread gets an Accept-risk button (only when Keywarden can verify the click). */
  acceptButtons?: boolean;
  /** With the Accept-risk buttons: a menu with Revoke… too, on findings an action fits (REMEDIATION is not off). */
  revokeMenu?: boolean;
}

function countBySeverity(findings: readonly RunFinding[]): Record<Severity, number> {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

export interface RenderedMain {
  message: SlackMessage;
  cutNotSeen: boolean;
  cutDetails: boolean;
}

/**
 * The message posted in the channel: status first (a failed or incomplete run
 * says so before any count), counts, changes since the last run, the worst
 * findings grouped by rule, and where the run and its evidence are.
 * `findings` must be sorted worst first.
 */
export function renderMain(run: AuditRun, findings: readonly RunFinding[], opts: MainMessageOptions): RenderedMain {
  const counts = countBySeverity(findings);
  const total = findings.length;
  const policy = run.policy.name;
  const blocks: SlackBlock[] = [];
  const accounts = runAccounts(run);
  const byAccount = showsAccounts(accounts);
  let cutNotSeen = false;
  let cutDetails = false;
  let text: string;

  if (run.status === "failed") {
    blocks.push(header(`:x: FAILED · Keywarden could not audit · policy ${policy}`));
    const reason = run.failure?.reason ?? "unknown reason";
    const alert = listWithin(
      `:x: *The audit failed: ${safe(reason, 800)}*`,
      (run.failure?.details ?? []).map((d) => `• ${safe(d, 300)}`),
      "No result: the organization was not audited. *This is not an all-clear.*",
    );
    cutDetails = alert.cut;
    blocks.push(section(alert.text));
    text = `Keywarden FAILED (policy ${safe(policy, 100)}): ${safe(reason, 2000)}`;
  } else {
    const bySeverity = SEVERITIES.filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
    const summary = `${plural(total, "finding")}${bySeverity.length ? ` (${bySeverity.join(", ")})` : ""}`;
    if (run.status === "incomplete") {
      blocks.push(header(`:red_circle: INCOMPLETE · ${plural(total, "finding")} so far · policy ${policy}`));
      const n = run.errors.length;
      const warning = listWithin(
        n > 0 ? `:red_circle: *INCOMPLETE — ${plural(n, "part")} not seen:*` : ":red_circle: *INCOMPLETE — parts of the organization were not seen.*",
        run.errors.map((e) => notSeenLine(e, byAccount)),
        "*The findings below are a lower bound. This is not an all-clear.*",
      );
      cutNotSeen = warning.cut;
      blocks.push(section(warning.text));
      text = `Keywarden INCOMPLETE (policy ${safe(policy, 100)}): ${plural(n, "part")} of the organization not seen; ${summary} among what was seen`;
    } else if (total === 0) {
      blocks.push(header(`:white_check_mark: ALL CLEAR · policy ${policy}`));
      blocks.push(section(":white_check_mark: *All clear* — every key of the organization was seen and none breaks the policy."));
      text = `Keywarden: all clear (policy ${safe(policy, 100)}): every key was seen and none breaks the policy`;
    } else {
      blocks.push(header(`:large_orange_circle: COMPLETE · ${plural(total, "finding")} · policy ${policy}`));
      text = `Keywarden (policy ${safe(policy, 100)}): ${summary}`;
    }
    blocks.push(section(countsText(run, findings, counts, total)));
    if (byAccount) blocks.push(section(accountCountsText(accounts)));
    if (run.lifecycle) blocks.push(section(lifecycleText(run.lifecycle)));
  }

  const tail: SlackBlock[] = [{ type: "divider" }, contextBlock(run, opts)];
  if (total > 0) blocks.push(...worstFindings(findings, { ...opts, byAccount }, [...blocks, ...tail]));
  blocks.push(...tail);
  return { message: { channel: opts.channel, text: clip(text, SLACK_LIMITS.fallbackText), blocks }, cutNotSeen, cutDetails };
}

function header(text: string): HeaderBlock {
  return { type: "header", text: { type: "plain_text", text: clip(text, SLACK_LIMITS.headerText), emoji: true } };
}

/** `head`, then as many list lines as fit (at most 15), "…and N more", then `tail`, within one section. */
function listWithin(head: string, lines: readonly string[], tail: string): { text: string; cut: boolean } {
  const max = SLACK_LIMITS.sectionText;
  const reserve = 80 + tail.length;
  let body = head;
  let shown = 0;
  for (const line of lines) {
    if (shown >= MAX_LISTED_IN_ALERT || body.length + 1 + line.length + reserve > max) break;
    body += `\n${line}`;
    shown++;
  }
  if (shown < lines.length) body += `\n…and ${lines.length - shown} more (all listed in the thread)`;
  return { text: clip(`${body}\n${tail}`, max), cut: shown < lines.length };
}

/** `By rule: `unused-90d` 17 · …`, worst rules first (findings are already sorted), within 1,000 characters. */
function byRuleLine(findings: readonly RunFinding[]): string[] {
  const perRule = new Map<string, number>();
  for (const f of findings) perRule.set(f.rule_id, (perRule.get(f.rule_id) ?? 0) + 1);
  if (perRule.size === 0) return [];
  const parts = [...perRule].map(([rule, n]) => `${inlineCode(clip(rule, 80))} ${n}`);
  let line = "By rule:";
  let shown = 0;
  for (const part of parts) {
    if (line.length + part.length + 40 > 1000) break;
    line += `${shown === 0 ? " " : "  ·  "}${part}`;
    shown++;
  }
  if (shown < parts.length) line += `  ·  and ${plural(parts.length - shown, "more rule")}`;
  return [line];
}

function countsText(run: AuditRun, findings: readonly RunFinding[], counts: Record<Severity, number>, total: number): string {
  const c = run.counts;
  const lowerBound = run.status === "incomplete" ? " — a lower bound, parts of the organization were not seen" : "";
  const lines = [
    `*Findings: ${total}*${lowerBound}`,
    SEVERITIES.map((s) => `${SEVERITY_EMOJI[s]} ${counts[s]} ${s}`).join("  ·  "),
    ...byRuleLine(findings),
    `${run.status === "incomplete" ? "Seen so far" : "Seen"}: ${plural(c.admin_keys, "admin key")}, ${plural(c.project_keys, "project key")} in ${plural(c.projects, "project")} (${c.archived_projects} archived), ${plural(c.users, "user")}`,
  ];
  const extras: string[] = [];
  if (run.exemptions.length > 0) extras.push(`:shield: ${exemptedSummary(run.exemptions)}`);
  if (run.exemption_notices.length > 0) extras.push(`:hourglass_flowing_sand: ${plural(run.exemption_notices.length, "exemption notice")}`);
  if (extras.length > 0) lines.push(`${extras.join("  ·  ")} (listed in the thread)`);
  return lines.join("\n");
}

/** "2 findings exempted by the policy", or with risks accepted in Slack "3 findings exempted (2 by the policy, 1 accepted in Slack)". */
function exemptedSummary(exemptions: AuditRun["exemptions"]): string {
  const accepted = exemptions.filter((x) => exemptionSource(x) === "slack").length;
  const byPolicy = exemptions.length - accepted;
  const total = `${plural(exemptions.length, "finding")} exempted`;
  if (accepted === 0) return `${total} by the policy`;
  if (byPolicy === 0) return `${total}: risk accepted in Slack`;
  return `${total} (${byPolicy} by the policy, ${accepted} accepted in Slack)`;
}

function lifecycleText(l: NonNullable<AuditRun["lifecycle"]>): string {
  const listed = l.resolved > 0 ? " (listed in the thread)" : "";
  return `*Since the last run:* :new: ${l.new} new  ·  ${l.open} still open  ·  :white_check_mark: ${l.resolved} resolved${listed}`;
}

/**
 * The worst findings, grouped by rule, as many as `maxFindingsInMain` allows
 * and the message's remaining room (blocks and characters) takes.
 */
function worstFindings(findings: readonly RunFinding[], opts: MainMessageOptions & { byAccount: boolean }, fixed: readonly SlackBlock[]): SlackBlock[] {
  const max = Math.max(0, Math.min(MAX_FINDINGS_IN_MAIN, Math.floor(opts.maxFindingsInMain ?? DEFAULT_MAX_FINDINGS_IN_MAIN)));
  const perRule = new Map<string, number>();
  for (const f of findings) perRule.set(f.rule_id, (perRule.get(f.rule_id) ?? 0) + 1);

  let room = SLACK_LIMITS.messageText - fixed.reduce((n, b) => n + blockChars(b), 0) - 600;
  const chosen: { finding: RunFinding; bullet: string }[] = [];
  const rules = new Set<string>();
  for (const finding of findings.slice(0, max)) {
    const bullet = findingBullet(finding, BULLET_MAX, { account: opts.byAccount });
    // A finding of a rule not shown yet also opens that rule's heading.
    room -= bullet.length + 1 + (rules.has(finding.rule_id) ? 0 : 300);
    if (room < 0) break;
    rules.add(finding.rule_id);
    chosen.push({ finding, bullet });
  }

  if (chosen.length === 0) return [];
  for (;;) {
    const sections = groupSections(chosen, perRule);
    const title = section(
      `*Worst findings* — ${chosen.length} of ${findings.length}, highest severity first. Every finding is listed in the thread :thread: and in the attached CSV.`,
    );
    if (fixed.length + 2 + sections.length <= SLACK_LIMITS.blocksPerMessage || chosen.length === 1) return [{ type: "divider" }, title, ...sections];
    chosen.pop();
  }
}

function groupSections(chosen: readonly { finding: RunFinding; bullet: string }[], perRule: ReadonlyMap<string, number>): SlackBlock[] {
  const groups = new Map<string, { severity: Severity; bullets: string[] }>();
  for (const { finding, bullet } of chosen) {
    let group = groups.get(finding.rule_id);
    if (!group) groups.set(finding.rule_id, (group = { severity: finding.severity, bullets: [] }));
    group.bullets.push(bullet);
  }
  const blocks: SlackBlock[] = [];
  for (const [ruleId, group] of groups) {
    const ruleTotal = perRule.get(ruleId) ?? group.bullets.length;
    const shown = group.bullets.length < ruleTotal ? ` (${group.bullets.length} shown)` : "";
    const heading = `${severityTag(group.severity)} · ${inlineCode(clip(ruleId, 120))} — ${plural(ruleTotal, "finding")}${shown}`;
    for (const chunk of packLines([heading, ...group.bullets], SLACK_LIMITS.sectionText)) blocks.push(section(chunk));
  }
  return blocks;
}

function contextBlock(run: AuditRun, opts: MainMessageOptions): SlackBlock {
  const duration = formatDuration(run.started_at, run.finished_at);
  const elements = [
    `Run ${inlineCode(clip(run.id, 100))} · triggered by ${safe(run.trigger, 20)}`,
    `${formatTime(run.started_at)} → ${formatTime(run.finished_at)}${duration ? ` (${duration})` : ""}`,
    plural(run.counts.api_requests, "Admin API request"),
    `Policy ${inlineCode(clip(run.policy.name, 100))} · ${safe(run.policy.file, 200)}${run.policy.sha256 ? ` · sha256 ${inlineCode(run.policy.sha256.slice(0, 12))}` : ""}`,
    evidenceText(run, opts.evidenceUrl),
    // Enrichment that failed (creator, spend) is said once, here; it never makes the run incomplete.
    ...(run.enrichment_errors?.length ? [`:information_source: ${run.enrichment_errors.map((e) => safe(e.message, 300)).join("; ")}`] : []),
  ];
  return { type: "context", elements: elements.map((e) => mrkdwn(clip(e, SLACK_LIMITS.contextText))) };
}

function evidenceText(run: AuditRun, evidenceUrl: string | undefined): string {
  const evidence = run.evidence;
  if (evidence?.failed_before_evidence) return "Evidence: none, the run failed before it could write any";
  if (evidence && !evidence.stored) return `:warning: *Evidence NOT stored*${evidence.error ? `: ${safe(evidence.error, 500)}` : ""}`;
  const prefix = evidence?.prefix ? inlineCode(clip(evidence.prefix, 300)) : "";
  // In full: auditors keep it outside Cloudflare and pass it to `keywarden verify --anchor`.
  const manifest = evidence?.manifest_sha256 ? ` · manifest sha256 ${inlineCode(clip(evidence.manifest_sha256, 64))} (keep it for verify --anchor)` : "";
  const link = evidenceUrl ? slackLink(evidenceUrl, "Evidence") : null;
  if (link) return `:file_folder: ${link}${prefix ? ` · ${prefix}` : ""}${manifest}`;
  if (prefix) return `:file_folder: Evidence: ${prefix}${manifest}`;
  return "Evidence: not recorded for this run";
}
