import type { NotifyReason, OwnerMessageFinding, OwnerNotifyOptions } from "./owner-message-types.js";

const DAY_MS = 86_400_000;

/** Why a finding is sent to its owner this run, or null when it is not. */
export function whyNotify(f: OwnerMessageFinding, opts: OwnerNotifyOptions): NotifyReason | null {
  if (f.lifecycle === "new") return "new";
  if (f.lifecycle === "open" && reminderDue(f, opts)) return "reminder";
  return opts.newOnly === false ? "listed" : null;
}

function reminderDue(f: OwnerMessageFinding, opts: OwnerNotifyOptions): boolean {
  const days = opts.remindAfterDays;
  if (days === undefined || !Number.isFinite(days) || days < 0 || !f.first_seen || !opts.now) return false;
  const firstSeen = Date.parse(f.first_seen);
  const now = Date.parse(opts.now);
  return Number.isFinite(firstSeen) && Number.isFinite(now) && now - firstSeen >= days * DAY_MS;
}

/** The findings owners hear about this run (to look up only their owners). */
export function findingsDueForOwners<F extends OwnerMessageFinding>(findings: readonly F[], opts: OwnerNotifyOptions): F[] {
  return findings.filter((f) => whyNotify(f, opts) !== null);
}
