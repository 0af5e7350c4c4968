import { remediationView } from "../decide/record-view.js";
import { MANIFEST_FILE, type RunEvidence, SIGNATURE_FILE, buildRunEvidence, evidencePrefix, importSigningKey } from "../evidence/index.js";
import type { EvidenceInput } from "../evidence/files.js";
import { sha256Hex } from "../util/hash.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import { KEYWARDEN_VERSION } from "../version.js";
import { type AuditContext, errorMessage, safeSettings } from "./context.js";
import { loadEnrichedInventory, loadRun } from "./load-run.js";
import type { AttemptInfo, StepOutcome } from "./step-outcome.js";

/**
 * "store evidence": the run's evidence in R2 before anyone is told about the run, chained to the last
 * stored manifest. What keeps failing is recorded on the run at the last attempt (and so shown in
 * Slack), never skipped silently.
 */
export async function storeEvidence(ctx: AuditContext, slices: number, { last }: AttemptInfo): Promise<StepOutcome<{ stored: boolean }>> {
  const { run_id: runId, policy } = ctx.params;
  const config = ctx.settings();
  const run = await loadRun(ctx);
  const prefix = evidencePrefix(run);
  try {
    const signing = config.evidenceSigningKey ? await importSigningKey(config.evidenceSigningKey) : null;
    if (signing && !signing.ok) throw new Error(`EVIDENCE_SIGNING_KEY is not usable: ${signing.message}`);
    const inventory = slices > 0 ? (await loadEnrichedInventory(ctx, slices)).inventory : null;
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
      watches: await watchFiringsSincePreviousRun(ctx, runId, run.started_at),
      version: KEYWARDEN_VERSION,
      signingKey: signing?.ok ? signing.key : null,
    });
    await ctx.evidence.write(evidence.prefix, manifestLast(evidence));
    await ctx.history.recordEvidence(runId, { stored: true, prefix: evidence.prefix, manifest_sha256: evidence.manifestSha256 });
    return { done: { stored: true } };
  } catch (error) {
    const message = redact(errorMessage(error), config.secrets);
    if (!last) return { retry: `evidence not stored: ${message}` };
    // Files an attempt wrote but could not record must not stay: a bucket copy would show a second
    // manifest linking to the same predecessor (a forked chain). Best effort: a bucket lock may refuse.
    await ctx.evidence.remove(prefix).catch(() => undefined);
    await ctx.history.recordEvidence(runId, { stored: false, prefix, error: message });
    log.error(`keywarden ${runId}: evidence NOT stored: ${message}`);
    return { done: { stored: false } };
  }
}

/** The data files, then the manifest and its signature: a manifest never names a file not yet stored. */
function manifestLast(evidence: RunEvidence): RunEvidence["files"][] {
  const isManifest = (name: string) => name === MANIFEST_FILE || name === SIGNATURE_FILE;
  return [evidence.files.filter((f) => !isManifest(f.name)), evidence.files.filter((f) => isManifest(f.name))];
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

/** The watch's firings in the same window as the remediations (issue 20): each firing is in exactly one run's evidence. */
async function watchFiringsSincePreviousRun(ctx: AuditContext, runId: string, startedAt: string): Promise<EvidenceInput["watches"]> {
  if (!ctx.watches) return undefined;
  const window = { after: await ctx.history.previousEvidenceStart(runId, startedAt), until: startedAt };
  return { window, firings: await ctx.watches.between(window.after, window.until) };
}

/** "record evidence failure": the evidence step itself kept failing (D1 unreachable?); say so on the run if possible. */
export async function recordEvidenceFailure(ctx: AuditContext, error: unknown): Promise<null> {
  const message = redact(errorMessage(error), safeSettings(ctx)?.secrets ?? []);
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
