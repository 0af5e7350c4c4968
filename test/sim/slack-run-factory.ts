/** Small AuditRun builders for the Slack tests (no simulator, no clock). */
import { SEVERITIES, type AuditRun, type RunError, type RunFinding } from "../../src/model/run.js";

const RULES = [
  { id: "service-account-owner", kind: "service-account-role", severity: "critical" },
  { id: "unused-90d", kind: "unused", severity: "high" },
  { id: "owner-lost-access", kind: "match", severity: "high" },
  { id: "owner-not-allowed", kind: "owner-allowlist", severity: "medium" },
  { id: "key-age-365d", kind: "key-age", severity: "medium" },
  { id: "archived-project-key", kind: "match", severity: "low" },
  { id: "never-used", kind: "unused", severity: "info" },
] as const;

export function makeFinding(i: number, overrides: Partial<RunFinding> = {}): RunFinding {
  const rule = RULES[i % RULES.length] ?? RULES[0];
  const project = i % 5 === 0 ? null : { id: `proj_${i % 7}`, name: `Project ${i % 7}`, archived: i % 7 === 6 };
  return {
    rule_id: rule.id,
    rule_kind: rule.kind,
    severity: rule.severity,
    fingerprint: `fp${String(i).padStart(30, "0")}`,
    sentence: `key ${i} was last used ${90 + i} days ago, on 2026-0${(i % 9) + 1}-03`,
    key: {
      kind: project ? "project" : "admin",
      id: `key_${i}`,
      name: `key-${i}`,
      redacted_value: `sk-proj-...${String(i).padStart(4, "0")}`,
      created_at: "2025-01-02T03:04:05.000Z",
      last_used_at: i % 3 === 0 ? null : "2026-07-03T10:00:00.000Z",
      expires_at: null,
      owner_access: project ? (i % 4 === 0 ? "inactive" : "active") : null,
    },
    project,
    owner: { type: i % 6 === 0 ? "service_account" : "user", id: `user_${i % 11}`, name: `Owner ${i % 11}`, email: i % 6 === 0 ? null : `owner${i % 11}@example.com`, role: "member" },
    ...overrides,
  };
}

export function manyFindings(n: number): RunFinding[] {
  return Array.from({ length: n }, (_, i) => makeFinding(i));
}

export function makeError(i: number, overrides: Partial<RunError> = {}): RunError {
  return {
    scope: { list: "project_api_keys", project_id: `proj_x${i}`, project_name: `Team ${i}` },
    kind: "http",
    status: 503,
    message: "HTTP 503 after 4 attempts",
    where: `API keys of project "Team ${i}" (proj_x${i})`,
    ...overrides,
  };
}

/** A complete run; `counts.findings` always follows `findings` unless overridden. */
export function makeRun(overrides: Partial<AuditRun> = {}): AuditRun {
  const findings = overrides.findings ?? [];
  const bySeverity = { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: findings.length };
  for (const f of findings) bySeverity[f.severity]++;
  return {
    id: "run_20261123T060000Z_abc123",
    trigger: "cron",
    policy: { name: "default", file: "policies/default.yaml", sha256: "0123456789abcdef".repeat(4) },
    started_at: "2026-11-23T06:00:00.000Z",
    finished_at: "2026-11-23T06:00:07.250Z",
    status: "complete",
    counts: { admin_keys: 3, projects: 4, archived_projects: 1, project_keys: 11, users: 9, api_requests: 7, findings: bySeverity },
    findings,
    exemptions: [],
    exemption_notices: [],
    errors: [],
    ...overrides,
  };
}

export { SEVERITIES };
