/**
 * What the decisions are given rather than build: the stores they read and record in, the
 * provider's actions, the notifier that shows forms and messages (Slack), the policies, the clock.
 * The edges wire them (src/services.ts); a test wires them in memory.
 */
import type { Config } from "../config.js";
import type { Acceptance, AcceptancePrompt, NewAcceptance } from "../model/acceptance.js";
import type {
  AffectedKey,
  ApiAnswer,
  Listed,
  ListedKey,
  ListingAfter,
  NewRemediation,
  RemediationAction,
  RemediationApproval,
  RemediationFinish,
  RemediationRow,
} from "../model/remediation.js";
import type { AuditRun, RunFinding } from "../model/run.js";
import type { Policy } from "../policy/schema.js";

/** Who clicked or submitted, as Slack names them. */
export interface SlackUser {
  id: string;
  name: string;
}

/**
 * Which finding a button or menu is about: the run whose report it is in, and the finding's
 * fingerprint. The run decides which policy governs (approvers, max_acceptance_days, remediation:).
 */
export interface FindingRef {
  runId: string;
  fingerprint: string;
}

/** What the clicking user is told (ephemeral), if anything. */
export type Answer = { ok: true; message?: string } | { ok: false; message: string };

export interface Clock {
  now(): Date;
}

/** The run history, read: the finding a click names as its run recorded it, and the run itself. */
export interface RunReader {
  findingOfRun(runId: string, fingerprint: string): Promise<{ finding: RunFinding; policy_name: string } | null>;
  /** The run as recorded once it ended; null while it runs or when there is none. */
  recordedRun(runId: string): Promise<AuditRun | null>;
}

/** Remediation requests, their approvals and decisions (store/remediations.ts). */
export interface RemediationRequests {
  get(id: string): Promise<RemediationRow | null>;
  openFor(fingerprint: string): Promise<RemediationRow | null>;
  create(request: NewRemediation): Promise<{ ok: true } | { ok: false; open: RemediationRow }>;
  setMessage(id: string, channel: string, ts: string): Promise<void>;
  approvals(id: string): Promise<RemediationApproval[]>;
  approve(id: string, approval: Omit<RemediationApproval, "request_id">): Promise<boolean>;
  executedOn(day: string, mode: "dry-run" | "on"): Promise<number>;
  claim(id: string, mode: "dry-run" | "on", day: string, at: string, maxPerDay: number): Promise<"claimed" | "taken" | "cap" | "stale">;
  finish(id: string, outcome: RemediationFinish): Promise<boolean>;
  decide(id: string, status: "rejected" | "expired" | "refused", by: string | null, at: string, detail: string): Promise<boolean>;
  settleDue(now: Date): Promise<string[]>;
  /** The latest request that undoes request `id` (a Re-enable of a Disable), other than `except`; null when there is none. */
  undoOf(id: string, except?: string): Promise<RemediationRow | null>;
}

/** Accepted risks and the forms they were accepted from (store/acceptances.ts). */
export interface AcceptanceRecords {
  add(acceptance: NewAcceptance): Promise<void>;
  forPolicy(policyName: string): Promise<Acceptance[]>;
  savePrompt(prompt: AcceptancePrompt): Promise<void>;
  prompt(viewId: string): Promise<AcceptancePrompt | null>;
}

/**
 * The provider's side of a remediation (providers/openai/actions.ts, providers/anthropic/key-actions.ts;
 * ./provider-keys.ts picks one by the finding's provider).
 */
export interface KeyActions {
  /** The keys a finding's actions are planned and checked against, listed fresh; `timeoutMs` bounds each request. */
  freshKeysFor(finding: Pick<RunFinding, "key" | "project" | "owner">, options?: { timeoutMs?: number }): Promise<Listed<ListedKey[]>>;
  /** Makes the action's request, exactly as planned, once. */
  call(action: RemediationAction): Promise<ApiAnswer>;
  /** The listing that confirms (or not) what the call did. */
  listingAfter(action: RemediationAction): Promise<ListingAfter>;
}

/** The policies a finding may have been judged under, by bundled name; undefined when it is no longer bundled or valid. */
export type PolicyCatalogue = (name: string) => Policy | undefined;

/**
 * The key's owner as Slack knows them, for the "not your own critical key" rule. `none`: no person
 * owns the key (a service account's). `unknown`: a person owns it but Slack could not say who they are
 * (`why` says what went wrong and who can fix it).
 */
export type OwnerInSlack = { kind: "none" } | { kind: "found"; id: string } | { kind: "unknown"; cause: "no-email" | "not-in-slack" | "lookup-failed"; why: string };

/** The Revoke form: the finding, every action that fits it with every key that goes, and what the submission must carry back. */
export interface RevokeForm {
  finding: RunFinding;
  actions: readonly RemediationAction[];
  mode: "dry-run" | "on";
  /** Keys of the plan used in the last 24 hours: the form then requires "I know it is in use". */
  inUse: readonly AffectedKey[];
  approvalsNeeded: number;
  /** Carried to the submission: what the form showed (checked again there). */
  privateMetadata: string;
  now: Date;
}

/** The Re-enable form: the carried-out Disable it undoes, the planned Re-enable, and what the submission must carry back. */
export interface ReenableForm {
  finding: RunFinding;
  action: RemediationAction;
  mode: "dry-run" | "on";
  approvalsNeeded: number;
  privateMetadata: string;
  now: Date;
}

/**
 * What a carried-out Disable's message says of Re-enable: until when it is offered, whether it is
 * offered now (the button), and the latest Re-enable requested from it.
 */
export interface ReenableState {
  until: string;
  offered: boolean;
  request: { id: string; status: string } | null;
}

/** A remediation request as its message in the report channel shows it. */
export interface RequestState {
  id: string;
  mode: "dry-run" | "on";
  action: RemediationAction;
  finding: Pick<RunFinding, "rule_id" | "severity">;
  reason: string;
  requested_by: string;
  requested_at: string;
  approvals: readonly { approver: string }[];
  approvalsNeeded: number;
  status: string;
  /** The outcome sentence once decided. */
  outcome: string | null;
  decided_by: string | null;
  now: Date;
  /** A carried-out Disable only: its Re-enable, offered for 7 days. */
  reenable?: ReenableState;
}

/** The Accept-risk form for one finding of one run. */
export interface AcceptForm {
  finding: RunFinding;
  runId: string;
  maxDays: number;
  now: Date;
}

/** An acceptance just made, to be shown where its button was. */
export interface AcceptanceShown {
  prompt: AcceptancePrompt;
  /** The run whose report the button was in, as recorded; null when it cannot be read. */
  run: AuditRun | null;
  finding: RunFinding;
  acceptance: NewAcceptance;
  /** Every acceptance of the policy in force now, to show on the report's findings. */
  inForce: readonly Acceptance[];
}

/** Slack, as the decisions use it (slack/decision-notifier.ts). A method that fails throws. */
export interface Notifier {
  /** Who owns the finding's key in Slack, looked up now. */
  ownerInSlack(finding: RunFinding): Promise<OwnerInSlack>;
  openRevokeForm(triggerId: string, form: RevokeForm): Promise<void>;
  openReenableForm(triggerId: string, form: ReenableForm): Promise<void>;
  /** Posts a new request to the report channel; where it was posted. */
  postRequest(request: RequestState): Promise<{ channel: string; ts: string } | null>;
  updateRequest(message: { channel: string; ts: string }, request: RequestState): Promise<void>;
  /** Tells a key's owner their key was revoked (deleted, disabled) or re-enabled. */
  tellOwnerRevoked(ownerId: string, request: RequestState): Promise<void>;
  /** Opens the Accept-risk form; the id of the view Slack opened. */
  openAcceptForm(triggerId: string, form: AcceptForm): Promise<string | undefined>;
  /** Shows an acceptance on the message its button was on, rebuilt from stored state only. */
  showAcceptance(shown: AcceptanceShown): Promise<void>;
}

/** The settings the decisions read; `accounts` name each account's admin key, never to be deleted or disabled. */
export type DecideSettings = Pick<Config, "remediation" | "slackAllowedUsers" | "openaiAdminKey" | "secrets" | "accounts">;

/** Everything a decision is given. `notifier` is null while Slack is off (SLACK_BOT_TOKEN). */
export interface DecideDeps {
  settings: DecideSettings;
  runs: RunReader;
  remediations: RemediationRequests;
  acceptances: AcceptanceRecords;
  keys: KeyActions;
  notifier: Notifier | null;
  policies: PolicyCatalogue;
  clock: Clock;
}
