import type { AccountSettings } from "../config.js";
import type { KeyRecord } from "../model/inventory.js";
import type { WatchAccountOutcome } from "../model/watch.js";
import type { RetryPolicy, Sleep } from "../util/retry.js";
import type { WatchStateStore } from "./ports.js";

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

/** How much one firing reads of one account at most: beyond it, the weekly audit. */
export interface WatchLimits {
  /** Audit-log pages of 100 events. */
  auditLogPages: number;
  /** Keys read and judged. */
  keys: number;
}

export const DEFAULT_WATCH_LIMITS: WatchLimits = { auditLogPages: 5, keys: 100 };

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
