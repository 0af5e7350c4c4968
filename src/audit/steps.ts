import { remediationView } from "../decide/record-view.js";
import type { EvidenceInput } from "../evidence/files.js";
import { applyLifecycle, markResolvedByRemediation } from "../model/lifecycle.js";
import type { RemediationStore } from "../store/remediations.js";
import { type PolicySource, type RunBase, checkPolicy, concludeRun, invalidPolicyRun, summarizeRun } from "./run.js";
import type { AuditRun, SlackDelivery, Trigger } from "../model/run.js";
import type { Config } from "../config.js";
import { assembleInventory, collectInventorySlice } from "../providers/openai/collect.js";
import { continueEnrichment, failedEnrichment, isTransientEnrichmentError } from "../providers/openai/enrich.js";
import { planRunEnrichment, withEnrichment } from "../enrichment/run.js";
import { type EnrichmentContext, askedSources, readEnrichmentResult } from "../store/enrichment-state.js";
import { isTransientError } from "../util/retry.js";
import { initialWorkState } from "../providers/openai/inventory-work.js";
import { buildRunEvidence, evidencePrefix, importSigningKey } from "../evidence/index.js";
import { type AcceptanceStore, toAcceptedExemption } from "../store/acceptances.js";
import type { EvidenceStore } from "../store/evidence-store.js";
import type { RunHistory } from "../store/run-history.js";
import type { WorkStore } from "../store/work-store.js";
import { sha256Hex } from "../util/hash.js";
import { redact } from "../util/redact.js";
import { KEYWARDEN_VERSION } from "../version.js";
import { log } from "../util/log.js";
import { type OwnerDeliveryRecord, deliverOwnerMessages } from "../slack/owner-delivery.js";
import { createOwnerDirectory } from "../slack/owner-directory.js";
import { type OwnerMessagePlan, findingsDueForOwners, keyOwnerName, planOwnerMessages } from "../slack/owner-messages.js";
import { safe } from "../slack/mrkdwn.js";
import { createSlackClient } from "../slack/send.js";
import { answerSlashCommand, deliverRunReport } from "../slack/notify.js";
import type { AttemptInfo, StepOutcome } from "../worker/step-retries.js";

/**
 * The bodies of the audit Workflow's steps, as plain functions of what they touch (the stores, the
 * settings, the clock, the bundled policies, which attempt this is), so that every path — a slice
 * error, a policy that changed mid-run, evidence that cannot be stored — is tested in Node. The
 * Workflow (workflow.ts) only says which step runs when, and how often it may be tried.
 */
export interface AuditParams {
  run_id: string;
  trigger: Trigger;
  policy: string;
  notify: boolean;
  started_at: string;
}

export interface AuditContext {
  params: AuditParams;
  history: RunHistory;
  /** Risks accepted from Slack: they exempt from the next run on. */
  acceptances: AcceptanceStore;
  /** Revokes requested from Slack: a finding whose key one removed is "resolved by remediation". */
  remediations: RemediationStore;
  work: WorkStore;
  /** Enrichment (ENRICH): its scratch space and sources; absent, no enrichment. */
  enrichment?: EnrichmentContext;
  evidence: EvidenceStore;
  /** The settings, read afresh in each step (a deploy may change them between steps). */
  settings: () => Config;
  now: () => Date;
  policy: (name: string) => PolicySource | undefined;
}

export interface SliceResult {
  requests: number;
  remaining: number;
  fatal: boolean;
}

export interface RecordedOutcome {
  status: string;
  summary: string;
}

export interface PolicyProblem {
  ref: AuditRun["policy"];
  details: string[];
}

const base = (params: AuditParams): RunBase => ({ id: params.run_id, trigger: params.trigger, started_at: params.started_at });

/** "check policy": the bundled policy parses and validates, or what is wrong with it. */
export function policyProblem(ctx: AuditContext): PolicyProblem | null {
  const { policy } = ctx.params;
  const source = ctx.policy(policy);
  if (!source) return { ref: { name: policy, file: `policies/${policy}.yaml`, sha256: "" }, details: [`no bundled policy named ${policy}`] };
  const checked = checkPolicy(source);
  return checked.ok ? null : { ref: checked.ref, details: checked.details };
}

/** "record invalid policy": a failed run, nothing requested. */
export async function recordInvalidPolicy(ctx: AuditContext, problem: PolicyProblem): Promise<RecordedOutcome> {
  const run = invalidPolicyRun(base(ctx.params), { ok: false, ...problem }, ctx.now());
  await ctx.history.record(run, ctx.params.policy);
  return { status: run.status, summary: summarizeRun(run) };
}

/**
 * "inventory <i>": at most AUDIT_SUBREQUESTS_PER_STEP Admin API requests, from where the previous
 * slice stopped; its part and the state after it go to R2. Failures that may pass are tried again
 * (unless this is the last attempt, which keeps them as errors: the run will say what it did not see).
 */
export async function inventorySlice(ctx: AuditContext, sliceIndex: number, { last }: AttemptInfo): Promise<StepOutcome<SliceResult>> {
  const config = ctx.settings();
  const state = sliceIndex === 0 ? initialWorkState() : await ctx.work.state(sliceIndex - 1);
  const { part, state: next } = await collectInventorySlice({ adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl }, state, config.subrequestsPerStep);
  const transient = part.errors.filter(isTransientError);
  if (transient.length > 0 && !last && !part.fatal) {
    return { retry: `${transient.length} transient failure(s), first: ${redact(transient[0]?.message ?? "", config.secrets)}` };
  }
  await ctx.work.putSlice(sliceIndex, part, next);
  return { done: { requests: part.requests, remaining: part.fatal ? 0 : next.units.length, fatal: part.fatal !== undefined } };
}

/**
 * "enrich <i>": the enrichment (ENRICH, src/enrichment) in steps of at most AUDIT_SUBREQUESTS_PER_STEP
 * Admin API requests, each step's state in R2, the first planning it from the inventory's parts. What
 * it cannot tell becomes an enrichment error of the run: it never fails the run nor makes it incomplete.
 */
export async function enrichSlice(ctx: AuditContext, sliceCount: number, index: number, { last }: AttemptInfo): Promise<StepOutcome<SliceResult>> {
  const enrichment = ctx.enrichment;
  const nothing = { done: { requests: 0, remaining: 0, fatal: false } };
  if (!enrichment) return nothing;
  const config = ctx.settings();
  const inventory = async () => assembleInventory(await ctx.work.parts(sliceCount));
  const state = index > 0 ? await enrichment.store.state(index - 1) : planRunEnrichment(await inventory(), enrichment.sources, ctx.now());
  if (!state) return nothing;
  const next = await continueEnrichment(state, { adminKey: config.openaiAdminKey, baseURL: config.openaiBaseUrl }, config.subrequestsPerStep);
  const transient = next.errors.slice(state.errors.length).filter(isTransientEnrichmentError);
  if (transient.length > 0 && !last) return { retry: `enrichment: ${redact(transient[0]?.message ?? "", config.secrets)}` };
  await enrichment.store.putState(index, next);
  if (next.units.length === 0) await enrichment.store.putResult(next);
  return { done: { requests: next.api_requests - state.api_requests, remaining: next.units.length, fatal: false } };
}

/** "record enrichment failure": the enrichment step kept failing; the run goes on, saying once that enrichment was unavailable. */
export async function recordEnrichmentFailure(ctx: AuditContext, error: unknown): Promise<null> {
  if (!ctx.enrichment) return null;
  const message = redact(`the enrichment step failed: ${error instanceof Error ? error.message : String(error)}`, safeSettings(ctx)?.secrets ?? []);
  await ctx.enrichment.store.putResult(failedEnrichment(askedSources(ctx.enrichment), ctx.now(), { kind: "step_failed", message }));
  return null;
}

/** "evaluate and record": every slice's part assembled, evaluated, compared with the open findings, stored. */
export async function evaluateAndRecord(ctx: AuditContext, sliceCount: number): Promise<RecordedOutcome> {
  const config = ctx.settings();
  const source = ctx.policy(ctx.params.policy);
  const checked = source ? checkPolicy(source) : undefined;
  if (!checked?.ok) throw new Error(`policy ${ctx.params.policy} is no longer valid`);
  const enrichment = await readEnrichmentResult(ctx.enrichment);
  const inventory = withEnrichment(assembleInventory(await ctx.work.parts(sliceCount)), enrichment);
  const now = ctx.now();
  // Expired acceptances go in too: the run reports them as expired and the finding as open again.
  const accepted = (await ctx.acceptances.forPolicy(ctx.params.policy)).map(toAcceptedExemption);
  const concluded = concludeRun({ base: base(ctx.params), policy: checked, inventory, evaluatedAt: now, finishedAt: now, secrets: config.secrets, accepted, enrichment });
  const withLifecycle = applyLifecycle(concluded, await ctx.history.openFindings(ctx.params.policy));
  const resolved = withLifecycle.lifecycle?.resolved_findings ?? [];
  const run = markResolvedByRemediation(withLifecycle, await ctx.remediations.resolvedBy(resolved));
  await ctx.history.record(run, ctx.params.policy);
  return { status: run.status, summary: summarizeRun(run) };
}

/** "record failure": every attempt of a step was spent; the run ends failed (the lock stays for the evidence step). */
export async function recordFailure(ctx: AuditContext, error: unknown): Promise<RecordedOutcome> {
  const config = safeSettings(ctx);
  const reason = `the run stopped: ${error instanceof Error ? error.message : "unknown error"}`;
  await ctx.history.abandon(ctx.params.run_id, redact(reason, config?.secrets ?? []), { keepLock: true });
  return { status: "failed", summary: `keywarden ${ctx.params.run_id} failed: ${error instanceof Error ? error.name : "error"}` };
}

/**
 * "store evidence": the run's evidence in R2 before anyone is told about the run, chained to the last
 * stored manifest. What keeps failing is recorded on the run at the last attempt (and so shown in
 * Slack), never skipped silently.
 */
export async function storeEvidence(ctx: AuditContext, slices: number, { last }: AttemptInfo): Promise<StepOutcome<{ stored: boolean }>> {
  const { run_id: runId, policy } = ctx.params;
  const config = ctx.settings();
  const run = (await ctx.history.get(runId)) as AuditRun | null;
  if (!run || (run.status as string) === "running") throw new Error(`run ${runId} is not recorded`);
  const prefix = evidencePrefix(run);
  try {
    const signing = config.evidenceSigningKey ? await importSigningKey(config.evidenceSigningKey) : null;
    if (signing && !signing.ok) throw new Error(`EVIDENCE_SIGNING_KEY is not usable: ${signing.message}`);
    const parts = slices > 0 ? await ctx.work.parts(slices) : [];
    const inventory = parts.length > 0 ? withEnrichment(assembleInventory(parts), await readEnrichmentResult(ctx.enrichment)) : null;
    const policyText = ctx.policy(policy)?.text ?? "";
    if (run.policy.sha256 && sha256Hex(policyText) !== run.policy.sha256) {
      throw new Error(`policy ${policy} changed since the run was evaluated (a deploy during the run); its exact text is not available`);
    }
    const evidence = await buildRunEvidence({
      run,
      inventory: inventory && !inventory.fatal ? { keys: inventory.keys, projects: inventory.projects } : null,
      policyText,
      secrets: config.secrets,
      previousManifestSha256: await ctx.history.previousManifest(runId, run.started_at),
      remediations: await remediationsSincePreviousRun(ctx, runId, run.started_at),
      acceptances: await acceptancesSincePreviousRun(ctx, runId, run.started_at),
      version: KEYWARDEN_VERSION,
      signingKey: signing?.ok ? signing.key : null,
    });
    await ctx.evidence.write(evidence);
    await ctx.history.recordEvidence(runId, { stored: true, prefix: evidence.prefix, manifest_sha256: evidence.manifestSha256 });
    return { done: { stored: true } };
  } catch (error) {
    const message = redact(error instanceof Error ? error.message : String(error), config.secrets);
    if (!last) return { retry: `evidence not stored: ${message}` };
    // Files an attempt wrote but could not record must not stay: a bucket copy would show a second
    // manifest linking to the same predecessor (a forked chain). Best effort: a bucket lock may refuse.
    await ctx.evidence.remove(prefix).catch(() => undefined);
    await ctx.history.recordEvidence(runId, { stored: false, prefix, error: message });
    log.error(`keywarden ${runId}: evidence NOT stored: ${message}`);
    return { done: { stored: false } };
  }
}

/** The revokes decided between the start of the previous run with evidence and this run's, as the evidence records them. */
async function remediationsSincePreviousRun(ctx: AuditContext, runId: string, startedAt: string): Promise<NonNullable<EvidenceInput["remediations"]>> {
  // Requests left pending expire, and ones left executing are finished as unconfirmed: recorded now,
  // so that no window misses a decision.
  await ctx.remediations.settleDue(ctx.now());
  const window = { after: await ctx.history.previousEvidenceStart(runId, startedAt), until: startedAt };
  const rows = await ctx.remediations.decidedBetween(window.after, window.until);
  const approvals = await ctx.remediations.approvalsOf(rows.map((r) => r.id));
  return { window, items: rows.map((row) => remediationView(row, approvals.get(row.id) ?? [])) };
}

/** The decisions on accepted risks in the same window as the remediations: each is in exactly one run's evidence. */
async function acceptancesSincePreviousRun(ctx: AuditContext, runId: string, startedAt: string): Promise<NonNullable<EvidenceInput["acceptances"]>> {
  const window = { after: await ctx.history.previousEvidenceStart(runId, startedAt), until: startedAt };
  return { window, events: await ctx.acceptances.eventsBetween(window.after, window.until) };
}

/** "record evidence failure": the evidence step itself kept failing (D1 unreachable?); say so on the run if possible. */
export async function recordEvidenceFailure(ctx: AuditContext, error: unknown): Promise<null> {
  const message = redact(error instanceof Error ? error.message : String(error), safeSettings(ctx)?.secrets ?? []);
  log.error(`keywarden ${ctx.params.run_id}: evidence step failed: ${message}`);
  try {
    await ctx.history.recordEvidence(ctx.params.run_id, { stored: false, prefix: "", error: message });
  } catch {
    // Nothing more can be recorded; the log line above stays.
  }
  return null;
}

/** "release and clean up": the next run may start (its evidence will chain to this one's); the scratch space goes. */
export async function releaseAndCleanUp(ctx: AuditContext): Promise<null> {
  await ctx.history.release(ctx.params.run_id);
  await ctx.work.clear();
  return null;
}

/**
 * "report to slack": the channel report, continuing a delivery that failed part-way. The delivery is
 * recorded at once (an isolate lost after posting must find it on replay), and is also this step's
 * durable result, carried to the next attempt and stored again by "record delivery": D1 refusing the
 * record never makes a retry post the report a second time.
 */
export async function reportToSlack(ctx: AuditContext, { attempt, last, carried }: AttemptInfo): Promise<StepOutcome<{ status: string; delivery?: SlackDelivery }>> {
  const { run_id: runId } = ctx.params;
  const config = ctx.settings();
  if (!config.slack) return { done: { status: "not configured" } };
  const run = await ctx.history.get(runId);
  if (!run || run.status === "running") throw new Error(`run ${runId} is not recorded`);
  const previous = (carried as SlackDelivery | undefined) ?? run.delivery;
  if (previous?.status === "delivered") return { done: { status: "delivered" } };
  const delivery = await deliverRunReport(run as AuditRun, { ...config, revokeMenu: config.remediation.mode !== "off" }, attempt, previous);
  await ctx.history.recordDelivery(runId, delivery).catch((error: unknown) => {
    log.error(`keywarden ${runId}: the Slack delivery could not be recorded yet: ${redact(error instanceof Error ? error.message : String(error), config.secrets)}`);
  });
  if (delivery.status === "failed" && !last) return { retry: `Slack delivery failed at ${delivery.stage}: ${delivery.error}`, carry: delivery };
  if (delivery.status === "failed") log.error(`keywarden ${runId}: Slack delivery failed for good at ${delivery.stage}: ${delivery.error}`);
  return { done: { status: delivery.status, delivery } };
}

/** "record delivery": the outcome of the Slack report on the run (GET /runs/:id, the report's own retries). */
export async function recordDelivery(ctx: AuditContext, delivery: SlackDelivery): Promise<null> {
  await ctx.history.recordDelivery(ctx.params.run_id, delivery);
  return null;
}

export interface OwnerMessagesOutcome {
  status: "off" | "sent";
  delivered: number;
  failed: number;
  records: OwnerDeliveryRecord[];
  not_sent: OwnerMessagePlan["notSent"];
  unreachable: OwnerMessagePlan["unreachable"];
}

/**
 * "tell owners" (SLACK_NOTIFY_OWNERS): after the channel report, one message per owner with only
 * their new findings (and, with the policy's remind_after_days, open ones due again). Owners are found
 * by email or the policy's `owners` routes; at most SLACK_OWNER_MESSAGES_MAX messages. What happened
 * to each owner is recorded on the run and carried to a retry, which never re-sends a delivered one.
 */
export async function tellOwners(ctx: AuditContext, { last, carried }: AttemptInfo): Promise<StepOutcome<OwnerMessagesOutcome>> {
  const off: OwnerMessagesOutcome = { status: "off", delivered: 0, failed: 0, records: [], not_sent: [], unreachable: [] };
  const config = ctx.settings();
  if (!config.notifyOwners || !config.slack) return { done: off };
  const { run_id: runId } = ctx.params;
  const run = (await ctx.history.get(runId)) as AuditRun | null;
  if (!run || (run.status as string) === "running") throw new Error(`run ${runId} is not recorded`);
  const source = ctx.policy(ctx.params.policy);
  const checked = source ? checkPolicy(source) : undefined;
  const policy = checked?.ok ? checked.policy : undefined;
  const remindAfterDays = policy?.remind_after_days;
  const now = run.finished_at;
  const firstSeen = remindAfterDays === undefined ? new Map<string, string>() : await ctx.history.firstSeen(ctx.params.policy);
  const findings = run.findings.map((f) => ({ ...f, first_seen: firstSeen.get(f.fingerprint) ?? null }));
  const due = findingsDueForOwners(findings, { newOnly: true, remindAfterDays, now });
  if (due.length === 0) return { done: { ...off, status: "sent" } };
  const client = createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets });
  const resolutions = await createOwnerDirectory(client, { routes: policy?.owners ?? [], secrets: config.secrets }).resolveAll(due);
  const plan = planOwnerMessages({ ...run, findings: due }, resolutions, {
    reportChannel: config.slack.channel,
    remindAfterDays,
    now,
    maxMessages: config.ownerMessagesMax,
  });
  const previous = (carried as OwnerDeliveryRecord[] | undefined) ?? (run as { owner_messages?: OwnerMessagesOutcome }).owner_messages?.records;
  const result = await deliverOwnerMessages(client, plan, { previous: previous ?? [], secrets: config.secrets });
  const outcome: OwnerMessagesOutcome = { status: "sent", delivered: result.delivered, failed: result.failed, records: result.records, not_sent: plan.notSent, unreachable: plan.unreachable };
  await ctx.history.recordOwnerMessages(runId, outcome).catch((error: unknown) => {
    log.error(`keywarden ${runId}: the owner messages could not be recorded yet: ${redact(error instanceof Error ? error.message : String(error), config.secrets)}`);
  });
  if (result.failed > 0 && !last) return { retry: `${result.failed} owner message(s) not delivered`, carry: result.records };
  if (result.failed > 0) log.error(`keywarden ${runId}: ${result.failed} owner message(s) not delivered for good`);
  return { done: outcome };
}

/**
 * "list owners in the report": a reply in the channel report's thread naming the owners who were not
 * messaged (beyond the cap, or unknown to Slack), so no finding's owner is left unmentioned.
 */
export async function listOwnersInReport(ctx: AuditContext, outcome: OwnerMessagesOutcome): Promise<{ posted: boolean }> {
  const config = ctx.settings();
  if (!config.slack || outcome.status !== "sent") return { posted: false };
  const run = await ctx.history.get(ctx.params.run_id);
  const delivery = run?.delivery;
  if (delivery?.status !== "delivered" || !delivery.ts || !delivery.channel) return { posted: false };
  const text = ownerSummaryText(outcome, config.ownerMessagesMax);
  const client = createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets });
  await client.chat.postMessage({ channel: delivery.channel, thread_ts: delivery.ts, text, unfurl_links: false, unfurl_media: false });
  return { posted: true };
}

/** Owner messages in one reply: how many went out, and each owner not messaged, by name. */
export function ownerSummaryText(outcome: OwnerMessagesOutcome, cap: number): string {
  const lines = [`*Owner messages:* ${outcome.delivered} delivered${outcome.failed > 0 ? `, ${outcome.failed} failed` : ""}.`];
  if (outcome.not_sent.length > 0) {
    lines.push(`Not messaged (more than SLACK_OWNER_MESSAGES_MAX = ${cap} owners this run):`);
    for (const o of outcome.not_sent.slice(0, 50)) lines.push(`• ${o.owner.kind === "user" ? `<@${o.owner.id}>` : `<#${o.owner.id}>`}: ${o.findings} finding(s)`);
  }
  if (outcome.unreachable.length > 0) {
    lines.push("Not reachable in Slack (their findings are only in this report):");
    for (const u of outcome.unreachable.slice(0, 50)) {
      lines.push(`• ${safe(keyOwnerName(u.key_owner), 200)}: ${u.findings} finding(s) (${u.reason})`);
    }
  }
  return lines.join("\n").slice(0, 3900);
}

/** "answer slash command": one answer on the response_url of the command that asked for the run, if any. */
export async function answerCommand(ctx: AuditContext): Promise<{ answered: boolean }> {
  const { run_id: runId } = ctx.params;
  const responseUrl = await ctx.history.responseUrl(runId);
  if (!responseUrl) return { answered: false };
  const run = await ctx.history.get(runId);
  const answer = await answerSlashCommand(run as AuditRun, responseUrl, ctx.settings());
  // A response_url expires after 30 minutes: an answer that fails is logged, not retried forever.
  if (!answer.ok) log.error(`keywarden ${runId}: could not answer the slash command: ${answer.error}`);
  return { answered: answer.ok };
}

function safeSettings(ctx: AuditContext): Config | undefined {
  try {
    return ctx.settings();
  } catch {
    return undefined;
  }
}
