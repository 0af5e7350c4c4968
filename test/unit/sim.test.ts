import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { generateOrg } from "../../src/sim/generate.js";
import { countKeys, DAY_SECONDS, unixSeconds, type SimOrg } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { startSimulator, type Simulator } from "../../src/sim/server.js";

const NOW = new Date("2026-11-23T06:00:00Z");
const NOW_S = unixSeconds(NOW);
const ADMIN_KEY = "sk-admin-unit-test-0123456789abcdefXYZ";

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

let sim: Simulator;

async function call(
  path: string,
  opts: { query?: Record<string, string>; key?: string | null; method?: string; base?: string } = {},
): Promise<Reply> {
  const url = new URL((opts.base ?? sim.url) + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? ADMIN_KEY : opts.key;
  if (key !== null) headers["authorization"] = `Bearer ${key}`;
  const res = await fetch(url, { method: opts.method ?? "GET", headers });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // left undefined; tests that care look at `text`
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Follows `after` cursors until has_more is false; returns every page. */
async function allPages(path: string, query: Record<string, string>): Promise<Reply[]> {
  const pages: Reply[] = [];
  let after: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const page = await call(path, { query: after === undefined ? query : { ...query, after } });
    expect(page.status).toBe(200);
    pages.push(page);
    if (!page.json.has_more) return pages;
    after = page.json.last_id;
  }
  throw new Error("pagination did not terminate");
}

function expectErrorEnvelope(reply: Reply, status: number, param: string | null = null): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toBe("application/json");
  expect(Object.keys(reply.json)).toEqual(["error"]);
  expect(Object.keys(reply.json.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof reply.json.error.message).toBe("string");
  expect(reply.json.error.param).toBe(param);
}

beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY });
});
afterEach(() => {
  sim.clearFaults();
  sim.clearLog();
  sim.setOrg(sampleOrg(NOW));
});
afterAll(async () => {
  await sim.close();
});

describe("sampleOrg", () => {
  const org = sampleOrg(NOW);
  const allProjectKeys = Object.values(org.projectKeys).flat();

  it("has exactly 14 keys (3 admin + 11 project) and one archived project", () => {
    expect(countKeys(org)).toEqual({ admin: 3, project: 11, total: 14 });
    expect(org.adminKeys.map((k) => k.id)).toEqual(["key_admin_alice", "key_admin_breakglass", "key_admin_ci"]);
    expect(Object.fromEntries(Object.entries(org.projectKeys).map(([p, ks]) => [p, ks.map((k) => k.id)]))).toEqual({
      proj_web: ["key_web_prod", "key_web_old", "key_web_mallory", "key_web_dana"],
      proj_data: ["key_data_etl", "key_data_deploy", "key_data_eve"],
      proj_ml: ["key_ml_never", "key_ml_ancient", "key_ml_new"],
      proj_legacy: ["key_legacy_old"],
    });
    const archived = org.projects.filter((p) => p.status === "archived");
    expect(archived.map((p) => p.id)).toEqual(["proj_legacy"]);
    expect(archived[0]?.archived_at).toBe(NOW_S - 200 * DAY_SECONDS);
    expect(org.projects.filter((p) => p.archived_at === null).map((p) => p.id).sort()).toEqual(["proj_data", "proj_ml", "proj_web"]);
  });

  it("uses exact whole-day offsets and the contract details", () => {
    const key = (id: string) => allProjectKeys.find((k) => k.id === id);
    expect(key("key_web_old")?.last_used_at).toBe(NOW_S - 143 * DAY_SECONDS);
    expect(key("key_ml_never")?.last_used_at).toBeNull();
    expect(key("key_ml_ancient")?.created_at).toBe(NOW_S - 500 * DAY_SECONDS);
    expect(key("key_data_eve")?.owner_project_access).toBe("inactive");
    expect(allProjectKeys.filter((k) => k.owner_project_access === "inactive").map((k) => k.id)).toEqual(["key_data_eve"]);
    const dana = key("key_web_dana")?.owner;
    expect(dana?.type === "user" && dana.user.email).toBe("Dana.Ops@EXAMPLE.COM");
    expect(org.users.find((u) => u.id === "user_dana")?.email).toBe("Dana.Ops@EXAMPLE.COM");

    const ci = org.adminKeys.find((k) => k.id === "key_admin_ci");
    expect(ci?.owner).toMatchObject({ type: "service_account", object: "organization.service_account", id: "user_svc_admin", name: "svc-admin-bot", role: "owner" });
    expect(ci?.last_used_at).toBe(NOW_S - 2 * 3600);
    const breakglass = org.adminKeys.find((k) => k.id === "key_admin_breakglass");
    expect(breakglass).toMatchObject({ last_used_at: null, expires_at: null, created_at: NOW_S - 400 * DAY_SECONDS });
    expect(org.adminKeys.find((k) => k.id === "key_admin_alice")?.expires_at).toBe(NOW_S + 60 * DAY_SECONDS);

    const svc = org.users.find((u) => u.id === "user_svc_admin");
    expect(svc).toMatchObject({ is_service_account: true, email: null, role: "owner" });
    for (const id of ["user_alice", "user_bob", "user_mallory", "user_dana", "user_eve"]) {
      expect(org.users.some((u) => u.id === id)).toBe(true);
    }
  });

  it("only carries redacted key values", () => {
    const values = [...org.adminKeys.map((k) => k.redacted_value), ...allProjectKeys.map((k) => k.redacted_value)];
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v).toMatch(/^sk-(admin|proj)-\.\.\.[A-Za-z0-9]{4}$/);
  });

  it("is the same whatever day it is, relative to now", () => {
    const laterNow = new Date(NOW.getTime() + 37 * DAY_SECONDS * 1000);
    const offsets = (o: SimOrg, now: Date) => {
      const n = unixSeconds(now);
      return Object.values(o.projectKeys)
        .flat()
        .map((k) => [k.id, k.created_at - n, k.last_used_at === null ? null : k.last_used_at - n]);
    };
    expect(offsets(sampleOrg(laterNow), laterNow)).toEqual(offsets(org, NOW));
  });
});

describe("objects served match the spec shapes", () => {
  it("admin keys: exact fields, flat owner without email", async () => {
    const r = await call("/organization/admin_api_keys");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(Object.keys(r.json)).toEqual(["object", "data", "first_id", "last_id", "has_more"]);
    const key = r.json.data.find((k: { id: string }) => k.id === "key_admin_alice");
    expect(Object.keys(key).sort()).toEqual(["created_at", "expires_at", "id", "last_used_at", "name", "object", "owner", "redacted_value"]);
    expect(key.object).toBe("organization.admin_api_key");
    expect(Object.keys(key.owner).sort()).toEqual(["created_at", "id", "name", "object", "role", "type"]);
    expect(key.owner).toMatchObject({ type: "user", object: "organization.user", id: "user_alice", role: "owner" });
    // Served verbatim, in created_at order.
    const expected = [...sampleOrg(NOW).adminKeys].sort((a, b) => a.created_at - b.created_at);
    expect(r.json.data).toEqual(expected);
  });

  it("project keys: user and service-account owners", async () => {
    const r = await call("/organization/projects/proj_data/api_keys", { query: { owner_project_access: "any" } });
    const etl = r.json.data.find((k: { id: string }) => k.id === "key_data_etl");
    expect(Object.keys(etl).sort()).toEqual(["created_at", "id", "last_used_at", "name", "object", "owner", "owner_project_access", "redacted_value"]);
    expect(etl.object).toBe("organization.project.api_key");
    expect(etl.owner).toEqual({ type: "service_account", service_account: { id: "sa_ci_etl", name: "ci-etl", created_at: expect.any(Number), role: "member" } });
    const eve = r.json.data.find((k: { id: string }) => k.id === "key_data_eve");
    expect(eve.owner.type).toBe("user");
    expect(Object.keys(eve.owner).sort()).toEqual(["type", "user"]);
    expect(Object.keys(eve.owner.user).sort()).toEqual(["created_at", "email", "id", "name", "role"]);
    expect(eve.owner.user).toMatchObject({ id: "user_eve", email: "eve@example.com", role: "member" });
  });

  it("projects and users", async () => {
    const p = await call("/organization/projects", { query: { include_archived: "true" } });
    const legacy = p.json.data.find((x: { id: string }) => x.id === "proj_legacy");
    expect(legacy).toEqual({ id: "proj_legacy", object: "organization.project", name: "legacy-chatbot", created_at: expect.any(Number), archived_at: NOW_S - 200 * DAY_SECONDS, status: "archived" });
    const u = await call("/organization/users", { query: { limit: "100" } });
    const dana = u.json.data.find((x: { id: string }) => x.id === "user_dana");
    expect(Object.keys(dana).sort()).toEqual(["added_at", "email", "id", "is_service_account", "name", "object", "role"]);
    expect(dana).toMatchObject({ object: "organization.user", email: "Dana.Ops@EXAMPLE.COM", role: "owner", is_service_account: false });
    for (const x of [...p.json.data, ...u.json.data]) {
      const t = x.created_at ?? x.added_at;
      expect(Number.isInteger(t)).toBe(true);
    }
  });
});

describe("auth", () => {
  it("401 echoes the full presented key", async () => {
    const wrong = "sk-admin-WRONG-abcdefghijklmnopqrstuvwxyz0123456789";
    const r = await call("/organization/projects", { key: wrong });
    expectErrorEnvelope(r, 401);
    expect(r.json.error).toEqual({
      message: `Incorrect API key provided: ${wrong}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: "invalid_request_error",
      param: null,
      code: "invalid_api_key",
    });
    expect(r.text).toContain(wrong);
  });

  it("401 without an Authorization header, on every route", async () => {
    for (const path of ["/organization/admin_api_keys", "/organization/users", "/organization/projects/proj_web/api_keys"]) {
      const r = await call(path, { key: null });
      expectErrorEnvelope(r, 401);
      expect(r.json.error.message).toMatch(/didn't provide an API key/);
    }
    expect(sim.requests.map((e) => e.status)).toEqual([401, 401, 401]);
  });
});

describe("pagination", () => {
  it("walks users 3 at a time with first_id/last_id/has_more/after", async () => {
    const pages = await allPages("/organization/users", { limit: "3" });
    expect(pages.map((p) => p.json.data.length)).toEqual([3, 3, 2]);
    expect(pages.map((p) => p.json.has_more)).toEqual([true, true, false]);
    for (const p of pages) {
      expect(p.json.first_id).toBe(p.json.data[0].id);
      expect(p.json.last_id).toBe(p.json.data[p.json.data.length - 1].id);
    }
    const ids = pages.flatMap((p) => p.json.data.map((u: { id: string }) => u.id));
    const expected = [...sampleOrg(NOW).users].sort((a, b) => a.added_at - b.added_at || a.id.localeCompare(b.id)).map((u) => u.id);
    expect(ids).toEqual(expected);
    expect(sim.requests.map((e) => e.query["after"])).toEqual([undefined, pages[0]?.json.last_id, pages[1]?.json.last_id]);
  });

  it("orders by created_at then id, and breaks ties by id", async () => {
    const org = sampleOrg(NOW);
    const t = NOW_S - 5 * DAY_SECONDS;
    org.projects = ["proj_c", "proj_a", "proj_b"].map((id) => ({ id, object: "organization.project", name: id, created_at: t, archived_at: null, status: "active" }));
    org.projects.push({ id: "proj_0_newest", object: "organization.project", name: "n", created_at: t + 1, archived_at: null, status: "active" });
    sim.setOrg(org);
    const r = await call("/organization/projects");
    expect(r.json.data.map((p: { id: string }) => p.id)).toEqual(["proj_a", "proj_b", "proj_c", "proj_0_newest"]);
  });

  it("serves a large generated org page by page without loss or duplicates", async () => {
    const big = generateOrg({ projects: 45, keysPerProject: 130, users: 230, adminKeys: 3, archivedEvery: 0, now: NOW, seed: 7 });
    sim.setOrg(big);
    const users = await allPages("/organization/users", { limit: "100" });
    expect(users.map((p) => p.json.data.length)).toEqual([100, 100, 30]);
    const projects = await allPages("/organization/projects", { limit: "10" });
    expect(projects.flatMap((p) => p.json.data.map((x: { id: string }) => x.id)).sort()).toEqual(big.projects.map((p) => p.id).sort());
    const firstProject = big.projects[0]!;
    const keys = await allPages(`/organization/projects/${firstProject.id}/api_keys`, { limit: "100", owner_project_access: "any" });
    const keyIds = keys.flatMap((p) => p.json.data.map((k: { id: string }) => k.id));
    expect(keyIds).toHaveLength(130);
    expect(new Set(keyIds).size).toBe(130);
  });

  it("default limit is 20 and an empty page has null first_id/last_id", async () => {
    sim.setOrg(generateOrg({ projects: 1, keysPerProject: 0, users: 25, adminKeys: 0, now: NOW }));
    const r = await call("/organization/users");
    expect(r.json.data).toHaveLength(20);
    expect(r.json.has_more).toBe(true);
    const empty = await call("/organization/admin_api_keys");
    expect(empty.json).toEqual({ object: "list", data: [], first_id: null, last_id: null, has_more: false });
  });

  it("rejects limit outside 1..100 and non-integers with 400 param 'limit'", async () => {
    for (const limit of ["0", "101", "-3", "abc", "2.5", ""]) {
      const r = await call("/organization/projects", { query: { limit } });
      expectErrorEnvelope(r, 400, "limit");
    }
    expect((await call("/organization/projects", { query: { limit: "1" } })).json.data).toHaveLength(1);
    expect((await call("/organization/users", { query: { limit: "100" } })).status).toBe(200);
  });

  it("rejects an unknown after cursor with 400 param 'after'", async () => {
    const r = await call("/organization/users", { query: { after: "user_nobody" } });
    expectErrorEnvelope(r, 400, "after");
    expect((await call("/organization/users", { query: { after: "user_alice" } })).json.data.map((u: { id: string }) => u.id)).not.toContain("user_alice");
  });

  it("admin keys honour order=desc", async () => {
    const asc = await call("/organization/admin_api_keys");
    const desc = await call("/organization/admin_api_keys", { query: { order: "desc" } });
    expect(asc.json.data.map((k: { id: string }) => k.id)).toEqual(["key_admin_breakglass", "key_admin_alice", "key_admin_ci"]);
    expect(desc.json.data.map((k: { id: string }) => k.id)).toEqual(["key_admin_ci", "key_admin_alice", "key_admin_breakglass"]);
    const second = await call("/organization/admin_api_keys", { query: { order: "desc", limit: "1", after: "key_admin_ci" } });
    expect(second.json.data.map((k: { id: string }) => k.id)).toEqual(["key_admin_alice"]);
    expectErrorEnvelope(await call("/organization/admin_api_keys", { query: { order: "sideways" } }), 400, "order");
  });
});

describe("filters", () => {
  const ids = (r: Reply): string[] => r.json.data.map((x: { id: string }) => x.id);

  it("projects exclude archived ones unless include_archived=true", async () => {
    expect(ids(await call("/organization/projects")).sort()).toEqual(["proj_data", "proj_ml", "proj_web"]);
    expect(ids(await call("/organization/projects", { query: { include_archived: "false" } })).sort()).toEqual(["proj_data", "proj_ml", "proj_web"]);
    expect(ids(await call("/organization/projects", { query: { include_archived: "true" } })).sort()).toEqual(["proj_data", "proj_legacy", "proj_ml", "proj_web"]);
    expectErrorEnvelope(await call("/organization/projects", { query: { include_archived: "maybe" } }), 400, "include_archived");
  });

  it("owner_project_access: omitted hides inactive owners; active / inactive / any", async () => {
    const path = "/organization/projects/proj_data/api_keys";
    expect(ids(await call(path)).sort()).toEqual(["key_data_deploy", "key_data_etl"]);
    expect(ids(await call(path, { query: { owner_project_access: "active" } })).sort()).toEqual(["key_data_deploy", "key_data_etl"]);
    expect(ids(await call(path, { query: { owner_project_access: "inactive" } }))).toEqual(["key_data_eve"]);
    expect(ids(await call(path, { query: { owner_project_access: "any" } })).sort()).toEqual(["key_data_deploy", "key_data_etl", "key_data_eve"]);
    expectErrorEnvelope(await call(path, { query: { owner_project_access: "all" } }), 400, "owner_project_access");
  });

  it("pagination counts only visible keys when owner_project_access is omitted", async () => {
    // proj_data sorted by created_at: eve (300d), deploy (90d), etl (60d); eve is hidden.
    const first = await call("/organization/projects/proj_data/api_keys", { query: { limit: "2" } });
    expect(ids(first)).toEqual(["key_data_deploy", "key_data_etl"]);
    expect(first.json.has_more).toBe(false);
  });

  it("archived projects still list their keys; unknown project is a 404 envelope", async () => {
    expect(ids(await call("/organization/projects/proj_legacy/api_keys"))).toEqual(["key_legacy_old"]);
    expectErrorEnvelope(await call("/organization/projects/proj_nope/api_keys"), 404);
  });
});

describe("routing", () => {
  it("unknown route → 404 envelope; non-GET → 405 envelope", async () => {
    expectErrorEnvelope(await call("/organization/invites"), 404);
    expectErrorEnvelope(await call("/organization/projects/proj_web"), 404);
    expectErrorEnvelope(await call("/whatever", { base: sim.url.replace(/\/v1$/, "") }), 404);
    for (const method of ["POST", "DELETE", "PUT"]) {
      const r = await call("/organization/projects", { method });
      expectErrorEnvelope(r, 405);
      expect(r.headers.get("allow")).toBe("GET");
    }
  });
});

describe("faults", () => {
  it("status fault with times is consumed per matching request", async () => {
    sim.addFault({ match: { path: "/organization/users" }, times: 2, effect: { kind: "status", status: 503 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call("/organization/users")).status);
    expect(statuses).toEqual([503, 503, 200]);
    // other paths are unaffected
    expect((await call("/organization/projects")).status).toBe(200);
    const r = await call("/organization/users");
    expect(r.status).toBe(200);
  });

  it("status fault body is an error envelope; 429 sets Retry-After", async () => {
    sim.addFault({ match: { pathPrefix: "/organization/projects" }, times: 1, effect: { kind: "status", status: 429, retryAfter: 7 } });
    const r = await call("/organization/projects/proj_ml/api_keys");
    expectErrorEnvelope(r, 429);
    expect(r.headers.get("retry-after")).toBe("7");
    expect((await call("/organization/projects/proj_ml/api_keys")).status).toBe(200);

    sim.addFault({ match: {}, times: 1, effect: { kind: "status", status: 500 } });
    const e = await call("/organization/admin_api_keys");
    expectErrorEnvelope(e, 500);
    expect(e.headers.get("retry-after")).toBeNull();
  });

  it("without times a fault persists until cleared", async () => {
    sim.addFault({ match: { path: "/organization/users" }, effect: { kind: "status", status: 502 } });
    for (let i = 0; i < 4; i++) expect((await call("/organization/users")).status).toBe(502);
    sim.clearFaults();
    expect((await call("/organization/users")).status).toBe(200);
  });

  it("match.after targets one page; '' means the first page", async () => {
    sim.addFault({ match: { path: "/organization/users", after: "user_bob" }, times: 1, effect: { kind: "status", status: 500 } });
    sim.addFault({ match: { path: "/organization/projects", after: "" }, times: 1, effect: { kind: "status", status: 500 } });
    expect((await call("/organization/users", { query: { limit: "1" } })).status).toBe(200);
    expect((await call("/organization/users", { query: { after: "user_alice" } })).status).toBe(200);
    expect((await call("/organization/users", { query: { after: "user_bob" } })).status).toBe(500);
    expect((await call("/organization/users", { query: { after: "user_bob" } })).status).toBe(200);
    expect((await call("/organization/projects", { query: { after: "proj_ml" } })).status).toBe(200);
    expect((await call("/organization/projects")).status).toBe(500);
    expect((await call("/organization/projects")).status).toBe(200);
  });

  it("exact path does not match a longer path", async () => {
    sim.addFault({ match: { path: "/organization/projects" }, effect: { kind: "status", status: 500 } });
    expect((await call("/organization/projects/proj_web/api_keys")).status).toBe(200);
    expect((await call("/organization/projects")).status).toBe(500);
  });

  it("malformed_json: 200 with a body that is not JSON", async () => {
    sim.addFault({ match: { path: "/organization/admin_api_keys" }, times: 1, effect: { kind: "malformed_json" } });
    const r = await call("/organization/admin_api_keys");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.text.length).toBeGreaterThan(0);
    expect(() => JSON.parse(r.text)).toThrow();
    expect((await call("/organization/admin_api_keys")).json.object).toBe("list");
  });

  it("lie_has_more: has_more true, last_id missing, data as usual", async () => {
    const normal = await call("/organization/projects");
    sim.addFault({ match: { path: "/organization/projects" }, times: 1, effect: { kind: "lie_has_more" } });
    const r = await call("/organization/projects");
    expect(r.status).toBe(200);
    expect(r.json.has_more).toBe(true);
    expect("last_id" in r.json).toBe(false);
    expect(r.json.data).toEqual(normal.json.data);
    expect(normal.json.has_more).toBe(false);
  });

  it("invalid_shape: one item lacks a required field", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_web/api_keys" }, times: 1, effect: { kind: "invalid_shape" } });
    sim.addFault({ match: { path: "/organization/users" }, times: 1, effect: { kind: "invalid_shape" } });
    const keys = await call("/organization/projects/proj_web/api_keys");
    expect(keys.status).toBe(200);
    const missing = keys.json.data.filter((k: Record<string, unknown>) => !("created_at" in k));
    expect(missing).toHaveLength(1);
    expect(keys.json.data).toHaveLength(4);
    const users = await call("/organization/users");
    expect(users.json.data.filter((u: Record<string, unknown>) => !("added_at" in u))).toHaveLength(1);
    // consumed: next responses are whole again
    const again = await call("/organization/projects/proj_web/api_keys");
    expect(again.json.data.every((k: Record<string, unknown>) => "created_at" in k)).toBe(true);
  });

  it("latency fault delays matching responses, then is used up", async () => {
    sim.addFault({ match: { path: "/organization/users" }, times: 1, effect: { kind: "latency", ms: 250 } });
    let t = performance.now();
    expect((await call("/organization/users")).status).toBe(200);
    expect(performance.now() - t).toBeGreaterThanOrEqual(240);
    t = performance.now();
    await call("/organization/users");
    expect(performance.now() - t).toBeLessThan(200);
  });

  it("latency combines with a status fault", async () => {
    sim.addFault({ match: { path: "/organization/users" }, times: 1, effect: { kind: "latency", ms: 150 } });
    sim.addFault({ match: { path: "/organization/users" }, times: 1, effect: { kind: "status", status: 500 } });
    const t = performance.now();
    expect((await call("/organization/users")).status).toBe(500);
    expect(performance.now() - t).toBeGreaterThanOrEqual(140);
  });

  it("addFault rejects nonsense", () => {
    // @ts-expect-error deliberately wrong kind
    expect(() => sim.addFault({ match: {}, effect: { kind: "explode" } })).toThrow(/kind/);
    expect(() => sim.addFault({ match: {}, times: -1, effect: { kind: "malformed_json" } })).toThrow(/times/);
  });
});

describe("request log and concurrency", () => {
  it("records every API request in order, with status, including faulted and unauthorized ones", async () => {
    sim.addFault({ match: { path: "/organization/projects" }, times: 1, effect: { kind: "status", status: 500 } });
    const before = Date.now();
    await call("/organization/projects", { query: { limit: "5" } });
    await call("/organization/users", { key: "nope" });
    await call("/organization/projects/proj_web/api_keys", { query: { owner_project_access: "any", after: "key_web_old" } });
    await call("/organization/projects", { method: "POST" });
    await fetch(sim.url.replace(/\/v1$/, "/__sim/requests")); // control routes are not logged
    expect(sim.requests.map(({ method, path, query, status }) => ({ method, path, query, status }))).toEqual([
      { method: "GET", path: "/v1/organization/projects", query: { limit: "5" }, status: 500 },
      { method: "GET", path: "/v1/organization/users", query: {}, status: 401 },
      { method: "GET", path: "/v1/organization/projects/proj_web/api_keys", query: { owner_project_access: "any", after: "key_web_old" }, status: 200 },
      { method: "POST", path: "/v1/organization/projects", query: {}, status: 405 },
    ]);
    for (const e of sim.requests) {
      expect(e.at).toBeGreaterThanOrEqual(before);
      expect(e.at).toBeLessThanOrEqual(Date.now());
    }
    sim.clearLog();
    expect(sim.requests).toHaveLength(0);
  });

  it("maxConcurrent observes requests in flight at once; latencyMs delays every response", async () => {
    const slow = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY, latencyMs: 150 });
    try {
      const t = performance.now();
      const results = await Promise.all(
        ["proj_web", "proj_data", "proj_ml", "proj_legacy", "proj_web"].map((p) => call(`/organization/projects/${p}/api_keys`, { base: slow.url })),
      );
      const elapsed = performance.now() - t;
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      expect(slow.maxConcurrent).toBe(5);
      expect(elapsed).toBeGreaterThanOrEqual(140);
      expect(elapsed).toBeLessThan(5 * 150); // they really overlapped

      slow.clearLog();
      expect(slow.maxConcurrent).toBe(0);
      for (const p of ["proj_web", "proj_data"]) await call(`/organization/projects/${p}/api_keys`, { base: slow.url });
      expect(slow.maxConcurrent).toBe(1);
    } finally {
      await slow.close();
    }
  });
});

describe("HTTP control routes", () => {
  const control = (path: string, init?: RequestInit) => fetch(sim.url.replace(/\/v1$/, "/__sim") + path, init);

  it("POST/DELETE /__sim/faults, GET/DELETE /__sim/requests, PUT /__sim/org", async () => {
    const posted = await control("/faults", {
      method: "POST",
      body: JSON.stringify({ match: { path: "/organization/users" }, times: 1, effect: { kind: "status", status: 429, retryAfter: 3 } }),
    });
    expect(posted.status).toBe(201);
    const limited = await call("/organization/users");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("3");
    expect((await call("/organization/users")).status).toBe(200);

    await control("/faults", { method: "POST", body: JSON.stringify({ match: {}, effect: { kind: "status", status: 500 } }) });
    expect((await call("/organization/users")).status).toBe(500);
    expect((await control("/faults", { method: "DELETE" })).status).toBe(200);
    expect((await call("/organization/users")).status).toBe(200);

    const log = (await (await control("/requests")).json()) as { requests: { status: number }[]; maxConcurrent: number };
    expect(log.requests.map((e) => e.status)).toEqual([429, 200, 500, 200]);
    expect(log.maxConcurrent).toBeGreaterThanOrEqual(1);
    expect((await control("/requests", { method: "DELETE" })).status).toBe(200);
    expect(sim.requests).toHaveLength(0);

    const tiny = generateOrg({ projects: 2, keysPerProject: 1, users: 3, adminKeys: 1, archivedEvery: 0, now: NOW, seed: 3 });
    expect((await control("/org", { method: "PUT", body: JSON.stringify(tiny) })).status).toBe(200);
    const projects = await call("/organization/projects");
    expect(projects.json.data.map((p: { id: string }) => p.id).sort()).toEqual(["proj_g0001", "proj_g0002"]);
    expect(sim.requests).toHaveLength(1);
  });

  it("rejects invalid control bodies with 400", async () => {
    expect((await control("/faults", { method: "POST", body: "{not json" })).status).toBe(400);
    expect((await control("/faults", { method: "POST", body: JSON.stringify({ match: {}, effect: { kind: "nope" } }) })).status).toBe(400);
    expect((await control("/org", { method: "PUT", body: JSON.stringify({ projects: [] }) })).status).toBe(400);
    expect((await control("/nothing")).status).toBe(404);
    expect((await call("/organization/projects")).status).toBe(200); // still serving the old org
  });
});

describe("generateOrg", () => {
  const opts = { projects: 25, keysPerProject: 12, users: 80, adminKeys: 5, archivedEvery: 5, now: NOW, seed: 42 };

  it("is deterministic for the same options and varies with the seed", () => {
    expect(generateOrg(opts)).toEqual(generateOrg(opts));
    expect(generateOrg({ ...opts, seed: 43 })).not.toEqual(generateOrg(opts));
  });

  it("has the requested sizes and unique, stable ids", () => {
    const org = generateOrg(opts);
    expect(org.projects).toHaveLength(25);
    expect(org.users).toHaveLength(80);
    expect(org.adminKeys).toHaveLength(5);
    expect(Object.keys(org.projectKeys).sort()).toEqual(org.projects.map((p) => p.id).sort());
    for (const keys of Object.values(org.projectKeys)) expect(keys).toHaveLength(12);
    expect(countKeys(org).project).toBe(300);
    const allIds = [...org.adminKeys, ...org.projects, ...org.users, ...Object.values(org.projectKeys).flat()].map((x) => x.id);
    expect(new Set(allIds).size).toBe(allIds.length);
    expect(org.projects[0]?.id).toBe("proj_g0001");
    expect(org.projectKeys["proj_g0003"]?.[4]?.id).toBe("key_g0003_0005");
    // Ids don't depend on the seed (only the contents do).
    expect(generateOrg({ ...opts, seed: 99 }).projects.map((p) => p.id)).toEqual(org.projects.map((p) => p.id));
  });

  it("has realistic variety and consistent times", () => {
    const org = generateOrg(opts);
    const keys = Object.values(org.projectKeys).flat();
    expect(org.projects.filter((p) => p.status === "archived")).toHaveLength(5);
    for (const p of org.projects) expect(p.archived_at === null).toBe(p.status === "active");
    expect(keys.some((k) => k.last_used_at === null)).toBe(true);
    expect(keys.some((k) => k.owner.type === "service_account")).toBe(true);
    expect(keys.some((k) => k.owner_project_access === "inactive")).toBe(true);
    expect(org.users.some((u) => u.is_service_account)).toBe(true);
    expect(org.users.some((u) => u.role === "owner")).toBe(true);
    for (const seed of [1, 2, 3, 42, 1234]) {
      const o = generateOrg({ ...opts, seed });
      for (const p of o.projects) {
        const until = p.archived_at ?? NOW_S;
        for (const k of o.projectKeys[p.id] ?? []) {
          expect(Number.isInteger(k.created_at)).toBe(true);
          expect(k.created_at).toBeGreaterThanOrEqual(p.created_at);
          expect(k.created_at).toBeLessThanOrEqual(until);
          if (k.last_used_at !== null) {
            expect(k.last_used_at).toBeGreaterThanOrEqual(k.created_at);
            expect(k.last_used_at).toBeLessThanOrEqual(until);
          }
          if (k.owner.type === "user") {
            const ownerId = k.owner.user.id;
            expect(k.owner.user.email).toBe(o.users.find((u) => u.id === ownerId)?.email);
          }
          expect(k.redacted_value).toMatch(/^sk-(proj|svcacct)-\.\.\.[A-Za-z0-9]{4}$/);
        }
      }
    }
    for (const a of org.adminKeys) {
      expect(a.owner.role).toBe("owner");
      expect(org.users.find((u) => u.id === a.owner.id)?.role).toBe("owner");
    }
    expect(generateOrg({ ...opts, archivedEvery: 0 }).projects.every((p) => p.status === "active")).toBe(true);
  });

  it("rejects impossible options", () => {
    expect(() => generateOrg({ ...opts, users: 0 })).toThrow(/admin keys/);
    expect(() => generateOrg({ ...opts, projects: -1 })).toThrow(RangeError);
  });
});
