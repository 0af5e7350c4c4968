/**
 * The sample organization's activity: an audit log event for every project and
 * key it has, and a fortnight of completions usage for the keys in use.
 */
import {
  DAY_SECONDS,
  type AdminApiKeyJson,
  type AuditLogActorJson,
  type AuditLogJson,
  type ProjectApiKeyJson,
  type ProjectJson,
  type SimUsageRecord,
  type UserJson,
} from "./org.js";

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
export function sampleAuditLogs(
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
export function sampleUsage(nowS: number, projectKeys: Record<string, ProjectApiKeyJson[]>): SimUsageRecord[] {
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
