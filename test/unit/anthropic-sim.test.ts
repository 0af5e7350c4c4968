import { describe, expect, it } from "vitest";
import { SAMPLE_LAST_USED_DAYS_AGO, sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import type { AnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { ADMIN_KEY, NOW, withSampleSimulator } from "./anthropic-support.js";

let sim: AnthropicSimulator;
withSampleSimulator((started) => {
  sim = started;
});

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

const BETA = "analytics-usage-cost-2026-08-24";

async function call(path: string, opts: { query?: string; headers?: Record<string, string | null>; method?: string; body?: string } = {}): Promise<Reply> {
  const defaults: Record<string, string | null> = { "x-api-key": ADMIN_KEY, "anthropic-version": "2023-06-01" };
  const headers = Object.fromEntries(Object.entries({ ...defaults, ...opts.headers }).filter((e): e is [string, string] => e[1] !== null));
  const res = await fetch(`${sim.url}/v1${path}${opts.query ? `?${opts.query}` : ""}`, { method: opts.method ?? "GET", headers, ...(opts.body !== undefined ? { body: opts.body } : {}) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function expectError(reply: Reply, status: number, type: string): void {
  expect(reply.status).toBe(status);
  expect(reply.json).toEqual({ type: "error", error: { type, message: expect.any(String) }, request_id: reply.headers.get("request-id") });
}

describe("the sample Anthropic organization", () => {
  const org = sampleAnthropicOrg(NOW);
  it("has 14 keys across every status, 4 workspaces (one archived), a service-account key and one unused active key", () => {
    const count = (status: string) => org.apiKeys.filter((k) => k.status === status).length;
    expect([count("active"), count("inactive"), count("archived"), count("expired")]).toEqual([9, 2, 2, 1]);
    expect(org.workspaces.filter((w) => w.archived_at !== null).map((w) => w.id)).toEqual(["wrkspc_legacy"]);
    expect(org.apiKeys.filter((k) => k.principal?.type === "service_account_actor")).toHaveLength(1);
    const used = new Set(org.usage.map((u) => u.api_key_id));
    expect(org.apiKeys.filter((k) => k.status === "active" && !used.has(k.id)).map((k) => k.id)).toEqual(["apikey_research_unused"]);
    expect(Object.keys(SAMPLE_LAST_USED_DAYS_AGO).length).toBeGreaterThan(org.apiKeys.length / 2);
  });
});

describe("authentication and version", () => {
  it("takes the admin key as x-api-key or as a bearer token", async () => {
    expect((await call("/organizations/me")).json).toEqual({ id: "org_sim_anthropic", name: "Example Corp (Anthropic)", type: "organization" });
    expect((await call("/organizations/me", { headers: { "x-api-key": null, authorization: `Bearer ${ADMIN_KEY}` } })).status).toBe(200);
    expect(sim.requests.map((r) => r.auth)).toEqual(["x-api-key", "bearer"]);
  });

  it("answers 401 in the error envelope without a key or with a wrong one", async () => {
    expectError(await call("/organizations/api_keys", { headers: { "x-api-key": null } }), 401, "authentication_error");
    expectError(await call("/organizations/api_keys", { headers: { "x-api-key": "sk-ant-admin01-nope" } }), 401, "authentication_error");
  });

  it("requires a known anthropic-version", async () => {
    expectError(await call("/organizations/api_keys", { headers: { "anthropic-version": null } }), 400, "invalid_request_error");
    expectError(await call("/organizations/api_keys", { headers: { "anthropic-version": "2020-01-01" } }), 400, "invalid_request_error");
    expect((await call("/organizations/api_keys", { headers: { "anthropic-version": "2026-10-21" } })).status).toBe(200);
  });

  it("answers 404 for an unknown path and 405 for an unknown method", async () => {
    expectError(await call("/organizations/invites"), 404, "not_found_error");
    const reply = await call("/organizations/api_keys", { method: "DELETE" });
    expectError(reply, 405, "invalid_request_error");
    expect(reply.headers.get("allow")).toBe("GET");
  });
});

describe("lists", () => {
  it("pages with limit and after_id; has_more only when an item follows", async () => {
    const ids: string[] = [];
    let after = "";
    for (let page = 0; page < 3; page++) {
      const reply = await call("/organizations/api_keys", { query: `limit=5${after ? `&after_id=${after}` : ""}` });
      expect(reply.json.has_more).toBe(page < 2);
      expect(reply.json.first_id).toBe(reply.json.data[0].id);
      ids.push(...reply.json.data.map((k: { id: string }) => k.id));
      after = reply.json.last_id;
    }
    expect(new Set(ids).size).toBe(14);
    expect((await call("/organizations/api_keys", { query: "limit=14" })).json.has_more).toBe(false);
    expect((await call("/organizations/api_keys")).json.data).toHaveLength(14);
  });

  it("takes limit 1 to 1000", async () => {
    expectError(await call("/organizations/users", { query: "limit=1001" }), 400, "invalid_request_error");
    expectError(await call("/organizations/users", { query: "limit=0" }), 400, "invalid_request_error");
    expect((await call("/organizations/users", { query: "limit=1000" })).status).toBe(200);
  });

  it("filters keys by status and workspace", async () => {
    expect((await call("/organizations/api_keys", { query: "status=archived" })).json.data.map((k: { id: string }) => k.id).sort()).toEqual(["apikey_archived_legacy", "apikey_archived_old"]);
    expect((await call("/organizations/api_keys", { query: "workspace_id=wrkspc_legacy" })).json.data).toHaveLength(1);
    expectError(await call("/organizations/api_keys", { query: "status=revoked" }), 400, "invalid_request_error");
  });

  it("hides archived workspaces and the default one unless asked", async () => {
    const names = async (query: string) => (await call("/organizations/workspaces", { query })).json.data.map((w: { name: string }) => w.name).sort();
    expect(await names("")).toEqual(["production", "research"]);
    expect(await names("include_archived=true&include_default=true")).toEqual(["Default", "legacy-bots", "production", "research"]);
  });
});

describe("updating a key", () => {
  it("sets inactive and active again; never un-archives; rejects unknown fields", async () => {
    expect((await call("/organizations/api_keys/apikey_prod_web", { method: "POST", body: '{"status":"inactive"}' })).json.status).toBe("inactive");
    expect((await call("/organizations/api_keys/apikey_prod_web")).json.status).toBe("inactive");
    expect((await call("/organizations/api_keys/apikey_prod_web", { method: "POST", body: '{"status":"active"}' })).json.status).toBe("active");
    expectError(await call("/organizations/api_keys/apikey_archived_old", { method: "POST", body: '{"status":"active"}' }), 400, "invalid_request_error");
    expectError(await call("/organizations/api_keys/apikey_prod_web", { method: "POST", body: '{"status":"expired"}' }), 400, "invalid_request_error");
    expectError(await call("/organizations/api_keys/apikey_prod_web", { method: "POST", body: '{"owner":"x"}' }), 400, "invalid_request_error");
    expectError(await call("/organizations/api_keys/apikey_nope"), 404, "not_found_error");
  });
});

describe("analytics reports", () => {
  const usage = (query: string, beta: string | null = BETA) => call("/organizations/analytics/usage", { query, headers: { "anthropic-beta": beta } });

  it("need the beta header, a starting_at inside the window and a range of at most 31 days", async () => {
    expectError(await usage("starting_at=2026-11-01T00:00:00Z", null), 400, "invalid_request_error");
    expectError(await usage(""), 400, "invalid_request_error");
    expectError(await usage("starting_at=2025-12-31T00:00:00Z"), 400, "invalid_request_error");
    expectError(await usage("starting_at=2026-09-01T00:00:00Z&ending_at=2026-10-03T00:00:00Z"), 400, "invalid_request_error");
    expectError(await usage("starting_at=2026-11-01T00:00:00Z&time_bucket_width=1d"), 400, "invalid_request_error");
    expectError(await usage("starting_at=2026-11-01T00:00:00Z&group_by[]=model"), 400, "invalid_request_error");
  });

  it("gives one row per key and day with usage, null api_key_id for usage without a key", async () => {
    const reply = await usage("starting_at=2026-11-20T00:00:00Z&ending_at=2026-11-23T00:00:00Z&group_by[]=api_key_id&time_bucket_width=1d&limit=1000");
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ has_more: false, next_page: null, data_refreshed_at: "2026-11-23T06:00:00Z" });
    const rows = reply.json.data.map((r: { starting_at: string; group: { api_key_id: string | null } }) => [r.starting_at, r.group.api_key_id]).sort();
    expect(rows).toEqual([
      ["2026-11-20T00:00:00Z", null],
      ["2026-11-21T00:00:00Z", "apikey_prod_batch"],
      ["2026-11-22T00:00:00Z", "apikey_prod_web"],
    ]);
  });

  it("pages with page ← next_page", async () => {
    const first = await usage("starting_at=2026-10-25T00:00:00Z&ending_at=2026-11-23T00:00:00Z&group_by[]=api_key_id&time_bucket_width=1d&limit=2");
    expect(first.json).toMatchObject({ has_more: true, next_page: expect.any(String) });
    const second = await usage(`starting_at=2026-10-25T00:00:00Z&ending_at=2026-11-23T00:00:00Z&group_by[]=api_key_id&time_bucket_width=1d&limit=2&page=${first.json.next_page}`);
    expect(second.json.data).toHaveLength(2);
    expect(second.json.data).not.toEqual(first.json.data);
  });

  it("cost rows carry fractional cents as a decimal string in USD", async () => {
    const reply = await call("/organizations/analytics/cost", { query: "starting_at=2026-11-01T00:00:00Z&group_by[]=api_key_id&limit=1000", headers: { "anthropic-beta": BETA } });
    expect(reply.json.data.length).toBeGreaterThan(0);
    for (const row of reply.json.data) expect(row.cost).toMatchObject({ amount: expect.stringMatching(/^\d+(\.\d+)?$/), currency: "USD" });
  });
});

describe("faults and the request log", () => {
  it("injects a 429 with Retry-After before authentication, then answers", async () => {
    sim.addFault({ match: { path: "/organizations/users" }, effect: { kind: "status", status: 429, retryAfter: 3 }, times: 1 });
    const limited = await call("/organizations/users", { headers: { "x-api-key": null } });
    expectError(limited, 429, "rate_limit_error");
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await call("/organizations/users")).status).toBe(200);
  });

  it("truncates a page, breaks an item, cuts the JSON: through the control routes too", async () => {
    const control = (method: string, path: string, body?: unknown) => fetch(`${sim.url}/__sim/${path}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect((await control("POST", "faults", { match: { afterId: "" }, effect: { kind: "truncated_page" }, times: 1 })).status).toBe(201);
    const truncated = await call("/organizations/api_keys", { query: "limit=100" });
    expect(truncated.json.has_more).toBe(true);
    expect("last_id" in truncated.json).toBe(false);
    sim.addFault({ match: {}, effect: { kind: "invalid_item" }, times: 1 });
    expect("created_at" in (await call("/organizations/api_keys")).json.data[0]).toBe(false);
    sim.addFault({ match: {}, effect: { kind: "malformed_json" }, times: 1 });
    expect((await call("/organizations/api_keys")).json).toBeUndefined();
    const log = (await (await control("GET", "requests")).json()) as { requests: { path: string; status: number }[] };
    expect(log.requests.map((r) => [r.path, r.status])).toEqual([
      ["/v1/organizations/api_keys", 200],
      ["/v1/organizations/api_keys", 200],
      ["/v1/organizations/api_keys", 200],
    ]);
    expect(JSON.stringify(log)).not.toContain(ADMIN_KEY);
  });
});
