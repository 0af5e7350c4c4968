/**
 * The fixed demo Anthropic organization. Ids are a contract tests rely on; every time is a whole
 * number of days before `now`, so "last used 143 days ago" holds whatever day the demo runs.
 *
 * 4 workspaces (the default one, one archived) · 4 users · 14 API keys: 9 active, 2 inactive,
 * 2 archived, 1 expired. Among the active: a service-account key, an organization-scoped key, a key
 * bound to no principal (owner = its creator), a legacy key with neither principal nor creator, a key
 * of someone no longer in the organization, and `apikey_research_unused`, active and never used.
 */
import type { ApiKeyJson, SimAnthropicOrg, SimUsageRecord, UserJson, WorkspaceJson } from "./types.js";

const DAY_MS = 86_400_000;

export const SAMPLE_ANTHROPIC_ORG_ID = "org_sim_anthropic";
/** The service account of the sample's one service-account key (the Admin API key cannot list service accounts). */
export const SAMPLE_SERVICE_ACCOUNT_ID = "svac_ant_deploy";

/** When each sample key was last used, in days before `now`; absent = no usage at all. */
export const SAMPLE_LAST_USED_DAYS_AGO: Readonly<Record<string, number>> = {
  apikey_prod_web: 1,
  apikey_prod_batch: 2,
  apikey_default_mallory: 5,
  apikey_org_alice: 10,
  apikey_expired_demo: 12,
  apikey_departed_eve: 30,
  apikey_creator_only: 40,
  apikey_inactive_bob: 100,
  apikey_research_bob: 143,
  apikey_legacy_nobody: 200,
  apikey_archived_legacy: 300,
};

export function sampleAnthropicOrg(now: Date): SimAnthropicOrg {
  const nowMs = now.getTime();
  const daysAgo = (n: number): string => new Date(nowMs - n * DAY_MS).toISOString();

  const workspace = (id: string, name: string, createdDaysAgo: number, archivedDaysAgo: number | null = null): WorkspaceJson => ({
    type: "workspace",
    id,
    name,
    created_at: daysAgo(createdDaysAgo),
    archived_at: archivedDaysAgo === null ? null : daysAgo(archivedDaysAgo),
    display_color: "#6C5BB9",
  });
  const workspaces = [
    workspace("wrkspc_default", "Default", 720),
    workspace("wrkspc_prod", "production", 400),
    workspace("wrkspc_research", "research", 300),
    workspace("wrkspc_legacy", "legacy-bots", 650, 120),
  ];

  const user = (id: string, name: string, email: string, role: string, addedDaysAgo: number): UserJson => ({
    type: "user",
    id,
    email,
    name,
    role,
    added_at: daysAgo(addedDaysAgo),
  });
  const users = [
    user("user_ant_alice", "Alice Martin", "alice@example.com", "admin", 700),
    user("user_ant_bob", "Bob Chen", "bob@example.com", "developer", 650),
    user("user_ant_carol", "Carol Diaz", "carol@example.com", "developer", 420),
    user("user_ant_mallory", "Mallory Quinn", "mallory@gmail.com", "user", 40),
  ];

  type KeySpec = {
    id: string;
    name: string;
    status: ApiKeyJson["status"];
    workspace: string | null;
    principal: ApiKeyJson["principal"];
    createdBy: ApiKeyJson["created_by"];
    createdDaysAgo: number;
    expiresDaysAgo?: number;
    hint?: string | null;
  };
  const asUser = (id: string): ApiKeyJson["principal"] => ({ type: "user_actor", user_id: id });
  const by = (id: string, type: "user" | "service_account" = "user"): ApiKeyJson["created_by"] => ({ id, type });
  const key = (spec: KeySpec): ApiKeyJson => ({
    type: "api_key",
    id: spec.id,
    name: spec.name,
    created_at: daysAgo(spec.createdDaysAgo),
    created_by: spec.createdBy,
    expires_at: spec.expiresDaysAgo === undefined ? null : daysAgo(spec.expiresDaysAgo),
    partial_key_hint: spec.hint === undefined ? `sk-ant-api03-${spec.id.slice(7, 10)}...${spec.id.slice(-4)}` : spec.hint,
    principal: spec.principal,
    scope: spec.workspace === null ? { type: "organization" } : { type: "workspace", workspace_id: spec.workspace },
    status: spec.status,
  });

  const apiKeys = [
    key({ id: "apikey_prod_web", name: "web production", status: "active", workspace: "wrkspc_prod", principal: asUser("user_ant_alice"), createdBy: by("user_ant_alice"), createdDaysAgo: 100 }),
    key({
      id: "apikey_prod_batch",
      name: "batch pipeline",
      status: "active",
      workspace: "wrkspc_prod",
      principal: { type: "service_account_actor", service_account_id: SAMPLE_SERVICE_ACCOUNT_ID },
      createdBy: by("user_ant_alice"),
      createdDaysAgo: 90,
    }),
    key({ id: "apikey_research_bob", name: "bob experiments", status: "active", workspace: "wrkspc_research", principal: asUser("user_ant_bob"), createdBy: by("user_ant_bob"), createdDaysAgo: 200 }),
    key({ id: "apikey_research_unused", name: "carol eval (never used)", status: "active", workspace: "wrkspc_research", principal: asUser("user_ant_carol"), createdBy: by("user_ant_carol"), createdDaysAgo: 120 }),
    key({ id: "apikey_default_mallory", name: "mallory-test", status: "active", workspace: "wrkspc_default", principal: asUser("user_ant_mallory"), createdBy: by("user_ant_mallory"), createdDaysAgo: 20 }),
    key({ id: "apikey_org_alice", name: "alice org-wide", status: "active", workspace: null, principal: asUser("user_ant_alice"), createdBy: by("user_ant_alice"), createdDaysAgo: 60 }),
    key({ id: "apikey_creator_only", name: "shared ops key", status: "active", workspace: "wrkspc_prod", principal: null, createdBy: by("user_ant_bob"), createdDaysAgo: 300 }),
    key({ id: "apikey_legacy_nobody", name: "legacy integration", status: "active", workspace: "wrkspc_default", principal: null, createdBy: null, createdDaysAgo: 700, hint: null }),
    key({ id: "apikey_departed_eve", name: "eve notebook", status: "active", workspace: "wrkspc_research", principal: asUser("user_ant_eve"), createdBy: by("user_ant_eve"), createdDaysAgo: 250 }),
    key({ id: "apikey_inactive_bob", name: "bob old laptop", status: "inactive", workspace: "wrkspc_prod", principal: asUser("user_ant_bob"), createdBy: by("user_ant_bob"), createdDaysAgo: 150 }),
    key({ id: "apikey_inactive_ops", name: "ops standby", status: "inactive", workspace: "wrkspc_default", principal: asUser("user_ant_alice"), createdBy: by("user_ant_alice"), createdDaysAgo: 80 }),
    key({ id: "apikey_archived_legacy", name: "legacy bot", status: "archived", workspace: "wrkspc_legacy", principal: asUser("user_ant_bob"), createdBy: by("user_ant_bob"), createdDaysAgo: 500 }),
    key({ id: "apikey_archived_old", name: "old prototype", status: "archived", workspace: "wrkspc_prod", principal: asUser("user_ant_carol"), createdBy: by("user_ant_carol"), createdDaysAgo: 390 }),
    key({ id: "apikey_expired_demo", name: "conference demo", status: "expired", workspace: "wrkspc_research", principal: asUser("user_ant_carol"), createdBy: by("user_ant_carol"), createdDaysAgo: 100, expiresDaysAgo: 10 }),
  ];

  // Each used key has usage on its last day and a few days before (never before its creation).
  const usage: SimUsageRecord[] = [];
  for (const [index, [keyId, lastDaysAgo]] of Object.entries(SAMPLE_LAST_USED_DAYS_AGO).entries()) {
    const created = apiKeys.find((k) => k.id === keyId)?.created_at ?? daysAgo(0);
    for (const extra of [0, 3, 11, 40]) {
      const at = nowMs - (lastDaysAgo + extra) * DAY_MS - 6 * 3_600_000;
      if (at <= Date.parse(created)) continue;
      usage.push({ api_key_id: keyId, at: new Date(at).toISOString(), requests: 10 + index, input_tokens: 1000 * (index + 1), output_tokens: 250, cost_cents: 12.5 * (index + 1) });
    }
  }
  // Usage no API key authenticated (a claude.ai seat): it reports with a null api_key_id.
  usage.push({ api_key_id: null, at: daysAgo(3), requests: 7, input_tokens: 900, output_tokens: 100, cost_cents: 4 });

  return { organization: { id: SAMPLE_ANTHROPIC_ORG_ID, name: "Example Corp (Anthropic)" }, workspaces, defaultWorkspaceId: "wrkspc_default", users, apiKeys, usage };
}
