import type { AccountSettings } from "../config-accounts.js";
import { assessControls } from "../controls/assessment.js";
import type { InventoryOptions, InventoryResult } from "../providers/openai/collect.js";
import { describeScope } from "../model/inventory.js";
import type { KeyRecord } from "../model/inventory.js";
import { type AcceptedExemption, type ExemptionOrigin, type Finding, evaluate } from "../policy/index.js";
import { type CheckedPolicy, type PolicySource, checkPolicy } from "../policy/check.js";
import { anthropicDashboardUrl } from "../providers/anthropic/links.js";
import type { ClientOptions } from "../providers/index.js";
import { dashboardUrl } from "../providers/openai/links.js";
import { runEnrichmentFields } from "../enrichment/run.js";
import { type RunInventory, assembleRun, startRunWork } from "./accounts.js";
import { applyAccountsEnrichment, failedRunEnrichment, mergedEnrichment } from "./enrich.js";
import { startRunEnrichment } from "./enrich-plan.js";
import { collectSlice } from "./run-slice.js";
import { undecidedErrors } from "./undecided.js";
import type { EnrichSource, EnrichmentState } from "../model/enrichment.js";
import { redact } from "../util/redact.js";
import { newRunId } from "../model/run-id.js";
import { type AuditRun, type RunExemptionOrigin, type RunFinding, SEVERITIES, type Trigger, countBySeverity, failedRun } from "../model/run.js";

// Stage 0 (the policy checked before any API call) is the policy's own: callers of the run find it here too.
export { type CheckedPolicy, type PolicySource, checkPolicy };

export interface RunAuditInput {
  /**
   * How the clients connect (timeouts, retries, fetch, progress); without `accounts`, also the one
   * OpenAI organization audited (its admin key and API root), as before accounts existed.
   */
  config: InventoryOptions | ClientOptions;
  /** Every account to audit (issue 19): all of them in one run. */
  accounts?: readonly AccountSettings[];
  policy: PolicySource;
  trigger: Trigger;
  /** The clock, injected so runs are reproducible. */
  now?: () => Date;
  id?: string;
  /** Risks accepted in Slack for this policy (see `concludeRun`). */
  accepted?: readonly AcceptedExemption[];
  /** Enrichment sources (ENRICH, src/enrichment/settings.ts); absent or empty: none, not one enrichment request. */
  enrich?: readonly EnrichSource[];
}

export interface RunBase {
  id: string;
  trigger: Trigger;
  started_at: string;
}

export function invalidPolicyRun(base: RunBase, checked: Extract<CheckedPolicy, { ok: false }>, finishedAt: Date): AuditRun {
  return failedRun({ ...base, policy: checked.ref, finished_at: finishedAt.toISOString(), reason: `policy ${checked.ref.file} is invalid`, details: checked.details });
}

/**
 * Stages 2 and 3 as one pure step: evaluate what the inventory saw and say
 * honestly how much that was. `complete` only when every list call reached its
 * last page and every item could be read.
 */
export function concludeRun(input: {
  base: RunBase;
  policy: Extract<CheckedPolicy, { ok: true }>;
  inventory: InventoryResult;
  evaluatedAt: Date;
  finishedAt: Date;
  secrets: readonly string[];
  /** Risks accepted in Slack for this policy (expired ones too: see `evaluate`). */
  accepted?: readonly AcceptedExemption[];
  /** What the enrichment read (its fields already on `inventory.keys`): its failures go to `enrichment_errors`, never to `errors`. */
  enrichment?: EnrichmentState | null;
}): AuditRun {
  const { base, inventory } = input;
  if (inventory.fatal) {
    return failedRun({
      ...base,
      policy: input.policy.ref,
      finished_at: input.finishedAt.toISOString(),
      reason: redact(inventory.fatal.message, input.secrets),
      details: [],
      requests: inventory.requests,
    });
  }
  const evaluation = evaluate(inventory.keys, input.policy.policy, input.evaluatedAt, input.accepted ?? []);
  const findings = evaluation.findings.map(toRunFinding);
  // Keys a rule could not judge (Anthropic usage unreadable, or not reaching back far enough): the run did not see everything.
  const errors = [...inventory.errors, ...undecidedErrors(evaluation.undecided, inventory.errors)];
  const status = errors.length > 0 ? "incomplete" : "complete";
  return {
    ...base,
    policy: input.policy.ref,
    finished_at: input.finishedAt.toISOString(),
    status,
    counts: {
      admin_keys: count(inventory.keys, "admin"),
      projects: inventory.projects.length,
      archived_projects: inventory.projects.filter((p) => p.archived).length,
      project_keys: count(inventory.keys, "project"),
      users: inventory.users.length,
      api_requests: inventory.requests,
      findings: countBySeverity(findings),
    },
    findings,
    exemptions: evaluation.exemptions.map((e) => ({ rule_id: e.rule_id, key_id: e.key_id, reason: e.reason, expires: e.expires, fingerprint: e.fingerprint, ...originOf(e) })),
    exemption_notices: evaluation.exemption_notices.map((n) => ({ kind: n.kind, rule_id: n.rule_id, key_id: n.key_id, expires: n.expires, reason: n.reason, ...originOf(n) })),
    exemptions_in_force: evaluation.exemptions_in_force.map((x) => ({ rule_id: x.rule_id, key_id: x.key_id, reason: x.reason, expires: x.expires, status: x.status, ...originOf(x) })),
    controls: assessControls({ status, rules: input.policy.policy.rules, keys: inventory.keys, findings, exemptions: evaluation.exemptions, errors }),
    errors: errors.map((error) => ({ ...error, message: redact(error.message, input.secrets), where: describeScope(error.scope) })),
    ...runEnrichmentFields(input.enrichment, input.secrets),
  };
}

/** One audit run in one go (CLI, demo, tests): check the policy, take the inventory of every account, conclude. */
export async function runAudit(input: RunAuditInput): Promise<AuditRun> {
  return (await runAuditWithInventory(input)).run;
}

/** As runAudit, also returning what the inventory saw (null when the policy stopped the run first), for evidence. */
export async function runAuditWithInventory(input: RunAuditInput): Promise<{ run: AuditRun; inventory: RunInventory | null }> {
  const now = input.now ?? (() => new Date());
  const started = now();
  const base: RunBase = { id: input.id ?? newRunId(started), trigger: input.trigger, started_at: started.toISOString() };
  const checked = checkPolicy(input.policy);
  if (!checked.ok) return { run: invalidPolicyRun(base, checked, now()), inventory: null };
  const { accounts, client } = accountsOf(input);
  const sources = input.enrich ?? [];
  // The inventory of every account and, started with it, the enrichment: one slice, to the end.
  const start = { inventory: startRunWork(accounts, checked.policy), enrichment: startRunEnrichment(accounts, () => sources, now()) };
  const slice = await collectSlice(accounts, start, { client, now: now() });
  const collected = assembleRun(accounts, slice.parts);
  const enrichments = slice.enrichmentFailure === undefined ? slice.state.enrichment : brokenEnrichment(sources, now(), slice.enrichmentFailure);
  const inventory = applyAccountsEnrichment(collected, enrichments);
  const evaluatedAt = now();
  const secrets = accounts.map((a) => a.adminKey);
  const run = concludeRun({ base, policy: checked, inventory, evaluatedAt, finishedAt: now(), secrets, accepted: input.accepted ?? [], enrichment: mergedEnrichment(enrichments) });
  return { run, inventory };
}

/** The enrichment broke (something thrown, not an API failure): said once, as the Workflow says a failed enrichment step; never the run's failure. */
function brokenEnrichment(sources: readonly EnrichSource[], now: Date, failure: unknown) {
  return failedRunEnrichment(sources, now, { kind: "step_failed", message: `the enrichment failed: ${failure instanceof Error ? failure.message : String(failure)}` });
}

/** The accounts of the input, and how their clients connect. */
function accountsOf(input: RunAuditInput): { accounts: readonly AccountSettings[]; client: ClientOptions } {
  if (input.accounts) return { accounts: input.accounts, client: clientOf(input.config) };
  const { adminKey, baseURL, ...client } = input.config as InventoryOptions;
  return { accounts: [{ name: "openai", provider: "openai", adminKeySecret: "OPENAI_ADMIN_KEY", adminKey, baseUrl: baseURL }], client };
}

function clientOf(config: InventoryOptions | ClientOptions): ClientOptions {
  const { adminKey: _key, baseURL: _root, ...client } = config as Partial<InventoryOptions>;
  return client;
}

/** A judged finding as a run records it: the key without its project and owner, which stand beside it, and its dashboard page. */
export function toRunFinding(finding: Finding): RunFinding {
  const { project, owner, ...key } = finding.key;
  return {
    rule_id: finding.rule_id,
    rule_kind: finding.rule_kind,
    severity: finding.severity,
    fingerprint: finding.fingerprint,
    sentence: finding.sentence,
    remediation: finding.remediation,
    dashboard_url: key.provider === "anthropic" ? anthropicDashboardUrl(key) : dashboardUrl(key.kind, project?.id),
    key,
    project,
    owner,
  };
}

/** Who let the key break the rule, with only the fields its source has. */
function originOf(origin: ExemptionOrigin): RunExemptionOrigin {
  if (origin.source === "policy") return origin.approved_by === undefined ? { source: "policy" } : { source: "policy", approved_by: origin.approved_by };
  return {
    source: "slack",
    id: origin.id,
    accepted_by: { id: origin.accepted_by.id, name: origin.accepted_by.name },
    accepted_at: origin.accepted_at,
    ...(origin.ticket === undefined ? {} : { ticket: origin.ticket }),
  };
}

function count(keys: readonly KeyRecord[], kind: KeyRecord["kind"]): number {
  let n = 0;
  for (const key of keys) if (key.kind === kind) n++;
  return n;
}

/** One line for logs: `keywarden run_… complete: 3 admin keys, 11 project keys in 4 projects; 9 findings (1 critical, 3 high, …)`. */
export function summarizeRun(run: AuditRun): string {
  const head = `keywarden ${run.id} ${run.status}`;
  if (run.status === "failed") return `${head}: ${run.failure?.reason ?? "unknown failure"}`;
  const c = run.counts;
  const bySeverity = SEVERITIES.filter((s) => c.findings[s] > 0).map((s) => `${c.findings[s]} ${s}`);
  const findings = `${c.findings.total} finding${c.findings.total === 1 ? "" : "s"}${bySeverity.length ? ` (${bySeverity.join(", ")})` : ""}`;
  const missed = run.errors.length ? `; NOT SEEN: ${run.errors.map((e) => e.where).join("; ")}` : "";
  return `${head}: ${c.admin_keys} admin keys, ${c.project_keys} project keys in ${c.projects} projects; ${findings}${missed}`;
}
