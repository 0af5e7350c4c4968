import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyRecord } from "../../src/model/inventory.js";
import { collectAnthropicInventory } from "../../src/providers/anthropic/inventory.js";
import { anthropicDashboardUrl } from "../../src/providers/anthropic/links.js";
import { creatorOf, normalizeApiKey } from "../../src/providers/anthropic/normalize.js";
import { apiKeySchema } from "../../src/providers/anthropic/schemas.js";
import { SAMPLE_SERVICE_ACCOUNT_ID, sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import type { AnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { ACCOUNT, NOW, clientOptions, startSampleSimulator } from "./anthropic-support.js";

let sim: AnthropicSimulator;
let keys: Map<string, KeyRecord>;
beforeAll(async () => {
  sim = await startSampleSimulator();
  const inventory = await collectAnthropicInventory(clientOptions(sim));
  expect(inventory.errors).toEqual([]);
  keys = new Map(inventory.keys.map((k) => [k.id, k]));
});
afterAll(async () => {
  await sim.close();
});

const daysAgo = (n: number) => new Date(NOW.getTime() - n * 86_400_000).toISOString();
const key = (id: string): KeyRecord => {
  const found = keys.get(id);
  if (!found) throw new Error(`no key ${id}`);
  return found;
};

describe("an Anthropic key in the model", () => {
  it("maps a user's workspace key field by field", () => {
    expect(key("apikey_prod_web")).toEqual({
      kind: "project",
      id: "apikey_prod_web",
      name: "web production",
      redacted_value: "sk-ant-api03-pro..._web",
      created_at: daysAgo(100),
      last_used_at: null,
      expires_at: null,
      project: { id: "wrkspc_prod", name: "production", archived: false },
      owner: { type: "user", id: "user_ant_alice", name: "Alice Martin", email: "alice@example.com", role: "admin" },
      owner_access: null,
      provider: "anthropic",
      account: ACCOUNT,
      status: "active",
      owner_source: "principal",
    });
  });

  it("a service account principal is the owner, known by id (the admin key cannot list service accounts)", () => {
    expect(key("apikey_prod_batch").owner).toEqual({ type: "service_account", id: SAMPLE_SERVICE_ACCOUNT_ID, name: null, email: null, role: null });
    expect(key("apikey_prod_batch").owner_source).toBe("principal");
  });

  it("without a principal the creator is the owner; with neither, nobody an allowlist can match", () => {
    expect(key("apikey_creator_only")).toMatchObject({ owner: { type: "user", id: "user_ant_bob", email: "bob@example.com" }, owner_source: "creator" });
    expect(key("apikey_legacy_nobody")).toMatchObject({ owner: { type: "user", id: "", name: null, email: null, role: null }, owner_source: "unknown", redacted_value: "" });
  });

  it("the organization scope has no project; the default and archived workspaces are projects", () => {
    expect(key("apikey_org_alice").project).toBeNull();
    expect(key("apikey_default_mallory").project).toEqual({ id: "wrkspc_default", name: "Default", archived: false });
    expect(key("apikey_archived_legacy").project).toEqual({ id: "wrkspc_legacy", name: "legacy-bots", archived: true });
  });

  it("someone no longer in the organization is still the owner, without email", () => {
    expect(key("apikey_departed_eve").owner).toEqual({ type: "user", id: "user_ant_eve", name: null, email: null, role: null });
  });

  it("keeps each key's status and expiry", () => {
    expect(key("apikey_expired_demo")).toMatchObject({ status: "expired", expires_at: daysAgo(10) });
    expect(key("apikey_inactive_ops").status).toBe("inactive");
    expect(key("apikey_archived_old").status).toBe("archived");
  });

  it("writes every RFC 3339 time as the model does (UTC, milliseconds)", () => {
    const raw = apiKeySchema.parse({ ...sampleAnthropicOrg(NOW).apiKeys[0], created_at: "2026-03-01T09:30:00.123456+02:00", expires_at: "2027-01-01T00:00:00Z" });
    const record = normalizeApiKey(raw, { account: "a", workspaces: new Map(), users: new Map() });
    expect(record.created_at).toBe("2026-03-01T07:30:00.123Z");
    expect(record.expires_at).toBe("2027-01-01T00:00:00.000Z");
    // A workspace the listing did not return is still the key's project, by id.
    expect(record.project).toEqual({ id: "wrkspc_prod", name: null, archived: false });
  });

  it("gives the creator from the listing, by email when the user is known", () => {
    const org = sampleAnthropicOrg(NOW);
    const users = new Map(org.users.map((u) => [u.id, { id: u.id, name: u.name, email: u.email, role: u.role, is_service_account: false }]));
    const byId = (id: string) => apiKeySchema.parse(org.apiKeys.find((k) => k.id === id));
    expect(creatorOf(byId("apikey_prod_batch"), users)).toEqual({ type: "user", id: "user_ant_alice", email: "alice@example.com", api_key_id: null, display: "alice@example.com" });
    expect(creatorOf(byId("apikey_departed_eve"), users)?.display).toBe("user user_ant_eve");
    expect(creatorOf(byId("apikey_legacy_nobody"), users)).toBeNull();
  });

  it("links every key to the Console's API-keys page", () => {
    expect(anthropicDashboardUrl({ id: "apikey_prod_web" })).toBe("https://console.anthropic.com/settings/keys");
  });
});
