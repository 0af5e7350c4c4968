import type { AccountSettings } from "../config.js";
import type { KeyRecord } from "../model/inventory.js";
import type { WatchAccountOutcome } from "../model/watch.js";
import type { RetryPolicy, Sleep } from "../util/retry.js";
import type { WatchLimits, WatchStateStore } from "./ports.js";

/** What watching one account is given, whichever its provider. */
export interface AccountContext {
  account: AccountSettings;
  store: WatchStateStore;
  /**
   * From when changes count for an account that has no state of its own yet: the start of the last
   * complete run (the Worker: it saw everything before), or `--since` (the CLI). Null: nothing to
   * compare with, so the watch only remembers where it starts.
   */
  baseline: Date | null;
  now: Date;
  /** ENRICH asks for the creator (audit_log): set it on the keys from their `api_key.created` events. */
  withCreator: boolean;
  limits: WatchLimits;
  session: { timeoutMs: number; retry: RetryPolicy; sleep: Sleep; fetch?: typeof fetch };
}

/** Requests kept for Slack (the message, a notice, an owner or two) out of an invocation's subrequests. */
const SLACK_RESERVE = 5;

/**
 * What one firing may read of each account, so that the whole hourly invocation stays within
 * AUDIT_SUBREQUESTS_PER_STEP (45 by default: Workers Free allows 50 subrequests per invocation),
 * shared by the accounts: at most 5 audit-log pages, and as many keys as two requests each allow
 * (a key, and an admin key's owner). 45 and one account: 5 pages, 17 keys.
 */
export function watchLimits(subrequests: number, accounts: number): WatchLimits {
  const perAccount = Math.max(4, Math.floor((subrequests - SLACK_RESERVE) / Math.max(1, accounts)));
  const auditLogPages = Math.min(5, Math.max(1, Math.floor(perAccount / 4)));
  return { auditLogPages, keys: Math.max(1, Math.floor((perAccount - auditLogPages) / 2)) };
}

/** One account, watched: what it came to, the keys to judge, and what to store once the findings are told. */
export interface AccountWatch {
  outcome: Omit<WatchAccountOutcome, "findings" | "already_reported">;
  keys: KeyRecord[];
  /** Stores where the watch now stands; absent when it must start from the same place next time. */
  commit?: () => Promise<void>;
  /** A sentence for the report channel, said once (the audit log became unreadable). */
  notice?: string;
}

/** An outcome with nothing read yet. */
export function blankOutcome(ctx: AccountContext, method: WatchAccountOutcome["method"]): AccountWatch["outcome"] {
  return { account: ctx.account.name, provider: ctx.account.provider, method, status: "watched", requests: 0, changes_read: 0, keys_seen: 0, note: null };
}

/** The account and provider on each record, as the run's listing of the account sets them (they are part of a finding's fingerprint). */
export function ofAccount(key: KeyRecord, account: AccountSettings): KeyRecord {
  return { ...key, provider: account.provider, account: account.name };
}
