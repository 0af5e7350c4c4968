/**
 * The fixed demo organization. Ids are a contract other code and tests rely on;
 * every time is a whole number of days (or hours) before `now`, so "last used
 * exactly 143 days ago" is exact whatever day the demo runs.
 */
import {
  DAY_SECONDS,
  unixSeconds,
  type AdminApiKeyJson,
  type AuditLogActorJson,
  type AuditLogJson,
  type ProjectApiKeyJson,
  type ProjectJson,
  type SimOrg,
  type SimUsageRecord,
  type UserJson,
} from "./org.js";

export function sampleOrg(now: Date): SimOrg {
  const nowS = unixSeconds(now);
  const daysAgo = (n: number): number => nowS - n * DAY_SECONDS;
  const daysAhead = (n: number): number => nowS + n * DAY_SECONDS;
  const hoursAgo = (n: number): number => nowS - n * 3600;

  const user = (
    id: string,
    name: string,
    email: string | null,
    role: "owner" | "reader",
    addedDaysAgo: number,
    isServiceAccount = false,
  ): UserJson => ({
    object: "organization.user",
    id,
    name,
    email,
    role,
    added_at: daysAgo(addedDaysAgo),
    is_service_account: isServiceAccount,
  });

  const alice = user("user_alice", "Alice Martin", "alice@example.com", "owner", 700);
  const bob = user("user_bob", "Bob Chen", "bob@example.com", "reader", 650);
  const carol = user("user_carol", "Carol Diaz", "carol@example.com", "reader", 420);
  const mallory = user("user_mallory", "Mallory Quinn", "mallory@gmail.com", "reader", 40);
  const dana = user("user_dana", "Dana Ops", "Dana.Ops@EXAMPLE.COM", "owner", 600);
  const eve = user("user_eve", "Eve Former", "eve@example.com", "reader", 500);
  const frank = user("user_frank", "Frank Osei", "frank@example.com", "reader", 90);
  const svcAdmin = user("user_svc_admin", "svc-admin-bot", null, "owner", 15, true);
  const users = [alice, bob, carol, mallory, dana, eve, frank, svcAdmin];

  const project = (id: string, name: string, createdDaysAgo: number, archivedDaysAgo: number | null = null): ProjectJson => ({
    id,
    object: "organization.project",
    name,
    created_at: daysAgo(createdDaysAgo),
    archived_at: archivedDaysAgo === null ? null : daysAgo(archivedDaysAgo),
    status: archivedDaysAgo === null ? "active" : "archived",
  });
  const projects = [
    project("proj_web", "web-app", 365),
    project("proj_data", "data-pipeline", 320),
    project("proj_ml", "ml-research", 550),
    project("proj_legacy", "legacy-chatbot", 700, 200),
  ];

  const adminKeys: AdminApiKeyJson[] = [
    {
      object: "organization.admin_api_key",
      id: "key_admin_alice",
      name: "Alice admin key",
      redacted_value: "sk-admin-...Ab1c",
      created_at: daysAgo(30),
      expires_at: daysAhead(60),
      last_used_at: daysAgo(1),
      owner: { type: "user", object: "organization.user", id: alice.id, name: "Alice Martin", created_at: alice.added_at, role: "owner" },
    },
    {
      object: "organization.admin_api_key",
      id: "key_admin_breakglass",
      name: "Break-glass admin key",
      redacted_value: "sk-admin-...Q7rT",
      created_at: daysAgo(400),
      expires_at: null,
      last_used_at: null,
      owner: { type: "user", object: "organization.user", id: dana.id, name: "Dana Ops", created_at: dana.added_at, role: "owner" },
    },
    {
      object: "organization.admin_api_key",
      id: "key_admin_ci",
      name: "CI admin automation",
      redacted_value: "sk-admin-...x9Kp",
      created_at: daysAgo(10),
      expires_at: null,
      last_used_at: hoursAgo(2),
      owner: {
        type: "service_account",
        object: "organization.service_account",
        id: svcAdmin.id,
        name: "svc-admin-bot",
        created_at: svcAdmin.added_at,
        role: "owner",
      },
    },
  ];

  const userKey = (
    id: string,
    name: string,
    redacted: string,
    owner: UserJson,
    projectRole: "owner" | "member",
    createdDaysAgo: number,
    lastUsedDaysAgo: number | null,
    access: "active" | "inactive" = "active",
  ): ProjectApiKeyJson => ({
    object: "organization.project.api_key",
    redacted_value: redacted,
    name,
    created_at: daysAgo(createdDaysAgo),
    last_used_at: lastUsedDaysAgo === null ? null : daysAgo(lastUsedDaysAgo),
    id,
    owner_project_access: access,
    owner: {
      type: "user",
      user: {
        id: owner.id,
        email: owner.email ?? "",
        name: owner.name ?? "",
        created_at: owner.added_at,
        role: projectRole,
      },
    },
  });
  const serviceAccountKey = (
    id: string,
    name: string,
    redacted: string,
    sa: { id: string; name: string; createdDaysAgo: number },
    projectRole: "owner" | "member",
    createdDaysAgo: number,
    lastUsedDaysAgo: number | null,
  ): ProjectApiKeyJson => ({
    object: "organization.project.api_key",
    redacted_value: redacted,
    name,
    created_at: daysAgo(createdDaysAgo),
    last_used_at: lastUsedDaysAgo === null ? null : daysAgo(lastUsedDaysAgo),
    id,
    owner_project_access: "active",
    owner: {
      type: "service_account",
      service_account: { id: sa.id, name: sa.name, created_at: daysAgo(sa.createdDaysAgo), role: projectRole },
    },
  });

  const projectKeys: Record<string, ProjectApiKeyJson[]> = {
    proj_web: [
      userKey("key_web_prod", "web-app production", "sk-proj-...9xYz", alice, "owner", 100, 2),
      userKey("key_web_old", "bob laptop (old)", "sk-proj-...L2mN", bob, "member", 200, 143),
      userKey("key_web_mallory", "mallory-test", "sk-proj-...Zq4W", mallory, "member", 20, 5),
      userKey("key_web_dana", "ops dashboard", "sk-proj-...D4n4", dana, "member", 50, 3),
    ],
    proj_data: [
      serviceAccountKey("key_data_etl", "nightly ETL", "sk-proj-...E7lT", { id: "sa_ci_etl", name: "ci-etl", createdDaysAgo: 61 }, "member", 60, 1),
      serviceAccountKey("key_data_deploy", "deploy pipeline", "sk-proj-...Dp0y", { id: "sa_deploy", name: "deploy-bot", createdDaysAgo: 95 }, "owner", 90, 1),
      userKey("key_data_eve", "eve analysis notebook", "sk-proj-...Ev3x", eve, "member", 300, 10, "inactive"),
    ],
    proj_ml: [
      userKey("key_ml_never", "bob experiments", "sk-proj-...N3vr", bob, "member", 120, null),
      userKey("key_ml_ancient", "alice research (original)", "sk-proj-...A9cT", alice, "owner", 500, 1),
      userKey("key_ml_new", "alice eval harness", "sk-proj-...N3w1", alice, "owner", 5, null),
    ],
    proj_legacy: [userKey("key_legacy_old", "legacy chatbot backend", "sk-proj-...Lg8c", bob, "member", 400, 250)],
  };

  return {
    adminKeys,
    projects,
    projectKeys,
    users,
    auditLogs: sampleAuditLogs(adminKeys, projects, projectKeys, users),
    usage: sampleUsage(nowS, projectKeys),
  };
}

/** A session actor for a user of the org (ip addresses from the documentation range 203.0.113.0/24). */
function sessionActor(user: UserJson, n: number): AuditLogActorJson {
  return { type: "session", session: { user: { id: user.id, email: user.email ?? "" }, ip_address: `203.0.113.${10 + n}` } };
}

/**
 * One `api_key.created` event per key, at the key's created_at (its id is the
 * key's id: the spec calls it "the tracking ID of the API key"), plus a
 * `project.created` per project. The actor of a user-owned project key is its
 * owner, in a dashboard session. Otherwise:
 * - key_data_deploy was created through an admin key that no longer exists
 *   (`key_admin_retired`, Alice's): an `api_key` actor of type `user`;
 * - key_data_etl was created by the deploy pipeline with its own service-account
 *   key (key_data_deploy of sa_deploy): an `api_key` actor of type `service_account`;
 * - admin keys: their owner's session, Dana's for the service account's key.
 * `data.scopes` is [] throughout (the spec does not say what an unrestricted key shows).
 */
function sampleAuditLogs(
  adminKeys: AdminApiKeyJson[],
  projects: ProjectJson[],
  projectKeys: Record<string, ProjectApiKeyJson[]>,
  users: UserJson[],
): AuditLogJson[] {
  const userById = (id: string): UserJson => {
    const u = users.find((x) => x.id === id);
    if (u === undefined) throw new Error(`sampleOrg: no user ${id}`);
    return u;
  };
  const alice = userById("user_alice");
  const dana = userById("user_dana");
  const events: AuditLogJson[] = [];
  let n = 0;
  const keyCreated = (keyId: string, at: number, actor: AuditLogActorJson, project?: ProjectJson): void => {
    const event: AuditLogJson = { id: `audit_log-${keyId}_created`, type: "api_key.created", effective_at: at, actor };
    if (project !== undefined) event.project = { id: project.id, name: project.name ?? "" };
    event["api_key.created"] = { id: keyId, data: { scopes: [] } };
    events.push(event);
    n++;
  };
  for (const p of projects) {
    events.push({
      id: `audit_log-${p.id}_created`,
      type: "project.created",
      effective_at: p.created_at,
      project: { id: p.id, name: p.name ?? "" },
      actor: sessionActor(alice, 0),
      "project.created": { id: p.id, data: { name: p.name ?? "", title: p.name ?? "" } },
    });
  }
  for (const k of adminKeys) {
    const owner = k.owner.type === "user" ? userById(k.owner.id) : dana;
    keyCreated(k.id, k.created_at, sessionActor(owner, n));
  }
  for (const p of projects) {
    for (const k of projectKeys[p.id] ?? []) {
      let actor: AuditLogActorJson;
      if (k.owner.type === "user") actor = sessionActor(userById(k.owner.user.id), n);
      else if (k.id === "key_data_etl") actor = { type: "api_key", api_key: { id: "key_data_deploy", type: "service_account", service_account: { id: "sa_deploy" } } };
      else actor = { type: "api_key", api_key: { id: "key_admin_retired", type: "user", user: { id: alice.id, email: alice.email ?? "" } } };
      keyCreated(k.id, k.created_at, actor, p);
    }
  }
  return events;
}

const MODEL_PRICES: Record<string, { input: number; output: number }> = {
  // USD per token
  "gpt-4o-2024-08-06": { input: 2.5e-6, output: 10e-6 },
  "gpt-4o-mini-2024-07-18": { input: 0.15e-6, output: 0.6e-6 },
};

/**
 * A little completions usage for the keys in use: one record a day for each
 * project key last used within the last 14 days, from 14 days ago (or its
 * creation) to its last_used_at, each at the same time of day as `now` (the
 * last one exactly at last_used_at). Service-account keys use gpt-4o-mini, user
 * keys gpt-4o. Deterministic.
 */
function sampleUsage(nowS: number, projectKeys: Record<string, ProjectApiKeyJson[]>): SimUsageRecord[] {
  const records: SimUsageRecord[] = [];
  let keyIndex = 0;
  for (const [projectId, keys] of Object.entries(projectKeys)) {
    for (const k of keys) {
      keyIndex++;
      if (k.last_used_at === null) continue;
      const lastDays = Math.round((nowS - k.last_used_at) / DAY_SECONDS);
      if (lastDays > 14) continue;
      const firstDays = Math.min(14, Math.floor((nowS - k.created_at) / DAY_SECONDS));
      const model = k.owner.type === "user" ? "gpt-4o-2024-08-06" : "gpt-4o-mini-2024-07-18";
      const price = MODEL_PRICES[model] ?? { input: 0, output: 0 };
      for (let d = firstDays; d >= lastDays; d--) {
        const input = 1000 * keyIndex + 37 * d;
        const output = 300 * keyIndex + 11 * d;
        records.push({
          at: nowS - d * DAY_SECONDS,
          api_key_id: k.id,
          project_id: projectId,
          user_id: k.owner.type === "user" ? k.owner.user.id : null,
          model,
          input_tokens: input,
          input_cached_tokens: Math.floor(input / 5),
          output_tokens: output,
          num_model_requests: keyIndex + (d % 3),
          input_cost_usd: input * price.input,
          output_cost_usd: output * price.output,
        });
      }
    }
  }
  return records;
}
