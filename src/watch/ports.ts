import type { Config } from "../config.js";
import type { RunFinding } from "../model/run.js";
import type { WatchFiring } from "../model/watch.js";
import type { AcceptedExemption } from "../policy/index.js";
import type { Policy } from "../policy/schema.js";
import type { WatchAccountState } from "../store/watch-log.js";
import type { RetryPolicy, Sleep } from "../util/retry.js";

/**
 * What a firing of the watch is given (the Worker's D1 and Slack, or the CLI's nothing): the
 * settings, where each account's watch stands, what the last run knows, and who is told.
 */

/** The settings a firing reads. */
export type WatchSettings = Pick<Config, "accounts" | "policy" | "enrich" | "secrets" | "subrequestsPerStep">;

/** Where each account's watch stands (store/watch-log.ts in the Worker; nothing on a laptop). */
export interface WatchStateStore {
  accountState(account: string): Promise<WatchAccountState>;
  saveCursor(account: string, cursor: { at: number; ids: string[] }): Promise<void>;
  markAuditLogUnavailable(account: string, reason: string, at: string): Promise<boolean>;
  markAuditLogAvailable(account: string): Promise<void>;
  keyList(account: string): Promise<Map<string, string> | null>;
  saveKeyList(account: string, change: { upsert: readonly [string, string][]; remove: readonly string[] }, at: string): Promise<void>;
}

/** What the run history and the decisions say: from when changes count, and what was told already. */
export interface WatchKnowledge {
  /** The start of the last complete run (ISO 8601), or null. */
  lastCompleteRunStart(): Promise<string | null>;
  /** Fingerprints open since the last run, and those an earlier firing reported since it started. */
  told(policy: string, since: string | null): Promise<Set<string>>;
  /** The risks accepted in Slack under the policy (expired ones too: evaluate reports them as open). */
  accepted(policy: string): Promise<AcceptedExemption[]>;
}

/** Who hears of a firing's findings (Slack in the Worker; nobody on a laptop). A method that fails throws. */
export interface WatchNotifier {
  /** The compact channel message(s): each finding with its Accept / Revoke actions. */
  postFindings(firingId: string, findings: readonly RunFinding[]): Promise<void>;
  /** A sentence for the channel (the audit log cannot be read). */
  postNotice(text: string): Promise<void>;
  /** The owners' messages (SLACK_NOTIFY_OWNERS); failures are the notifier's to log, never thrown. */
  tellOwners(firingId: string, policy: string, findings: readonly RunFinding[], at: string): Promise<void>;
}

/** How much one firing reads of one account at most: beyond it, the weekly audit. */
export interface WatchLimits {
  /** Audit-log pages of 100 events. */
  auditLogPages: number;
  /** Keys read and judged. */
  keys: number;
}

/** Everything one firing is given. */
export interface WatchDeps {
  settings: WatchSettings;
  policy: Policy;
  state: WatchStateStore;
  knowledge: WatchKnowledge;
  notifier: WatchNotifier | null;
  /** Records the firing and the findings it reported (D1); absent on a laptop. */
  record?: (firing: WatchFiring, reported: readonly RunFinding[]) => Promise<void>;
  /** What one firing may read of each account; default within AUDIT_SUBREQUESTS_PER_STEP (account.ts watchLimits). */
  limits?: WatchLimits;
  /** The start of the watch when an account has no state of its own (CLI `--since`); default the last complete run's start. */
  since?: Date;
  now: () => Date;
  /** How each Admin API request is made; defaults: a short timeout, the retry policy of util/retry.ts. */
  session?: { timeoutMs?: number; retry?: RetryPolicy; sleep?: Sleep; fetch?: typeof fetch };
}
