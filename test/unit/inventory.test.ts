import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { collectInventory, type InventoryOptions } from "../../src/providers/openai/collect.js";
import type { RetryPolicy } from "../../src/util/retry.js";
import { generateOrg } from "../../src/sim/generate.js";
import { minimumRequests } from "../sim/minimum-requests.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ADMIN_KEY = "sk-admin-unit-test-secret-0123456789abcdef";
const NOW = new Date("2026-11-20T12:00:00Z");
const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 2_000, budgetMs: 10_000 };

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.clearFaults();
  sim.clearLog();
  sim.setOrg(sampleOrg(NOW));
});

const options = (extra: Partial<InventoryOptions> = {}): InventoryOptions => ({ adminKey: ADMIN_KEY, baseURL: sim.url, retry: FAST_RETRY, ...extra });

describe("inventory of the sample organization", () => {
  it("lists every admin key and every project key, archived projects and owner-less-access keys included", async () => {
    const inventory = await collectInventory(options());
    expect(inventory.errors).toEqual([]);
    expect(inventory.keys.map((k) => k.id).sort()).toEqual(
      [
        "key_admin_alice", "key_admin_breakglass", "key_admin_ci",
        "key_web_prod", "key_web_old", "key_web_mallory", "key_web_dana",
        "key_data_etl", "key_data_deploy", "key_data_eve",
        "key_ml_never", "key_ml_ancient", "key_ml_new",
        "key_legacy_old",
      ].sort(),
    );
    expect(inventory.projects.find((p) => p.id === "proj_legacy")?.archived).toBe(true);
    const legacyKey = inventory.keys.find((k) => k.id === "key_legacy_old");
    expect(legacyKey?.project).toEqual({ id: "proj_legacy", name: "legacy-chatbot", archived: true });
  });

  it("normalizes both owner shapes: admin owners get their email from the user list, project owners carry their role", async () => {
    const { keys } = await collectInventory(options());
    const byId = new Map(keys.map((k) => [k.id, k]));
    expect(byId.get("key_admin_alice")).toMatchObject({ kind: "admin", project: null, owner_access: null, owner: { type: "user", id: "user_alice", email: "alice@example.com" } });
    expect(byId.get("key_admin_ci")?.owner).toMatchObject({ type: "service_account", name: "svc-admin-bot", email: null, role: "owner" });
    expect(byId.get("key_data_deploy")?.owner).toEqual({ type: "service_account", id: "sa_deploy", name: "deploy-bot", email: null, role: "owner" });
    expect(byId.get("key_web_dana")?.owner.email).toBe("Dana.Ops@EXAMPLE.COM");
    expect(byId.get("key_data_eve")?.owner_access).toBe("inactive");
    expect(byId.get("key_ml_never")?.last_used_at).toBeNull();
    expect(byId.get("key_web_old")?.last_used_at).toBe(new Date(NOW.getTime() - 143 * 86_400_000).toISOString());
  });

  it("asks for owner_project_access=any and include_archived=true, without which the API hides keys", async () => {
    await collectInventory(options());
    const keyLists = sim.requests.filter((r) => r.path.endsWith("/api_keys"));
    expect(keyLists).toHaveLength(4);
    for (const request of keyLists) expect(request.query.owner_project_access).toBe("any");
    expect(sim.requests.find((r) => r.path === "/v1/organization/projects")?.query.include_archived).toBe("true");

    // What the API answers without the parameter: the key whose owner lost access is missing.
    const plain = await fetch(`${sim.url}/organization/projects/proj_data/api_keys?limit=100`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
    const ids = ((await plain.json()) as { data: { id: string }[] }).data.map((k) => k.id);
    expect(ids).not.toContain("key_data_eve");
  });

  it("makes exactly the minimum number of requests, 100 items per page", async () => {
    const inventory = await collectInventory(options());
    expect(minimumRequests(sampleOrg(NOW))).toBe(7);
    expect(sim.requests).toHaveLength(7);
    expect(inventory.requests).toBe(7);
    for (const request of sim.requests) expect(request.query.limit).toBe("100");
  });

  it("does not list users when there is no admin key to attribute", async () => {
    sim.setOrg({ ...sampleOrg(NOW), adminKeys: [] });
    const inventory = await collectInventory(options());
    expect(inventory.errors).toEqual([]);
    expect(sim.requests.some((r) => r.path === "/v1/organization/users")).toBe(false);
  });
});

describe("pagination", () => {
  it("follows every list past its first page (small pages on the sample org)", async () => {
    const inventory = await collectInventory(options({ pageSize: 2 }));
    expect(inventory.errors).toEqual([]);
    expect(inventory.keys).toHaveLength(14);
    for (const path of ["/v1/organization/admin_api_keys", "/v1/organization/projects", "/v1/organization/users", "/v1/organization/projects/proj_web/api_keys"]) {
      const afters = sim.requests.filter((r) => r.path === path).map((r) => r.query.after ?? "");
      expect(afters.length, path).toBeGreaterThan(1);
      expect(afters[0], path).toBe("");
    }
    expect(sim.requests).toHaveLength(minimumRequests(sampleOrg(NOW), 2));
  });

  it("follows lists of more than 100 items with the minimum number of requests", async () => {
    const org = generateOrg({ projects: 130, keysPerProject: 1, users: 230, adminKeys: 120, now: NOW, seed: 7 });
    const big = generateOrg({ projects: 1, keysPerProject: 250, users: 1, adminKeys: 0, now: NOW, seed: 8 });
    const firstProject = org.projects[0]!.id;
    org.projectKeys[firstProject] = Object.values(big.projectKeys)[0]!;
    sim.setOrg(org);
    const inventory = await collectInventory(options({ concurrency: 6 }));
    expect(inventory.errors).toEqual([]);
    const expectedKeys = org.adminKeys.length + Object.values(org.projectKeys).reduce((n, keys) => n + keys.length, 0);
    expect(inventory.keys).toHaveLength(expectedKeys);
    expect(inventory.projects).toHaveLength(130);
    expect(inventory.users).toHaveLength(230);
    expect(sim.requests).toHaveLength(minimumRequests(org));
    expect(sim.requests.filter((r) => r.path === `/v1/organization/projects/${firstProject}/api_keys`)).toHaveLength(3);
  });
});

describe("duplicates", () => {
  it("audits a key listed under two projects once and says the inventory is inconsistent", async () => {
    const org = sampleOrg(NOW);
    const copied = { ...org.projectKeys.proj_web!.find((k) => k.id === "key_web_mallory")! };
    org.projectKeys.proj_ml = [...org.projectKeys.proj_ml!, copied];
    sim.setOrg(org);
    const inventory = await collectInventory(options());
    expect(inventory.keys.filter((k) => k.id === "key_web_mallory")).toHaveLength(1);
    expect(inventory.errors).toEqual([expect.objectContaining({ kind: "invalid_shape", message: expect.stringMatching(/key_web_mallory is listed under projects/) })]);
  });

  it("lists the keys of a project once even when the project appears on two pages", async () => {
    const org = sampleOrg(NOW);
    org.projects = [...org.projects, { ...org.projects[0]! }];
    sim.setOrg(org);
    const inventory = await collectInventory(options({ pageSize: 2 }));
    const first = org.projects[0]!.id;
    expect(inventory.projects.filter((p) => p.id === first)).toHaveLength(1);
    expect(sim.requests.filter((r) => r.path === `/v1/organization/projects/${first}/api_keys` && !r.query.after)).toHaveLength(1);
  });
});

describe("concurrency", () => {
  it("keeps at most 6 requests in flight, and uses them", async () => {
    const org = generateOrg({ projects: 40, keysPerProject: 2, users: 10, adminKeys: 2, now: NOW, seed: 3 });
    sim.setOrg(org);
    sim.addFault({ match: { pathPrefix: "/organization" }, effect: { kind: "latency", ms: 20 } });
    const inventory = await collectInventory(options());
    expect(inventory.errors).toEqual([]);
    expect(sim.maxConcurrent).toBeLessThanOrEqual(6);
    expect(sim.maxConcurrent).toBeGreaterThanOrEqual(5);
  });
});

describe("faults", () => {
  const mlKeys = "/organization/projects/proj_ml/api_keys";

  it("retries a 429 after its Retry-After and still sees everything", async () => {
    sim.addFault({ match: { path: mlKeys }, times: 1, effect: { kind: "status", status: 429, retryAfter: 1 } });
    const inventory = await collectInventory(options());
    expect(inventory.errors).toEqual([]);
    expect(inventory.keys).toHaveLength(14);
    const attempts = sim.requests.filter((r) => r.path === `/v1${mlKeys}`);
    expect(attempts.map((r) => r.status)).toEqual([429, 200]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("gives up on a persistent 5xx and names the project it could not see, keeping the rest", async () => {
    sim.addFault({ match: { path: mlKeys }, effect: { kind: "status", status: 503 } });
    const inventory = await collectInventory(options());
    expect(inventory.errors).toHaveLength(1);
    expect(inventory.errors[0]).toMatchObject({ kind: "http", status: 503, scope: { list: "project_api_keys", project_id: "proj_ml", project_name: "ml-research" } });
    expect(inventory.errors[0]!.message).toContain("ml-research");
    expect(inventory.keys.some((k) => k.project?.id === "proj_ml")).toBe(false);
    expect(inventory.keys).toHaveLength(11);
    expect(sim.requests.filter((r) => r.path === `/v1${mlKeys}`)).toHaveLength(FAST_RETRY.maxAttempts);
  });

  it("records a malformed JSON page as an error for its scope", async () => {
    sim.addFault({ match: { path: "/organization/admin_api_keys" }, effect: { kind: "malformed_json" } });
    const inventory = await collectInventory(options());
    expect(inventory.errors).toEqual([expect.objectContaining({ kind: "invalid_json", scope: { list: "admin_api_keys" } })]);
  });

  it("treats has_more: true without last_id as an error, not as the last page", async () => {
    sim.addFault({ match: { path: "/organization/projects" }, effect: { kind: "lie_has_more" } });
    const inventory = await collectInventory(options());
    expect(inventory.errors).toEqual([expect.objectContaining({ kind: "truncated_pagination", scope: { list: "projects" } })]);
  });

  it("records an item that does not match the schema, naming it, and keeps the valid ones", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_web/api_keys" }, effect: { kind: "invalid_shape" } });
    const inventory = await collectInventory(options());
    expect(inventory.errors).toHaveLength(1);
    expect(inventory.errors[0]).toMatchObject({ kind: "invalid_shape", scope: { list: "project_api_keys", project_id: "proj_web" } });
    expect(inventory.keys.filter((k) => k.project?.id === "proj_web")).toHaveLength(3);
  });

  it("records a 400 on an archived project's keys as an error naming that project", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_legacy/api_keys" }, effect: { kind: "status", status: 400 } });
    const inventory = await collectInventory(options());
    expect(inventory.errors).toEqual([
      expect.objectContaining({ kind: "http", status: 400, scope: { list: "project_api_keys", project_id: "proj_legacy", project_name: "legacy-chatbot" } }),
    ]);
    // A 400 is not retried.
    expect(sim.requests.filter((r) => r.path.endsWith("/proj_legacy/api_keys"))).toHaveLength(1);
  });

  it("does not wait for a Retry-After longer than the cap", async () => {
    sim.addFault({ match: { path: mlKeys }, effect: { kind: "status", status: 429, retryAfter: 3600 } });
    const started = Date.now();
    const inventory = await collectInventory(options());
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(inventory.errors[0]?.message).toMatch(/exceeds the 2 s cap/);
  });

  it("stops retrying when the run's retry budget is spent", async () => {
    sim.addFault({ match: { pathPrefix: "/organization/projects/" }, effect: { kind: "status", status: 500 } });
    const inventory = await collectInventory(options({ retry: { maxAttempts: 10, baseDelayMs: 40, maxDelayMs: 100, budgetMs: 150 } }));
    expect(inventory.errors).toHaveLength(4);
    expect(inventory.errors.some((e) => e.kind === "budget_exhausted")).toBe(true);
  });

  it("stops at the first 401 and never repeats the key in its message", async () => {
    const inventory = await collectInventory({ ...options(), adminKey: "sk-admin-wrong-key-abcdefghijklmnopqrstuvwxyz" });
    expect(inventory.fatal).toMatchObject({ kind: "auth", status: 401 });
    expect(inventory.fatal!.message).not.toContain("sk-admin-wrong-key");
    expect(JSON.stringify(inventory)).not.toContain("abcdefghijklmnopqrstuvwxyz");
    // Only the requests already in flight when the 401 came back were made.
    expect(sim.requests.length).toBeLessThanOrEqual(2);
  });
});

describe("slices under a request cap (one Workflow step each)", () => {
  it("reads the same inventory in slices, none above its cap", async () => {
    const { collectInventorySlice, assembleInventory } = await import("../../src/providers/openai/collect.js");
    const { initialWorkState } = await import("../../src/providers/openai/inventory-work.js");
    const org = generateOrg({ projects: 60, keysPerProject: 3, users: 120, adminKeys: 5, now: NOW, seed: 11 });
    sim.setOrg(org);
    const whole = await collectInventory(options());
    sim.clearLog();

    const cap = 12;
    const parts = [];
    const perSlice: number[] = [];
    let state = initialWorkState();
    do {
      const before = sim.requests.length;
      const slice = await collectInventorySlice(options(), state, cap);
      perSlice.push(sim.requests.length - before);
      parts.push(slice.part);
      state = slice.state;
    } while (state.units.length > 0);

    const sliced = assembleInventory(parts);
    expect(sliced.errors).toEqual([]);
    expect(Math.max(...perSlice)).toBeLessThanOrEqual(cap);
    expect(perSlice.length).toBeGreaterThan(5);
    expect(sliced.keys.map((k) => k.id).sort()).toEqual(whole.keys.map((k) => k.id).sort());
    expect(sliced.keys).toEqual(expect.arrayContaining(whole.keys));
    expect(sim.requests).toHaveLength(minimumRequests(org));
  });
});
