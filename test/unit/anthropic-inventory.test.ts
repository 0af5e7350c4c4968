import { describe, expect, it } from "vitest";
import { collectAnthropicSlice, initialWorkState } from "../../src/providers/anthropic/client.js";
import { assembleAnthropicInventory, collectAnthropicInventory } from "../../src/providers/anthropic/inventory.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import type { AnthropicSimulator } from "../../src/sim/anthropic/server.js";
import type { ApiKeyJson, SimAnthropicOrg } from "../../src/sim/anthropic/types.js";
import { ACCOUNT, ADMIN_KEY, NOW, clientOptions, fakeSleep, requestsTo, startSampleSimulator, withSampleSimulator } from "./anthropic-support.js";

let sim: AnthropicSimulator;
withSampleSimulator((started) => {
  sim = started;
});

const KEYS = "/v1/organizations/api_keys";
const WORKSPACES = "/v1/organizations/workspaces";
const USERS = "/v1/organizations/users";

/** An organization with `n` extra active keys in the production workspace. */
function orgWithKeys(n: number): SimAnthropicOrg {
  const org = sampleAnthropicOrg(NOW);
  const template = org.apiKeys[0] as ApiKeyJson;
  for (let i = 0; i < n; i++) org.apiKeys.push({ ...template, id: `apikey_bulk_${String(i).padStart(4, "0")}`, name: `bulk ${i}`, created_at: new Date(NOW.getTime() - (i + 1) * 60_000).toISOString() });
  return org;
}

describe("listing an Anthropic organization", () => {
  it("lists every key of every status, every workspace (archived and default too) and every user", async () => {
    const inventory = await collectAnthropicInventory(clientOptions(sim));
    expect(inventory.errors).toEqual([]);
    expect(inventory.fatal).toBeUndefined();
    const org = sampleAnthropicOrg(NOW);
    expect(inventory.keys.map((k) => k.id).sort()).toEqual(org.apiKeys.map((k) => k.id).sort());
    const statuses = inventory.keys.reduce<Record<string, number>>((n, k) => ({ ...n, [k.status ?? "?"]: (n[k.status ?? "?"] ?? 0) + 1 }), {});
    expect(statuses).toEqual({ active: 9, inactive: 2, archived: 2, expired: 1 });
    expect(inventory.projects.map((p) => [p.id, p.archived]).sort()).toEqual([
      ["wrkspc_default", false],
      ["wrkspc_legacy", true],
      ["wrkspc_prod", false],
      ["wrkspc_research", false],
    ]);
    expect(inventory.users.map((u) => u.email).sort()).toEqual(["alice@example.com", "bob@example.com", "carol@example.com", "mallory@gmail.com"]);
    // One page per list at the largest page size, the three at once.
    expect(inventory.requests).toBe(3);
    expect(sim.requests.map((r) => [r.path, r.query["limit"]]).sort()).toEqual([
      [KEYS, "1000"],
      [USERS, "1000"],
      [WORKSPACES, "1000"],
    ]);
    expect(requestsTo(sim, KEYS)[0]?.query["status"]).toBeUndefined();
    expect(requestsTo(sim, WORKSPACES)[0]?.query).toMatchObject({ include_archived: "true", include_default: "true" });
  });

  it("authenticates as the SDK does: the admin key as a bearer token, its own API version, never the key in a log", async () => {
    await collectAnthropicInventory(clientOptions(sim));
    for (const request of sim.requests) expect(request).toMatchObject({ auth: "bearer", version: "2026-10-21" });
  });

  it.each([
    [1, 14, 4, 4],
    [5, 14, 4, 4],
    [7, 14, 4, 4],
    [1000, 1014, 4, 4],
  ])("makes exactly Σ⌈items/page size⌉ requests (page size %i, %i keys)", async (pageSize, keys, workspaces, users) => {
    sim.setOrg(orgWithKeys(keys - 14));
    const inventory = await collectAnthropicInventory(clientOptions(sim, { pageSize }));
    expect(inventory.errors).toEqual([]);
    expect(inventory.keys).toHaveLength(keys);
    const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
    expect(requestsTo(sim, KEYS)).toHaveLength(pages(keys));
    expect(requestsTo(sim, WORKSPACES)).toHaveLength(pages(workspaces));
    expect(requestsTo(sim, USERS)).toHaveLength(pages(users));
    expect(inventory.requests).toBe(pages(keys) + pages(workspaces) + pages(users));
  });

  it("continues across slices under a request cap with the same requests in all", async () => {
    const options = clientOptions(sim, { pageSize: 2 });
    const parts = [];
    let state = initialWorkState();
    for (let i = 0; i < 20 && state.units.length > 0; i++) {
      const slice = await collectAnthropicSlice(options, state, 3);
      parts.push(slice.part);
      state = slice.state;
      expect(slice.part.requests).toBeLessThanOrEqual(3);
    }
    expect(state.units).toEqual([]);
    const inventory = assembleAnthropicInventory(ACCOUNT, parts);
    expect(inventory.errors).toEqual([]);
    expect(inventory.keys).toHaveLength(14);
    expect(inventory.requests).toBe(7 + 2 + 2);
  });
});

describe("failing closed, the account named", () => {
  it("a page that says has_more without a last_id makes the key list incomplete", async () => {
    sim.addFault({ match: { path: "/organizations/api_keys", afterId: "" }, effect: { kind: "truncated_page" }, times: 1 });
    const inventory = await collectAnthropicInventory(clientOptions(sim, { pageSize: 5 }));
    expect(inventory.keys).toHaveLength(5);
    expect(inventory.errors).toEqual([
      {
        scope: { list: "api_keys" },
        kind: "truncated_pagination",
        account: ACCOUNT,
        message: `Anthropic account "${ACCOUNT}": API keys: the API said has_more: true without a last_id, so the remaining pages could not be requested`,
      },
    ]);
  });

  it("an item that does not parse is an error naming it; the others are still listed", async () => {
    sim.addFault({ match: { path: "/organizations/api_keys" }, effect: { kind: "invalid_item" }, times: 1 });
    const inventory = await collectAnthropicInventory(clientOptions(sim));
    expect(inventory.keys).toHaveLength(13);
    expect(inventory.errors).toHaveLength(1);
    expect(inventory.errors[0]).toMatchObject({ scope: { list: "api_keys" }, kind: "invalid_shape", account: ACCOUNT });
    expect(inventory.errors[0]?.message).toMatch(/^Anthropic account "anthropic-eu": API keys: item "apikey_\w+" could not be read: created_at: /);
  });

  it("a mistyped field Keywarden uses is an unreadable key, not a guess", async () => {
    const org = sampleAnthropicOrg(NOW);
    (org.apiKeys[3] as unknown as Record<string, unknown>)["scope"] = { type: "workspace", workspace_id: 42 };
    sim.setOrg(org);
    const inventory = await collectAnthropicInventory(clientOptions(sim));
    expect(inventory.keys.map((k) => k.id)).not.toContain(org.apiKeys[3]?.id);
    expect(inventory.errors[0]?.message).toContain(`item "${org.apiKeys[3]?.id}" could not be read: scope.workspace_id`);
  });

  it("a rejected admin key is fatal: one error, no request after the first answers", async () => {
    const inventory = await collectAnthropicInventory({ ...clientOptions(sim), adminKey: "sk-ant-admin01-wrong-key-000000000000000" });
    expect(inventory.fatal).toMatchObject({ kind: "auth", status: 401, account: ACCOUNT });
    expect(inventory.fatal?.message).toMatch(/^Anthropic account "anthropic-eu": [\w ]+: HTTP 401: the Admin API rejected the admin key \(authentication_error\)$/);
    expect(inventory.errors).toEqual([inventory.fatal]);
    expect(inventory.keys).toEqual([]);
    // The three lists start at once; none asks again.
    expect(sim.requests.length).toBeLessThanOrEqual(3);
    expect(sim.requests.every((r) => r.status === 401)).toBe(true);
    // The simulator echoes the presented key in its 401; it never reaches the error.
    expect(JSON.stringify(inventory)).not.toContain("wrong-key");
  });

  it("a page that keeps failing (5xx) is given up after the attempts, named", async () => {
    const { sleep, waits } = fakeSleep();
    sim.addFault({ match: { path: "/organizations/users" }, effect: { kind: "status", status: 503 } });
    const inventory = await collectAnthropicInventory(clientOptions(sim, { sleep }));
    expect(inventory.fatal).toBeUndefined();
    expect(inventory.keys).toHaveLength(14);
    expect(requestsTo(sim, USERS)).toHaveLength(3);
    expect(waits).toHaveLength(2);
    expect(inventory.errors).toEqual([
      { scope: { list: "users" }, kind: "http", status: 503, account: ACCOUNT, message: `Anthropic account "${ACCOUNT}": organization users: HTTP 503 (api_error) (gave up after 3 attempts)` },
    ]);
    // Owners are still named, without the emails the user list would have given.
    expect(inventory.keys.find((k) => k.id === "apikey_prod_web")?.owner).toEqual({ type: "user", id: "user_ant_alice", name: null, email: null, role: null });
  });

  it("waits as long as a 429's Retry-After says, then reads the page", async () => {
    const { sleep, waits } = fakeSleep();
    sim.addFault({ match: { path: "/organizations/api_keys" }, effect: { kind: "status", status: 429, retryAfter: 2 }, times: 1 });
    const inventory = await collectAnthropicInventory(clientOptions(sim, { sleep }));
    expect(inventory.errors).toEqual([]);
    expect(waits).toEqual([2000]);
    expect(requestsTo(sim, KEYS).map((r) => r.status)).toEqual([429, 200]);
  });

  it("a body that is not JSON is an error of its list", async () => {
    sim.addFault({ match: { path: "/organizations/workspaces" }, effect: { kind: "malformed_json" }, times: 1 });
    const inventory = await collectAnthropicInventory(clientOptions(sim));
    expect(inventory.errors).toEqual([
      { scope: { list: "workspaces" }, kind: "invalid_json", account: ACCOUNT, message: `Anthropic account "${ACCOUNT}": workspaces: response body is not valid JSON` },
    ]);
    expect(inventory.keys.find((k) => k.id === "apikey_prod_web")?.project).toEqual({ id: "wrkspc_prod", name: null, archived: false });
  });

  it("an Admin API that never answers is fatal, not an empty account", async () => {
    const closed = await startSampleSimulator();
    const url = closed.url;
    await closed.close();
    const inventory = await collectAnthropicInventory({ ...clientOptions(sim), baseURL: url });
    expect(inventory.fatal).toMatchObject({ kind: "network", account: ACCOUNT });
    expect(inventory.fatal?.message).toContain("the Admin API could not be reached");
    expect(inventory.fatal?.message).not.toContain(ADMIN_KEY);
  });
});
