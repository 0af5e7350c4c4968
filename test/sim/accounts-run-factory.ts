/**
 * A run of three accounts (issue 19), built by hand: two OpenAI organizations (`openai-eu`,
 * `openai-us`) and one Anthropic organization (`anthropic`), with Bob owning a key with a finding
 * in each, an exemption in `openai-eu`, an archived Anthropic key (inventory only), and controls
 * assessed as the run does. No simulator, no clock.
 */
import { type AssessedRule, assessControls } from "../../src/controls/assessment.js";
import type { KeyRecord } from "../../src/model/inventory.js";
import type { AuditRun, RunError, RunFinding } from "../../src/model/run.js";
import { makeRun } from "./slack-run-factory.js";

const BOB = { type: "user" as const, id: "user_bob", name: "Bob Chen", email: "bob@example.com", role: "member" };
const ALICE = { type: "user" as const, id: "user_alice", name: "Alice Martin", email: "alice@example.com", role: "owner" };

function openaiKey(account: string, id: string, project: KeyRecord["project"], owner = BOB): KeyRecord {
  return {
    kind: project ? "project" : "admin",
    id,
    name: id.replace(/_/g, "-"),
    redacted_value: project ? "sk-proj-...abcd" : "sk-admin-...abcd",
    created_at: "2025-01-02T03:04:05.000Z",
    last_used_at: "2026-07-03T10:00:00.000Z",
    expires_at: null,
    project,
    owner,
    owner_access: project ? "active" : null,
    provider: "openai",
    account,
  };
}

function anthropicKey(id: string, status: string, workspace: KeyRecord["project"]): KeyRecord {
  return {
    kind: "project",
    id,
    name: id.replace(/_/g, "-"),
    redacted_value: "sk-ant-api03-...wxyz",
    created_at: "2026-01-05T10:00:00.000Z",
    last_used_at: "2026-05-01T00:00:00.000Z",
    expires_at: null,
    project: workspace,
    owner: BOB,
    owner_access: null,
    provider: "anthropic",
    account: "anthropic",
    status,
    owner_source: "principal",
  };
}

export const ACCOUNT_KEYS: KeyRecord[] = [
  openaiKey("openai-eu", "key_eu_admin", null, ALICE),
  openaiKey("openai-eu", "key_eu_web", { id: "proj_euweb", name: "web-eu", archived: false }),
  openaiKey("openai-us", "key_us_batch", { id: "proj_usbatch", name: "batch", archived: false }),
  openaiKey("openai-us", "key_us_old", { id: "proj_usold", name: "legacy", archived: true }, ALICE),
  anthropicKey("apikey_ml", "active", { id: "wrkspc_ml", name: "ml-research", archived: false }),
  anthropicKey("apikey_gone", "archived", { id: "wrkspc_ml", name: "ml-research", archived: false }),
];

function keyOf(id: string): KeyRecord {
  const key = ACCOUNT_KEYS.find((k) => k.id === id);
  if (!key) throw new Error(`no key ${id}`);
  return key;
}

function finding(keyId: string, rule_id: string, rule_kind: string, severity: RunFinding["severity"], sentence: string): RunFinding {
  const { project, owner, ...key } = keyOf(keyId);
  return { rule_id, rule_kind, severity, fingerprint: `fp_${keyId}_${rule_id}`, sentence, key, project, owner, lifecycle: "new" };
}

export const ACCOUNT_FINDINGS: RunFinding[] = [
  finding("key_eu_web", "unused-90d", "unused", "high", "last used 143 days ago"),
  finding("key_us_batch", "key-age-365d", "key-age", "medium", "created 690 days ago"),
  finding("key_us_old", "archived-project-key", "match", "low", "its project is archived"),
  finding("apikey_ml", "unused-90d", "unused", "high", "last used 206 days ago"),
];

const RULES: AssessedRule[] = [
  { id: "unused-90d", controls: { cis: ["5.3"], soc2: ["CC6.2"] } },
  { id: "key-age-365d", controls: { soc2: ["CC6.1"] } },
  { id: "archived-project-key", scope: { archived: "only" as const }, controls: { nist80053: ["AC-2"] } },
];

const EXEMPTION = { rule_id: "unused-90d", key_id: "key_eu_admin", reason: "break-glass admin key", expires: "2027-03-31", fingerprint: "fp_key_eu_admin_unused-90d", source: "policy" as const };

/** The run of the three accounts; `errors` (naming accounts) make it incomplete. */
export function accountsRun(errors: RunError[] = [], overrides: Partial<AuditRun> = {}): AuditRun {
  const status = errors.length > 0 ? "incomplete" : "complete";
  return makeRun({
    status,
    findings: ACCOUNT_FINDINGS,
    exemptions: [EXEMPTION],
    exemptions_in_force: [{ ...EXEMPTION, status: "applied" }],
    errors,
    controls: assessControls({ status, rules: RULES, keys: ACCOUNT_KEYS, findings: ACCOUNT_FINDINGS, exemptions: [EXEMPTION], errors }),
    ...overrides,
  });
}

/** An inventory error naming its account. */
export function accountError(account: string): RunError {
  return { scope: { list: "project_api_keys", project_id: "proj_x", project_name: "payments" }, kind: "http", status: 503, message: "HTTP 503 after 4 attempts", where: 'API keys of project "payments" (proj_x)', account };
}

export const ACCOUNT_INVENTORY = {
  keys: ACCOUNT_KEYS,
  projects: [
    { id: "proj_euweb", name: "web-eu", created_at: "2025-01-01T00:00:00.000Z", archived: false, archived_at: null },
    { id: "proj_usbatch", name: "batch", created_at: "2025-01-01T00:00:00.000Z", archived: false, archived_at: null },
    { id: "proj_usold", name: "legacy", created_at: "2024-01-01T00:00:00.000Z", archived: true, archived_at: "2026-01-01T00:00:00.000Z" },
    { id: "wrkspc_ml", name: "ml-research", created_at: "2025-06-01T00:00:00.000Z", archived: false, archived_at: null },
  ],
};
