/** Shared fixtures of the policy tests over several accounts and providers (issue 19). */
import type { KeyOwner, KeyRecord, ProjectRef } from "../../src/model/inventory.js";
import { type Policy, formatPolicyError, loadPolicy } from "../../src/policy/index.js";
import type { ApiKeyJson } from "../../src/providers/anthropic/schemas.js";
import { normalizeApiKey } from "../../src/providers/anthropic/normalize.js";

export const NOW = new Date("2026-11-24T12:00:00.000Z");
export const DAY = 86_400_000;

/** An ISO time `days` days (plus `extraMs`) before NOW. */
export function ago(days: number, extraMs = 0): string {
  return new Date(NOW.getTime() - days * DAY - extraMs).toISOString();
}

export type KeyOverrides = Partial<Omit<KeyRecord, "owner" | "project">> & { owner?: Partial<KeyOwner>; project?: Partial<ProjectRef> | null };

/** A healthy OpenAI project key as records were before accounts (no provider, account or status). */
export function openaiKey(overrides: KeyOverrides = {}): KeyRecord {
  const { owner, project, ...rest } = overrides;
  return {
    kind: "project",
    id: "key_1",
    name: "web backend",
    redacted_value: "sk-proj-...abcd",
    created_at: ago(10),
    last_used_at: ago(1),
    expires_at: null,
    owner_access: "active",
    ...rest,
    project: project === null ? null : { id: "proj_web", name: "web-prod", archived: false, ...project },
    owner: { type: "user", id: "user_alice", name: "Alice", email: "alice@example.com", role: "member", ...owner },
  };
}

/** A healthy active Anthropic key of workspace "prod" in account `anthropic`, used yesterday (usage read back 90 days). */
export function anthropicKey(overrides: KeyOverrides = {}): KeyRecord {
  return openaiKey({
    id: "apikey_1",
    redacted_value: "sk-ant-api03-abc...wxyz",
    owner_access: null,
    provider: "anthropic",
    account: "anthropic",
    status: "active",
    owner_source: "principal",
    last_used_known_since: ago(90),
    ...overrides,
    project: overrides.project === null ? null : { id: "wrkspc_prod", name: "prod", archived: false, ...overrides.project },
  });
}

/** An Anthropic API key as the Admin API lists it, normalized as the provider does (last use still unknown: null). */
export function listedAnthropicKey(json: Partial<ApiKeyJson> = {}, account = "anthropic"): KeyRecord {
  const listed: ApiKeyJson = {
    type: "api_key",
    id: "apikey_listed",
    name: "listed",
    created_at: ago(400),
    created_by: { id: "user_bob", type: "user" },
    expires_at: null,
    partial_key_hint: "sk-ant-api03-R2D...igAA",
    principal: { type: "user_actor", user_id: "user_bob" },
    scope: { type: "workspace", workspace_id: "wrkspc_prod" },
    status: "active",
    ...json,
  };
  const workspaces = new Map([["wrkspc_prod", { id: "wrkspc_prod", name: "prod", created_at: ago(500), archived: false, archived_at: null }]]);
  const users = new Map([["user_bob", { id: "user_bob", name: "Bob", email: "bob@example.com", role: "developer", is_service_account: false }]]);
  return normalizeApiKey(listed, { account, workspaces, users });
}

export function policy(text: string): Policy {
  const loaded = loadPolicy(text, "test.yaml");
  if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
  return loaded.policy;
}

/** A policy of one rule (YAML flow-mapping fields, without id and severity): id `r`, severity high. */
export function oneRule(fields: string): Policy {
  return policy(`version: 1\nname: test\nrules:\n  - { id: r, severity: high, ${fields} }\n`);
}

/** The errors of a policy of one rule, formatted. */
export function ruleErrors(fields: string): string[] {
  const loaded = loadPolicy(`version: 1\nname: test\nrules:\n  - { id: r, severity: high, ${fields} }\n`, "test.yaml");
  return loaded.ok ? [] : loaded.errors.map(formatPolicyError);
}
