import type { ResolvedFinding, RunFinding } from "../../audit/types.js";
import type { KeyOwner, ProjectRef } from "../../inventory/types.js";
import type { Severity } from "../../policy/severity.js";
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

export function ownerLabel(owner: KeyOwner): string {
  const who = safe(owner.name ?? owner.id, 120);
  const email = owner.email ? ` (${safe(owner.email, 120)})` : "";
  const kind = owner.type === "service_account" ? "service account " : "";
  return `owner ${kind}${who}${email}`;
}

/** The full description of one finding, as listed in the thread. */
export function findingText(f: RunFinding): string {
  const isNew = f.lifecycle === "new" ? " · :new: new since the last run" : "";
  return [
    `${severityTag(f.severity)} · ${inlineCode(clip(f.rule_id, 120))}${isNew}`,
    `${keyLabel(f.key)} · ${projectLabel(f.project)} · ${ownerLabel(f.owner)}`,
    `> ${safe(f.sentence, 1000)}`,
  ].join("\n");
}

/** The shorter line under a rule heading in the main message. */
export function findingBullet(f: RunFinding): string {
  const isNew = f.lifecycle === "new" ? " :new:" : "";
  return `•${isNew} ${keyLabel(f.key)} · ${projectLabel(f.project)} · ${ownerLabel(f.owner)}\n      ${safe(f.sentence, 300)}`;
}

export function resolvedText(r: ResolvedFinding): string {
  const key = r.key_name ? `*${safe(r.key_name, 200)}* (${safe(r.key_id, 100)})` : inlineCode(clip(r.key_id, 100));
  return `:white_check_mark: ${severityTag(r.severity)} · ${inlineCode(clip(r.rule_id, 120))} · ${key} · ${projectLabel(r.project)} · last seen in ${inlineCode(clip(r.last_seen_run, 100))}`;
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
