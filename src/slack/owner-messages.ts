import { ownerKnown } from "../model/key-facts.js";
import type { KeyOwner } from "../model/inventory.js";
import { severityRank } from "../model/severity.js";
import type { OwnerResolution } from "./owner-directory.js";
import { whyNotify } from "./owner-due.js";
import { renderOwnerMessage } from "./owner-message-render.js";
import { runAccounts, showsAccounts } from "../report/accounts.js";
import {
  DEFAULT_MAX_FINDINGS_PER_OWNER,
  DEFAULT_OWNER_MESSAGES_MAX,
  type DueFinding,
  type OwnerAddress,
  type OwnerGroup,
  type OwnerMessagePlan,
  type OwnerMessageRun,
  type OwnerMessagesOptions,
  type OwnerNotifyOptions,
  type OwnerUnreachable,
} from "./owner-message-types.js";

export { findingsDueForOwners } from "./owner-due.js";
export * from "./owner-message-types.js";

/**
 * The direct messages that tell owners about their keys' findings: one message per owner
 * per run (with thread replies when the list is long), listing only that owner's findings,
 * each with its Accept-risk button. Pure: no I/O, no clock. This module decides who hears about
 * what (grouping, order, caps); owner-due.ts which findings are due, owner-message-render.ts the text.
 */

export function ownerKey(owner: OwnerAddress): string {
  return `${owner.kind}:${owner.id}`;
}

/**
 * A key owner nobody could be told about, by name, in plain text (escape it for where it goes): a
 * user's email (else name, else id), or `service account <name>`. The report thread's reply and
 * `npm run demo` name them this way.
 */
export function keyOwnerName(owner: KeyOwner): string {
  if (!ownerKnown(owner)) return "no owner known";
  return owner.type === "user" ? (owner.email ?? owner.name ?? owner.id) : `service account ${owner.name ?? owner.id}`;
}

/**
 * Groups a run's due findings by owner and renders each owner's message. Findings whose
 * owner resolved to the report channel (or are missing from `resolutions`) go to `unreachable`.
 */
export function planOwnerMessages(run: OwnerMessageRun, resolutions: ReadonlyMap<string, OwnerResolution>, opts: OwnerMessagesOptions): OwnerMessagePlan {
  const notify: OwnerNotifyOptions = { ...opts, now: opts.now ?? run.finished_at };
  const seen = new Set<string>();
  const owners = new Map<string, OwnerGroup>();
  const unreachable = new Map<string, OwnerUnreachable>();

  for (const finding of run.findings) {
    if (seen.has(finding.fingerprint)) continue;
    seen.add(finding.fingerprint);
    const why = whyNotify(finding, notify);
    if (why === null) continue;
    const resolution = resolutions.get(finding.fingerprint) ?? { kind: "report_channel", reason: "not reachable", detail: "not resolved" };
    if (resolution.kind === "report_channel") {
      const key = JSON.stringify([finding.owner.type, finding.owner.id, resolution.reason, resolution.detail]);
      const entry = unreachable.get(key) ?? { key_owner: finding.owner, reason: resolution.reason, detail: resolution.detail, findings: 0 };
      entry.findings++;
      unreachable.set(key, entry);
      continue;
    }
    const owner: OwnerAddress = { kind: resolution.kind, id: resolution.id };
    const group = owners.get(ownerKey(owner)) ?? { owner, due: [], routes: new Set<string>() };
    group.due.push({ finding, why });
    if (resolution.route !== undefined) group.routes.add(resolution.route);
    owners.set(ownerKey(owner), group);
  }

  const ordered = [...owners.values()].sort(
    (a, b) => worstRank(b.due) - worstRank(a.due) || b.due.length - a.due.length || compare(ownerKey(a.owner), ownerKey(b.owner)),
  );
  const cap = Math.max(0, Math.floor(opts.maxMessages ?? DEFAULT_OWNER_MESSAGES_MAX));
  const perOwner = Math.max(1, Math.floor(opts.maxFindingsPerOwner ?? DEFAULT_MAX_FINDINGS_PER_OWNER));
  // One message per owner, whatever account each key is of: with several accounts, each finding names its own.
  const byAccount = showsAccounts(runAccounts({ findings: run.findings }));
  return {
    run_id: run.id,
    messages: ordered.slice(0, cap).map((group) => renderOwnerMessage(group, run, { ...opts, ...notify, maxFindingsPerOwner: perOwner, byAccount })),
    notSent: ordered.slice(cap).map((group) => ({ owner: group.owner, findings: group.due.length })),
    unreachable: [...unreachable.values()].sort((a, b) => b.findings - a.findings || compare(a.key_owner.id, b.key_owner.id) || compare(a.detail, b.detail)),
  };
}

function worstRank(due: readonly DueFinding[]): number {
  return Math.max(...due.map((d) => severityRank(d.finding.severity)));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

