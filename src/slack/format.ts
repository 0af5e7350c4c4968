import { type ResolvedFinding, type RunExemption, type RunExemptionNotice, type RunExemptionOrigin, type RunFinding, exemptionSource } from "../model/run.js";
import type { KeyOwner, ProjectRef } from "../model/inventory.js";
import { enrichmentSummary } from "../enrichment/describe.js";
import { remediationFor } from "../policy/registry.js";
import type { Severity } from "../model/severity.js";
import { keyAccount, keyProvider, ownerKnown } from "../model/key-facts.js";
import { type Provider, PROVIDER_TITLE } from "../report/accounts.js";
import { CONSOLE_NAME, keyDashboardUrl } from "../report/key-links.js";
import { clip, inlineCode, safe } from "./mrkdwn.js";

/** Pieces of mrkdwn shared by the main message and the thread. All user strings are escaped and clipped. */

export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ":bangbang:",
  high: ":exclamation:",
  medium: ":warning:",
  low: ":small_blue_diamond:",
  info: ":information_source:",
};

export function severityTag(severity: Severity): string {
  return `${SEVERITY_EMOJI[severity]} *${severity.toUpperCase()}*`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function keyLabel(key: { id: string; name: string | null; redacted_value?: string }): string {
  const name = key.name ? `*${safe(key.name, 200)}*` : inlineCode(clip(key.id, 100));
  const value = key.redacted_value ? ` ${inlineCode(clip(key.redacted_value, 60))}` : "";
  const id = key.name ? ` (${safe(key.id, 100)})` : "";
  return `${name}${value}${id}`;
}

export function projectLabel(project: ProjectRef | null): string {
  if (!project) return "organization admin key";
  const name = project.name ? `*${safe(project.name, 150)}* (${safe(project.id, 100)})` : safe(project.id, 100);
  return `project ${name}${project.archived ? " (archived)" : ""}`;
}

/** Where an Anthropic key lives: its workspace, or the organization (a key bound to a principal has no workspace). */
function workspaceLabel(project: ProjectRef | null): string {
  if (!project) return "organization key";
  const name = project.name ? `*${safe(project.name, 150)}* (${safe(project.id, 100)})` : safe(project.id, 100);
  return `workspace ${name}${project.archived ? " (archived)" : ""}`;
}

/** The project of a finding's key (an Anthropic key's workspace). */
export function findingPlaceLabel(f: Pick<RunFinding, "key" | "project">): string {
  return keyProvider(f.key) === "anthropic" ? workspaceLabel(f.project) : projectLabel(f.project);
}

/** `` `openai-eu` (OpenAI) ``: the account is a configured name, shown as code all the same. */
export function accountName(account: { name: string; provider: Provider | null }): string {
  return `${inlineCode(clip(account.name, 80))}${account.provider ? ` (${PROVIDER_TITLE[account.provider]})` : ""}`;
}

/** `account \`openai-eu\` (OpenAI)`. */
export function accountLabel(account: { name: string; provider: Provider | null }): string {
  return `account ${accountName(account)}`;
}

/** How a finding is labelled where the run has several accounts: `account: true` names its account. */
export interface FindingLabelOptions {
  account?: boolean;
}

function findingAccount(f: Pick<RunFinding, "key">, opts: FindingLabelOptions): string {
  return opts.account ? `${accountLabel({ name: keyAccount(f.key), provider: keyProvider(f.key) })} · ` : "";
}

export function ownerLabel(owner: KeyOwner): string {
  if (!ownerKnown(owner)) return "no owner known";
  const who = safe(owner.name ?? owner.id, 120);
  const email = owner.email ? ` (${safe(owner.email, 120)})` : "";
  const kind = owner.type === "service_account" ? "service account " : "";
  return `owner ${kind}${who}${email}`;
}

/** Longest text of a finding in the thread: below the thread's per-item limit, so its end (the link) is never cut. */
export const FINDING_TEXT_MAX = 2800;

/** The full description of one finding, as listed in the thread: what, which key (of which account), why, and what to do. */
export function findingText(f: RunFinding, opts: FindingLabelOptions = {}): string {
  const isNew = f.lifecycle === "new" ? " · :new: new since the last run" : "";
  const head = [
    `${severityTag(f.severity)} · ${inlineCode(clip(f.rule_id, 120))}${isNew}`,
    `${findingAccount(f, opts)}${keyLabel(f.key)} · ${findingPlaceLabel(f)} · ${ownerLabel(f.owner)}`,
    `> ${safe(f.sentence, 1000)}`,
    ...enrichmentLine(f, 400),
  ].join("\n");
  return withTail(head, `\n${remediationLine(f, 500)}`, FINDING_TEXT_MAX);
}

/** The shorter line under a rule heading in the main message, at most `max` characters. */
export function findingBullet(f: RunFinding, max: number, opts: FindingLabelOptions = {}): string {
  const isNew = f.lifecycle === "new" ? " :new:" : "";
  const known = enrichmentLine(f, 200).map((line) => `\n      ${line}`).join("");
  const head = `•${isNew} ${findingAccount(f, opts)}${keyLabel(f.key)} · ${findingPlaceLabel(f)} · ${ownerLabel(f.owner)}\n      ${safe(f.sentence, 300)}${known}`;
  return withTail(head, `\n      ${remediationLine(f, 160)}`, max);
}

/** What the enrichment knows about the finding's key (creator, requests, spend), escaped, at most `max` characters; none when nothing is known. */
export function enrichmentLine(f: Pick<RunFinding, "key">, max: number): string[] {
  const summary = enrichmentSummary(f.key);
  return summary === null ? [] : [safe(summary, max)];
}

/** What to do about a finding (escaped, at most `max` characters of advice) and, when there is one, the link to its key's page in its provider's dashboard. */
export function remediationLine(f: RunFinding, max: number): string {
  const link = manageLink(f);
  return `:wrench: ${safe(remediationFor(f), max)}${link ? ` · ${link}` : ""}`;
}

/**
 * `<url|Manage in OpenAI>` (`Manage in Anthropic Console`): the key's page in its provider's dashboard,
 * its URL built only from the key's provider, kind and a well-formed project id (never from a stored
 * string); null when there is no such page.
 */
export function manageLink(f: Pick<RunFinding, "key" | "project">): string | null {
  const url = keyDashboardUrl(f);
  return url === null ? null : `<${url}|Manage in ${CONSOLE_NAME[keyProvider(f.key)]}>`;
}

/** `head` clipped so that `head + tail` fits in `max`: the tail (advice, link) is never cut. */
function withTail(head: string, tail: string, max: number): string {
  return `${clip(head, Math.max(0, max - tail.length))}${tail}`;
}

/** An exemption that suppressed a finding: whose decision it was, until when, and why. */
export function exemptionText(x: RunExemption): string {
  return `:shield: ${ruleOnKey(x)} — ${approval(x)}: ${safe(x.reason, 800)}${ticket(x)}`;
}

/** An exemption that needs attention, said in words. */
export function noticeText(n: RunExemptionNotice): string {
  return `:hourglass_flowing_sand: ${ruleOnKey(n)}: ${noticeWhat(n)} — ${safe(n.reason, 800)}${ticket(n)}`;
}

function noticeWhat(n: RunExemptionNotice): string {
  const until = `until ${safe(n.expires, 40)}`;
  if (exemptionSource(n) === "slack") {
    const acceptance = `the acceptance by ${safe(n.accepted_by?.name ?? n.accepted_by?.id ?? "someone", 120)}`;
    if (n.kind === "expired") return `${acceptance} expired on ${safe(n.expires, 40)}; the finding is open again`;
    if (n.kind === "unused") return `${acceptance} (${until}) names a key that was not seen`;
    return `${acceptance} (${until}): ${safe(n.kind, 40)}`;
  }
  const approved = n.approved_by ? `approved by ${safe(n.approved_by, 120)}` : "";
  if (n.kind === "expired") return `the policy's exemption${approved ? ` (${approved})` : ""} expired on ${safe(n.expires, 40)}`;
  const terms = `(${approved ? `${approved}, ` : ""}${until})`;
  if (n.kind === "unused") return `the policy's exemption ${terms} names a key that was not seen`;
  return `the policy's exemption ${terms}: ${safe(n.kind, 40)}`;
}

function ruleOnKey(x: { rule_id: string; key_id: string }): string {
  return `${inlineCode(clip(x.rule_id, 120))} on ${inlineCode(clip(x.key_id, 100))}`;
}

/** "accepted by Alice until 2027-01-31" or "exempted by the policy until 2027-01-31, approved by sec@example.com". */
function approval(x: RunExemption): string {
  const until = `until ${safe(x.expires, 40)}`;
  if (exemptionSource(x) === "slack") return `accepted by ${safe(x.accepted_by?.name ?? x.accepted_by?.id ?? "someone", 120)} ${until}`;
  return `exempted by the policy ${until}${x.approved_by ? `, approved by ${safe(x.approved_by, 120)}` : ""}`;
}

function ticket(x: RunExemptionOrigin): string {
  return x.ticket ? ` · ticket ${safe(x.ticket, 300)}` : "";
}

export function resolvedText(r: ResolvedFinding): string {
  const key = r.key_name ? `*${safe(r.key_name, 200)}* (${safe(r.key_id, 100)})` : inlineCode(clip(r.key_id, 100));
  const how = r.resolved_by_remediation ? ` · resolved by remediation ${inlineCode(clip(r.resolved_by_remediation.id, 60))}` : "";
  return `:white_check_mark: ${severityTag(r.severity)} · ${inlineCode(clip(r.rule_id, 120))} · ${key} · ${projectLabel(r.project)} · last seen in ${inlineCode(clip(r.last_seen_run, 100))}${how}`;
}

/** `2026-11-23T06:00:00.000Z` → `2026-11-23 06:00:00 UTC` (other text is shown escaped, as is). */
export function formatTime(iso: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return m ? `${m[1]} ${m[2]} UTC` : safe(iso, 40);
}

export function formatDuration(startIso: string, endIso: string): string | null {
  const ms = Date.parse(endIso) - Date.parse(startIso);
  if (!Number.isFinite(ms) || ms < 0) return null;
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
