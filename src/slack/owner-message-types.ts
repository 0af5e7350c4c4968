import type { AuditRun, RunFinding } from "../model/run.js";
import type { KeyOwner } from "../model/inventory.js";
import type { SlackBlock } from "./blocks.js";

/** The shapes of owner messages: what planning takes and gives, and what delivery sends. */

/** Where an owner message goes: a Slack user (a DM) or a channel named by an owners route. */
export type OwnerAddress = { kind: "user"; id: string } | { kind: "channel"; id: string };

/**
 * A run's finding, optionally with when it was first seen (ISO 8601 date or time, e.g. from
 * the finding history). Without `first_seen` an open finding is never due for a reminder.
 */
export type OwnerMessageFinding = RunFinding & { first_seen?: string | null };

export interface OwnerNotifyOptions {
  /** Default true: only findings whose `lifecycle` is "new" (open ones were sent before). false: every finding. */
  newOnly?: boolean;
  /** Also send an open finding again once it was first seen at least this many days before `now`. */
  remindAfterDays?: number;
  /** ISO 8601; default (planOwnerMessages) the run's `finished_at`. Needed for reminders. */
  now?: string;
}

export interface OwnerMessagesOptions extends OwnerNotifyOptions {
  /** The report channel's id, which every message points to. */
  reportChannel: string;
  /** SLACK_OWNER_MESSAGES_MAX: owners messaged per run; the rest are in `notSent`. Default 50. */
  maxMessages?: number;
  /** Findings listed per owner; beyond it the message says how many more are in the report channel. Default 100. */
  maxFindingsPerOwner?: number;
}

export const DEFAULT_OWNER_MESSAGES_MAX = 50;
export const DEFAULT_MAX_FINDINGS_PER_OWNER = 100;
/** Findings per Slack message: about a screen of reading, far below 50 blocks. */
export const OWNER_FINDINGS_PER_MESSAGE = 20;

/** A message without its channel: a user's D… channel is known only once the conversation is opened. */
export interface OwnerSlackMessage {
  text: string;
  blocks: SlackBlock[];
}

export interface OwnerMessage {
  owner: OwnerAddress;
  /** Fingerprints of the findings listed, in order. */
  findings: string[];
  /** `messages[0]` is the message; the others are replies in its thread. */
  messages: OwnerSlackMessage[];
  /** This owner's due findings left out (beyond maxFindingsPerOwner); the message says so. */
  not_listed: number;
}

/** An owner who had findings to hear about but is beyond `maxMessages`. */
export interface OwnerNotSent {
  owner: OwnerAddress;
  findings: number;
}

/** Key owners nobody could be told about (their findings are in the report channel only). */
export interface OwnerUnreachable {
  key_owner: KeyOwner;
  reason: "not reachable" | "no owner";
  detail: string;
  findings: number;
}

export interface OwnerMessagePlan {
  run_id: string;
  /** Worst first (severity, then number of findings, then owner id). */
  messages: OwnerMessage[];
  notSent: OwnerNotSent[];
  unreachable: OwnerUnreachable[];
}

export type OwnerMessageRun = Pick<AuditRun, "id" | "finished_at"> & { policy: { name: string }; findings: readonly OwnerMessageFinding[] };

/** Why a finding is sent to its owner this run: new, open past the reminder age, or listed because every finding is. */
export type NotifyReason = "new" | "reminder" | "listed";

export interface DueFinding {
  finding: OwnerMessageFinding;
  why: NotifyReason;
}

/** One owner's due findings, and the owners-list routes that sent them there. */
export interface OwnerGroup {
  owner: OwnerAddress;
  due: DueFinding[];
  routes: Set<string>;
}
