/**
 * The fixed demo organization. Ids are a contract other code and tests rely on;
 * every time is a whole number of days (or hours) before `now`, so "last used
 * exactly 143 days ago" is exact whatever day the demo runs.
 */
import { DAY_SECONDS, unixSeconds, type AdminApiKeyJson, type ProjectApiKeyJson, type ProjectJson, type SimOrg, type UserJson } from "./org.js";
import { sampleAuditLogs, sampleUsage } from "./sample-activity.js";

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
