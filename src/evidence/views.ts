/**
 * The JSON documents of a run's evidence, built field by field so their key
 * order never depends on how the inputs were built, and with every list
 * sorted, so the same run always serializes to the same bytes.
 */
import { type AuditRun, type RunError, type RunExemptionInForce, type RunExemptionOrigin, type RunFinding, exemptionSource } from "../model/run.js";
import type { KeyOwner, KeyRecord, ProjectRecord, ProjectRef } from "../model/inventory.js";
import { remediationFor } from "../policy/registry.js";
import { severityRank } from "../model/severity.js";
import { compareControls } from "../controls/catalogue.js";
import { keyAccount, keyProvider, keyStatus } from "../model/key-facts.js";
import { keyDashboardUrl } from "../report/key-links.js";
import { type KeyAccountOf, unknownAccount } from "./key-accounts.js";
import { compareText } from "./layout.js";

export interface EvidenceInventory {
  keys: readonly KeyRecord[];
  projects: readonly ProjectRecord[];
}

/** findings.json; `accountOf` gives the provider and account of the keys its exemptions name. */
export function findingsDocument(run: AuditRun, accountOf: KeyAccountOf = unknownAccount) {
  return {
    run_id: run.id,
    trigger: run.trigger,
    status: run.status,
    started_at: run.started_at,
    finished_at: run.finished_at,
    policy: { name: run.policy.name, file: run.policy.file, sha256: run.policy.sha256 },
    failure: run.failure ? { reason: run.failure.reason, details: [...run.failure.details] } : null,
    errors: [...run.errors].sort(byError).map(errorView),
    counts: countsView(run.counts),
    findings: sortFindings(run.findings).map(findingView),
    exemptions: [...run.exemptions]
      .sort((a, b) => compareText(a.rule_id, b.rule_id) || compareText(a.key_id, b.key_id) || compareOrigins(a, b))
      .map((e) => ({ rule_id: e.rule_id, key_id: e.key_id, fingerprint: e.fingerprint, reason: e.reason, expires: e.expires, ...originView(e), ...accountOf(e.key_id) })),
    exemption_notices: [...run.exemption_notices]
      .sort((a, b) => compareText(a.kind, b.kind) || compareText(a.rule_id, b.rule_id) || compareText(a.key_id, b.key_id) || compareOrigins(a, b))
      .map((n) => ({ kind: n.kind, rule_id: n.rule_id, key_id: n.key_id, expires: n.expires, reason: n.reason, ...originView(n), ...accountOf(n.key_id) })),
  };
}

/** exemptions.json: every exemption in force when the run was evaluated, policy and accepted in Slack, applied or not. */
export function exemptionsDocument(run: AuditRun, accountOf: KeyAccountOf = unknownAccount) {
  return {
    run_id: run.id,
    status: run.status,
    exemptions: exemptionsInForce(run, accountOf),
  };
}

/**
 * The exemptions in force during the run, sorted by rule, key and source. A run recorded without
 * the list (older runs) gives the ones it applied, which were in force.
 */
export function exemptionsInForce(run: AuditRun, accountOf: KeyAccountOf = unknownAccount) {
  const inForce: readonly RunExemptionInForce[] = run.exemptions_in_force ?? run.exemptions.map((x) => ({ ...x, status: "applied" as const }));
  return [...inForce]
    .sort((a, b) => compareText(a.rule_id, b.rule_id) || compareText(a.key_id, b.key_id) || compareOrigins(a, b))
    .map((x) => ({ rule_id: x.rule_id, key_id: x.key_id, status: x.status, reason: x.reason, expires: x.expires, ...originView(x), ...accountOf(x.key_id) }));
}

/** controls.json: every control of the catalogue and how the run tested it (see src/model/controls.ts). */
export function controlsDocument(run: AuditRun) {
  return {
    run_id: run.id,
    status: run.status,
    controls: sortedControls(run),
  };
}

/** The run's controls in catalogue order, field by field; account by account too in a run of several accounts. */
export function sortedControls(run: AuditRun) {
  return [...(run.controls ?? [])].sort(compareControls).map((c) => ({
    framework: c.framework,
    control_id: c.control_id,
    title: c.title,
    rules: [...c.rules],
    keys_tested: c.keys_tested,
    findings: c.findings,
    exempted: c.exempted,
    accepted: c.accepted,
    status: c.status,
    ...(c.accounts
      ? {
          accounts: c.accounts.map((a) => ({
            account: a.account,
            provider: a.provider,
            keys_tested: a.keys_tested,
            findings: a.findings,
            exempted: a.exempted,
            accepted: a.accepted,
            status: a.status,
          })),
        }
      : {}),
  }));
}

/** Who let the key break the rule; null for what its source does not have. */
function originView(x: RunExemptionOrigin) {
  return {
    source: exemptionSource(x),
    approved_by: x.approved_by ?? null,
    accepted_by: x.accepted_by ? { id: x.accepted_by.id, name: x.accepted_by.name } : null,
    accepted_at: x.accepted_at ?? null,
    ticket: x.ticket ?? null,
    acceptance_id: x.id ?? null,
  };
}

/** Policy exemptions first, then acceptances by id. */
function compareOrigins(a: RunExemptionOrigin, b: RunExemptionOrigin): number {
  return compareText(exemptionSource(a), exemptionSource(b)) || compareText(a.id ?? "", b.id ?? "");
}

export function inventoryDocument(run: AuditRun, inventory: EvidenceInventory) {
  return {
    run_id: run.id,
    status: run.status,
    projects: [...inventory.projects].sort((a, b) => compareText(a.id, b.id)).map(projectView),
    keys: sortKeys(inventory.keys).map(keyView),
  };
}

export function countsView(counts: AuditRun["counts"]) {
  const f = counts.findings;
  return {
    admin_keys: counts.admin_keys,
    projects: counts.projects,
    archived_projects: counts.archived_projects,
    project_keys: counts.project_keys,
    users: counts.users,
    api_requests: counts.api_requests,
    findings: { critical: f.critical, high: f.high, medium: f.medium, low: f.low, info: f.info, total: f.total },
  };
}

/** Worst first, then by rule and key. */
export function sortFindings(findings: readonly RunFinding[]): RunFinding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compareText(a.rule_id, b.rule_id) ||
      compareText(a.key.id, b.key.id) ||
      compareText(a.fingerprint, b.fingerprint),
  );
}

/** By account; in each, admin keys first, then project keys by project, each by id. */
export function sortKeys(keys: readonly KeyRecord[]): KeyRecord[] {
  return [...keys].sort(
    (a, b) =>
      compareText(keyAccount(a), keyAccount(b)) ||
      compareText(a.kind, b.kind) ||
      compareText(a.project?.id ?? "", b.project?.id ?? "") ||
      compareText(a.id, b.id),
  );
}

function findingView(f: RunFinding) {
  return {
    fingerprint: f.fingerprint,
    severity: f.severity,
    rule_id: f.rule_id,
    rule_kind: f.rule_kind,
    sentence: f.sentence,
    remediation: remediationFor(f),
    dashboard_url: keyDashboardUrl(f),
    key: {
      kind: f.key.kind,
      id: f.key.id,
      name: f.key.name,
      redacted_value: f.key.redacted_value,
      created_at: f.key.created_at,
      last_used_at: f.key.last_used_at,
      expires_at: f.key.expires_at,
      owner_access: f.key.owner_access,
      // Not the creator's IP address: the inventory has it (see FINDING_ENRICHMENT_CSV_COLUMNS).
      ...findingEnrichmentView(f.key),
      provider: keyProvider(f.key),
      account: keyAccount(f.key),
    },
    project: projectRefView(f.project),
    owner: ownerView(f.owner),
  };
}

function keyView(k: KeyRecord) {
  return {
    kind: k.kind,
    id: k.id,
    name: k.name,
    redacted_value: k.redacted_value,
    created_at: k.created_at,
    last_used_at: k.last_used_at,
    expires_at: k.expires_at,
    project: projectRefView(k.project),
    owner: ownerView(k.owner),
    owner_access: k.owner_access,
    ...enrichmentView(k),
    provider: keyProvider(k),
    account: keyAccount(k),
    status: keyStatus(k),
  };
}

/** Enrichment (docs/enrichment.md): null when unknown or not asked for. */
function enrichmentView(k: Pick<KeyRecord, "created_by" | "created_from_ip" | "requests_30d" | "spend_30d_usd">) {
  const { created_by, requests_30d, spend_30d_usd } = findingEnrichmentView(k);
  return { created_by, created_from_ip: k.created_from_ip ?? null, requests_30d, spend_30d_usd };
}

function findingEnrichmentView(k: Pick<KeyRecord, "created_by" | "requests_30d" | "spend_30d_usd">) {
  return {
    created_by: k.created_by ? { type: k.created_by.type, id: k.created_by.id, email: k.created_by.email, api_key_id: k.created_by.api_key_id, display: k.created_by.display } : null,
    requests_30d: k.requests_30d ?? null,
    spend_30d_usd: k.spend_30d_usd ?? null,
  };
}

function projectView(p: ProjectRecord) {
  return { id: p.id, name: p.name, created_at: p.created_at, archived: p.archived, archived_at: p.archived_at };
}

function projectRefView(p: ProjectRef | null) {
  return p ? { id: p.id, name: p.name, archived: p.archived } : null;
}

function ownerView(o: KeyOwner) {
  return { type: o.type, id: o.id, name: o.name, email: o.email, role: o.role };
}

function errorView(e: RunError) {
  const scope =
    e.scope.list === "project_api_keys"
      ? { list: e.scope.list, project_id: e.scope.project_id, project_name: e.scope.project_name }
      : { list: e.scope.list };
  return { where: e.where, kind: e.kind, status: e.status ?? null, message: e.message, scope, account: e.account ?? null };
}

function byError(a: RunError, b: RunError): number {
  return compareText(a.where, b.where) || compareText(a.kind, b.kind) || compareText(a.message, b.message);
}
