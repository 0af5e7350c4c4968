/**
 * The CSV tables of a run's evidence. The column lists are a documented
 * contract (docs/evidence.md): add columns at the end, never reorder.
 * Every table that names a key ends with its `provider` and `account` (issue 19).
 */
import type { AuditRun, RunFinding } from "../model/run.js";
import type { KeyOwner, KeyRecord, ProjectRef } from "../model/inventory.js";
import { remediationFor } from "../policy/registry.js";
import { keyAccount, keyProvider, keyStatus } from "../model/key-facts.js";
import { keyDashboardUrl } from "../report/key-links.js";
import type { CsvCell } from "./csv.js";
import { type KeyAccountOf, unknownAccount } from "./key-accounts.js";
import { exemptionsInForce, sortFindings, sortKeys, sortedControls } from "./views.js";

/**
 * Enrichment (docs/enrichment.md), last in the findings and the inventory: empty when unknown or not
 * asked for. The creator's IP address is in the inventory only: findings.csv is also uploaded to the
 * Slack channel, whose every member reads it.
 */
const INVENTORY_ENRICHMENT_CSV_COLUMNS = ["created_by", "created_by_type", "created_by_id", "created_by_email", "created_from_ip", "requests_30d", "spend_30d_usd"] as const;
type EnrichmentColumn = (typeof INVENTORY_ENRICHMENT_CSV_COLUMNS)[number];
const FINDING_ENRICHMENT_CSV_COLUMNS = INVENTORY_ENRICHMENT_CSV_COLUMNS.filter((column) => column !== "created_from_ip");

export const FINDINGS_CSV_COLUMNS = [
  "run_id",
  "severity",
  "rule_id",
  "rule_kind",
  "fingerprint",
  "key_kind",
  "key_id",
  "key_name",
  "redacted_value",
  "project_id",
  "project_name",
  "project_archived",
  "owner_type",
  "owner_id",
  "owner_name",
  "owner_email",
  "owner_role",
  "owner_access",
  "created_at",
  "last_used_at",
  "expires_at",
  "sentence",
  "remediation",
  "dashboard_url",
  ...FINDING_ENRICHMENT_CSV_COLUMNS,
  "provider",
  "account",
] as const;

export const EXEMPTIONS_CSV_COLUMNS = [
  "run_id",
  "status",
  "source",
  "rule_id",
  "key_id",
  "reason",
  "expires",
  "approved_by",
  "accepted_by_id",
  "accepted_by_name",
  "accepted_at",
  "ticket",
  "acceptance_id",
  "provider",
  "account",
] as const;

export const INVENTORY_CSV_COLUMNS = [
  "run_id",
  "key_kind",
  "key_id",
  "key_name",
  "redacted_value",
  "project_id",
  "project_name",
  "project_archived",
  "owner_type",
  "owner_id",
  "owner_name",
  "owner_email",
  "owner_role",
  "owner_access",
  "created_at",
  "last_used_at",
  "expires_at",
  ...INVENTORY_ENRICHMENT_CSV_COLUMNS,
  "provider",
  "account",
  /** The provider's own status of the key (Anthropic: active, inactive, archived, expired); `active` for OpenAI, which lists live keys only. */
  "key_status",
] as const;

/**
 * One row per control of the catalogue, over every account (`provider` and `account` empty); in a
 * run of several accounts, each is followed by a row per account. `rules` holds the ids of the rules
 * that test it, separated by spaces.
 */
export const CONTROLS_CSV_COLUMNS = [
  "run_id",
  "framework",
  "control_id",
  "title",
  "status",
  "rules",
  "keys_tested",
  "findings",
  "exempted",
  "accepted",
  "provider",
  "account",
] as const;

type KeyFields = Omit<KeyRecord, "project" | "owner">;

export function findingsRows(run: AuditRun): CsvCell[][] {
  return sortFindings(run.findings).map((f: RunFinding) => [
    run.id,
    f.severity,
    f.rule_id,
    f.rule_kind,
    f.fingerprint,
    ...keyCells(f.key, f.project, f.owner),
    f.sentence,
    remediationFor(f),
    keyDashboardUrl(f),
    ...enrichmentCells(f.key, FINDING_ENRICHMENT_CSV_COLUMNS),
    keyProvider(f.key),
    keyAccount(f.key),
  ]);
}

export function exemptionsRows(run: AuditRun, accountOf: KeyAccountOf = unknownAccount): CsvCell[][] {
  return exemptionsInForce(run, accountOf).map((x) => [
    run.id,
    x.status,
    x.source,
    x.rule_id,
    x.key_id,
    x.reason,
    x.expires,
    x.approved_by,
    x.accepted_by?.id ?? null,
    x.accepted_by?.name ?? null,
    x.accepted_at,
    x.ticket,
    x.acceptance_id,
    x.provider,
    x.account,
  ]);
}

export function controlsRows(run: AuditRun): CsvCell[][] {
  return sortedControls(run).flatMap((c) => {
    const head = [run.id, c.framework, c.control_id, c.title];
    const rules = c.rules.join(" ");
    return [
      [...head, c.status, rules, c.keys_tested, c.findings, c.exempted, c.accepted, null, null],
      ...(c.accounts ?? []).map((a) => [...head, a.status, rules, a.keys_tested, a.findings, a.exempted, a.accepted, a.provider, a.account]),
    ];
  });
}

export function inventoryRows(run: AuditRun, keys: readonly KeyRecord[]): CsvCell[][] {
  return sortKeys(keys).map((k) => [
    run.id,
    ...keyCells(k, k.project, k.owner),
    ...enrichmentCells(k, INVENTORY_ENRICHMENT_CSV_COLUMNS),
    keyProvider(k),
    keyAccount(k),
    keyStatus(k),
  ]);
}

/** The enrichment's columns of a key: who created it (per the audit log), its requests and spend over 30 days. */
function enrichmentCells(key: KeyFields, columns: readonly EnrichmentColumn[]): CsvCell[] {
  const by = key.created_by ?? null;
  const cells: Record<EnrichmentColumn, CsvCell> = {
    created_by: by?.display ?? null,
    created_by_type: by?.type ?? null,
    created_by_id: by?.id ?? null,
    created_by_email: by?.email ?? null,
    created_from_ip: key.created_from_ip ?? null,
    requests_30d: key.requests_30d ?? null,
    spend_30d_usd: key.spend_30d_usd ?? null,
  };
  return columns.map((column) => cells[column]);
}

function keyCells(key: KeyFields, project: ProjectRef | null, owner: KeyOwner): CsvCell[] {
  return [
    key.kind,
    key.id,
    key.name,
    key.redacted_value,
    project?.id ?? null,
    project?.name ?? null,
    project ? project.archived : null,
    owner.type,
    owner.id,
    owner.name,
    owner.email,
    owner.role,
    key.owner_access,
    key.created_at,
    key.last_used_at,
    key.expires_at,
  ];
}
