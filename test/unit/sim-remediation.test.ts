/**
 * The simulator's mutating Admin API endpoints (groundwork for revoking keys):
 * DELETE project key, DELETE admin key, DELETE / POST (update) project service
 * account — shapes from shared/reference/openai-admin-openapi.yaml — with auth,
 * listings afterwards, the request log and fault injection by method.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { SimOrg } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { startSimulator, type Simulator } from "../../src/sim/server.js";

const NOW = new Date("2026-11-23T06:00:00Z");
const ADMIN_KEY = "sk-admin-remediation-test-0123456789abcdef";

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

let sim: Simulator;

async function call(
  path: string,
  opts: { method?: string; query?: Record<string, string>; key?: string | null; body?: unknown; rawBody?: string; signal?: AbortSignal } = {},
): Promise<Reply> {
  const url = new URL(sim.url + path);
  for (const [k, v] of Object.entries(opts.query ?? {})) url.searchParams.set(k, v);
  const headers: Record<string, string> = {};
  const key = opts.key === undefined ? ADMIN_KEY : opts.key;
  if (key !== null) headers["authorization"] = `Bearer ${key}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(url, { method: opts.method ?? "GET", headers, body, signal: opts.signal });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    // left undefined; tests that care look at `text`
  }
  return { status: res.status, headers: res.headers, text, json };
}

const del = (path: string, opts: { key?: string | null; signal?: AbortSignal } = {}) => call(path, { ...opts, method: "DELETE" });
const post = (path: string, body: unknown, opts: { key?: string | null } = {}) => call(path, { ...opts, method: "POST", body });

function expectErrorEnvelope(reply: Reply, status: number, param: string | null = null): void {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toBe("application/json");
  expect(Object.keys(reply.json)).toEqual(["error"]);
  expect(Object.keys(reply.json.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof reply.json.error.message).toBe("string");
  // Fault answers carry their own types (server_error, requests); the simulator's own errors are invalid_request_error.
  if (reply.status < 429) expect(reply.json.error.type).toBe("invalid_request_error");
  expect(reply.json.error.param).toBe(param);
}

/** Every key id of a project, whatever its owner's access. */
async function projectKeyIds(projectId: string): Promise<string[]> {
  const r = await call(`/organization/projects/${projectId}/api_keys`, { query: { owner_project_access: "any", limit: "100" } });
  expect(r.status).toBe(200);
  return r.json.data.map((k: { id: string }) => k.id).sort();
}

async function adminKeyIds(): Promise<string[]> {
  const r = await call("/organization/admin_api_keys", { query: { limit: "100" } });
  expect(r.status).toBe(200);
  return r.json.data.map((k: { id: string }) => k.id).sort();
}

/** `owner.service_account` of every service-account key in a project, by key id. */
async function serviceAccountOwners(projectId: string): Promise<Record<string, { id: string; name: string; role: string; created_at: number }>> {
  const r = await call(`/organization/projects/${projectId}/api_keys`, { query: { owner_project_access: "any", limit: "100" } });
  const out: Record<string, { id: string; name: string; role: string; created_at: number }> = {};
  for (const k of r.json.data) if (k.owner.type === "service_account") out[k.id] = k.owner.service_account;
  return out;
}

/** sampleOrg with proj_data archived (it holds the two service-account keys). */
function orgWithDataArchived(): SimOrg {
  const org = sampleOrg(NOW);
  const data = org.projects.find((p) => p.id === "proj_data")!;
  data.status = "archived";
  data.archived_at = data.created_at + 86_400;
  return org;
}

const ALL_WEB = ["key_web_dana", "key_web_mallory", "key_web_old", "key_web_prod"];
const ALL_DATA = ["key_data_deploy", "key_data_etl", "key_data_eve"];
const ALL_ADMIN = ["key_admin_alice", "key_admin_breakglass", "key_admin_ci"];

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

describe("GET /organization/projects/{project_id}/api_keys/{api_key_id}", () => {
  it("answers the ProjectApiKey exactly as the listing has it, whatever its owner's access", async () => {
    for (const [project, all] of [["proj_web", ALL_WEB], ["proj_data", ALL_DATA]] as const) {
      const listed = await call(`/organization/projects/${project}/api_keys`, { query: { owner_project_access: "any", limit: "100" } });
      expect(listed.json.data.map((k: { id: string }) => k.id).sort()).toEqual(all);
      for (const key of listed.json.data) {
        const one = await call(`/organization/projects/${project}/api_keys/${key.id}`);
        expect(one.status).toBe(200);
        expect(one.json).toEqual(key);
      }
    }
  });

  it("404 for an unknown key, an unknown project, or a key of another project", async () => {
    expectErrorEnvelope(await call("/organization/projects/proj_web/api_keys/key_nope"), 404);
    expectErrorEnvelope(await call("/organization/projects/proj_nope/api_keys/key_web_prod"), 404);
    expectErrorEnvelope(await call("/organization/projects/proj_data/api_keys/key_web_prod"), 404);
  });
});

describe("DELETE /organization/projects/{project_id}/api_keys/{api_key_id}", () => {
  it("deletes a user's key: ProjectApiKeyDeleteResponse, then gone from every listing", async () => {
    const r = await del("/organization/projects/proj_web/api_keys/key_web_old");
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.json).toEqual({ object: "organization.project.api_key.deleted", id: "key_web_old", deleted: true });
    expect(Object.keys(r.json)).toEqual(["object", "id", "deleted"]);

    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB.filter((k) => k !== "key_web_old"));
    const plain = await call("/organization/projects/proj_web/api_keys");
    expect(plain.json.data.map((k: { id: string }) => k.id)).not.toContain("key_web_old");
    expect(await projectKeyIds("proj_data")).toEqual(ALL_DATA);
    expect(sim.getOrg().projectKeys["proj_web"]?.map((k) => k.id)).not.toContain("key_web_old");

    // Already gone: a second delete is a 404.
    const again = await del("/organization/projects/proj_web/api_keys/key_web_old");
    expectErrorEnvelope(again, 404);
    expect(again.json.error.code).toBe("not_found");
  });

  it("deletes a key whose owner lost access (hidden from the default listing)", async () => {
    expect((await del("/organization/projects/proj_data/api_keys/key_data_eve")).status).toBe(200);
    const inactive = await call("/organization/projects/proj_data/api_keys", { query: { owner_project_access: "inactive" } });
    expect(inactive.json.data).toEqual([]);
    expect(await projectKeyIds("proj_data")).toEqual(["key_data_deploy", "key_data_etl"]);
  });

  it("deletes a key of an archived project (the spec declares no error for it)", async () => {
    expect((await del("/organization/projects/proj_legacy/api_keys/key_legacy_old")).json).toEqual({
      object: "organization.project.api_key.deleted",
      id: "key_legacy_old",
      deleted: true,
    });
    expect(await projectKeyIds("proj_legacy")).toEqual([]);
  });

  it("400 for a service account's key ('cannot be deleted'); the key stays", async () => {
    const r = await del("/organization/projects/proj_data/api_keys/key_data_etl");
    expectErrorEnvelope(r, 400);
    expect(r.json.error.message).toMatch(/cannot be deleted/);
    expect(r.json.error.message).toContain("sa_ci_etl");
    expect(await projectKeyIds("proj_data")).toEqual(ALL_DATA);
  });

  it("404 for an unknown key, an unknown project, or a key of another project", async () => {
    for (const path of [
      "/organization/projects/proj_web/api_keys/key_nope",
      "/organization/projects/proj_nope/api_keys/key_web_prod",
      "/organization/projects/proj_ml/api_keys/key_web_prod",
      "/organization/projects/proj_web/api_keys/key_admin_alice",
    ]) {
      const r = await del(path);
      expectErrorEnvelope(r, 404);
      expect(r.json.error.code).toBe("not_found");
    }
    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB);
    expect(await adminKeyIds()).toEqual(ALL_ADMIN);
  });

  it("decodes percent-encoded ids", async () => {
    expect((await del("/organization/projects/proj%5Fweb/api_keys/key%5Fweb%5Fprod")).status).toBe(200);
    expect(await projectKeyIds("proj_web")).not.toContain("key_web_prod");
  });

  it("an after cursor naming a deleted key is then unknown (400 param 'after')", async () => {
    await del("/organization/projects/proj_web/api_keys/key_web_old");
    expectErrorEnvelope(await call("/organization/projects/proj_web/api_keys", { query: { after: "key_web_old" } }), 400, "after");
  });

  it("two deletes of the same key at once: one 200, one 404", async () => {
    const path = "/organization/projects/proj_ml/api_keys/key_ml_never";
    const statuses = (await Promise.all([del(path), del(path)])).map((r) => r.status).sort();
    expect(statuses).toEqual([200, 404]);
  });
});

describe("DELETE /organization/admin_api_keys/{key_id}", () => {
  it("deletes: {id, object: organization.admin_api_key.deleted, deleted: true}, then gone from the listing", async () => {
    const r = await del("/organization/admin_api_keys/key_admin_breakglass");
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ id: "key_admin_breakglass", object: "organization.admin_api_key.deleted", deleted: true });
    expect(await adminKeyIds()).toEqual(["key_admin_alice", "key_admin_ci"]);
    const again = await del("/organization/admin_api_keys/key_admin_breakglass");
    expectErrorEnvelope(again, 404);
    expect(again.json.error.code).toBe("not_found");
  });

  it("404 for an unknown key (a project key is not an admin key)", async () => {
    expectErrorEnvelope(await del("/organization/admin_api_keys/key_nope"), 404);
    expectErrorEnvelope(await del("/organization/admin_api_keys/key_web_prod"), 404);
    expect(await adminKeyIds()).toEqual(ALL_ADMIN);
  });

  it("deleting every fixture admin key does not revoke the simulator's own admin key", async () => {
    for (const id of ALL_ADMIN) expect((await del(`/organization/admin_api_keys/${id}`)).status).toBe(200);
    const r = await call("/organization/admin_api_keys");
    expect(r.status).toBe(200);
    expect(r.json.data).toEqual([]);
  });
});

describe("DELETE /organization/projects/{project_id}/service_accounts/{service_account_id}", () => {
  it("deletes: ProjectServiceAccountDeleteResponse, and the account's keys leave the listing (simulator choice)", async () => {
    const r = await del("/organization/projects/proj_data/service_accounts/sa_ci_etl");
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ object: "organization.project.service_account.deleted", id: "sa_ci_etl", deleted: true });
    expect(Object.keys(r.json)).toEqual(["object", "id", "deleted"]);
    expect(await projectKeyIds("proj_data")).toEqual(["key_data_deploy", "key_data_eve"]);
    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB);

    // The account is gone with its keys: deleting it again, or updating it, is a 404.
    expectErrorEnvelope(await del("/organization/projects/proj_data/service_accounts/sa_ci_etl"), 404);
    expectErrorEnvelope(await post("/organization/projects/proj_data/service_accounts/sa_ci_etl", { role: "owner" }), 404);
  });

  it("removes every key of an account that has several, and only those", async () => {
    const org = sampleOrg(NOW);
    const keys = org.projectKeys["proj_data"]!;
    const etl = keys.find((k) => k.id === "key_data_etl")!;
    keys.push({ ...structuredClone(etl), id: "key_data_etl_2", redacted_value: "sk-proj-...E7l2" });
    sim.setOrg(org);
    expect((await del("/organization/projects/proj_data/service_accounts/sa_ci_etl")).status).toBe(200);
    expect(await projectKeyIds("proj_data")).toEqual(["key_data_deploy", "key_data_eve"]);
  });

  it("404 for an unknown account or project, an account of another project, or a user", async () => {
    for (const path of [
      "/organization/projects/proj_data/service_accounts/sa_nope",
      "/organization/projects/proj_nope/service_accounts/sa_ci_etl",
      "/organization/projects/proj_web/service_accounts/sa_ci_etl",
      "/organization/projects/proj_data/service_accounts/user_eve",
      "/organization/projects/proj_data/service_accounts/user_svc_admin",
    ]) {
      const r = await del(path);
      expectErrorEnvelope(r, 404);
      expect(r.json.error.code).toBe("not_found");
    }
    expect(await projectKeyIds("proj_data")).toEqual(ALL_DATA);
  });

  it("400 on an archived project (archived projects have no service accounts); nothing removed", async () => {
    sim.setOrg(orgWithDataArchived());
    const r = await del("/organization/projects/proj_data/service_accounts/sa_ci_etl");
    expectErrorEnvelope(r, 400);
    expect(r.json.error.message).toMatch(/archived/);
    // An unknown account of an archived project: the archive answers first.
    expectErrorEnvelope(await del("/organization/projects/proj_data/service_accounts/sa_nope"), 400);
    expect(await projectKeyIds("proj_data")).toEqual(ALL_DATA);
    // And its keys cannot be deleted one by one either: such a key is stuck.
    expectErrorEnvelope(await del("/organization/projects/proj_data/api_keys/key_data_etl"), 400);
  });
});

describe("POST /organization/projects/{project_id}/service_accounts/{service_account_id}", () => {
  const path = "/organization/projects/proj_data/service_accounts/sa_ci_etl";

  it("role member → owner: the ProjectServiceAccount, and owner.service_account.role in the listing", async () => {
    const before = await serviceAccountOwners("proj_data");
    expect(before["key_data_etl"]?.role).toBe("member");
    const r = await post(path, { role: "owner" });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      object: "organization.project.service_account",
      id: "sa_ci_etl",
      name: "ci-etl",
      role: "owner",
      created_at: before["key_data_etl"]?.created_at,
    });
    expect(Object.keys(r.json).sort()).toEqual(["created_at", "id", "name", "object", "role"]);
    const after = await serviceAccountOwners("proj_data");
    expect(after["key_data_etl"]).toEqual({ ...before["key_data_etl"], role: "owner" });
    expect(after["key_data_deploy"]).toEqual(before["key_data_deploy"]); // another account: untouched
    expect(await projectKeyIds("proj_data")).toEqual(ALL_DATA); // nothing deleted
  });

  it("role owner → member, on every key of the account", async () => {
    const org = sampleOrg(NOW);
    const keys = org.projectKeys["proj_data"]!;
    keys.push({ ...structuredClone(keys.find((k) => k.id === "key_data_deploy")!), id: "key_data_deploy_2", redacted_value: "sk-proj-...Dp02" });
    sim.setOrg(org);
    const r = await post("/organization/projects/proj_data/service_accounts/sa_deploy", { role: "member" });
    expect(r.json).toMatchObject({ object: "organization.project.service_account", id: "sa_deploy", name: "deploy-bot", role: "member" });
    const owners = await serviceAccountOwners("proj_data");
    expect(owners["key_data_deploy"]?.role).toBe("member");
    expect(owners["key_data_deploy_2"]?.role).toBe("member");
    expect(owners["key_data_etl"]?.role).toBe("member");
  });

  it("the spec's body also takes a name; an empty object changes nothing", async () => {
    const renamed = await post(path, { name: "etl-bot" });
    expect(renamed.json).toMatchObject({ name: "etl-bot", role: "member" });
    expect((await serviceAccountOwners("proj_data"))["key_data_etl"]?.name).toBe("etl-bot");
    const same = await post(path, {});
    expect(same.status).toBe(200);
    expect(same.json).toMatchObject({ name: "etl-bot", role: "member" });
  });

  it("400 for a body that is not a JSON object with a valid role; nothing changes", async () => {
    const cases: { body?: unknown; rawBody?: string; param: string | null }[] = [
      { rawBody: "{role: owner", param: null },
      { rawBody: "", param: null },
      { body: ["owner"], param: null },
      { body: "owner", param: null },
      { body: { role: "none" }, param: "role" },
      { body: { role: "admin" }, param: "role" },
      { body: { role: "OWNER" }, param: "role" },
      { body: { role: 1 }, param: "role" },
      { body: { role: null }, param: "role" },
      { body: { name: 7 }, param: "name" },
      { body: { role: "owner", roles: "owner" }, param: "roles" },
    ];
    for (const c of cases) {
      const r = await call(path, { method: "POST", ...(c.rawBody === undefined ? { body: c.body } : { rawBody: c.rawBody }) });
      expectErrorEnvelope(r, 400, c.param);
    }
    expect((await serviceAccountOwners("proj_data"))["key_data_etl"]).toMatchObject({ name: "ci-etl", role: "member" });
  });

  it("404 for an unknown account or project, or a user", async () => {
    for (const p of [
      "/organization/projects/proj_data/service_accounts/sa_nope",
      "/organization/projects/proj_nope/service_accounts/sa_ci_etl",
      "/organization/projects/proj_web/service_accounts/sa_ci_etl",
      "/organization/projects/proj_data/service_accounts/user_eve",
    ]) {
      expectErrorEnvelope(await post(p, { role: "owner" }), 404);
    }
  });

  it("400 on an archived project; nothing changes", async () => {
    sim.setOrg(orgWithDataArchived());
    const r = await post(path, { role: "owner" });
    expectErrorEnvelope(r, 400);
    expect(r.json.error.message).toMatch(/archived/);
    expect((await serviceAccountOwners("proj_data"))["key_data_etl"]?.role).toBe("member");
  });
});

describe("GET /organization/projects/{project_id}/service_accounts/{service_account_id}", () => {
  it("the ProjectServiceAccount with its current role; 404 once deleted, or for an unknown project or account", async () => {
    const path = "/organization/projects/proj_data/service_accounts/sa_ci_etl";
    const before = await call(path);
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ object: "organization.project.service_account", id: "sa_ci_etl", role: expect.any(String) });
    await post(path, { role: "member" });
    expect((await call(path)).json).toMatchObject({ id: "sa_ci_etl", role: "member" });
    expect((await del(path)).status).toBe(200);
    expectErrorEnvelope(await call(path), 404);
    expectErrorEnvelope(await call("/organization/projects/proj_nope/service_accounts/sa_ci_etl"), 404);
    expectErrorEnvelope(await call("/organization/projects/proj_data/service_accounts/sa_nope"), 404);
  });
});

describe("auth on mutations", () => {
  it("401 without or with a wrong admin key, on every mutating route; nothing changes", async () => {
    const attempts: [string, string, unknown][] = [
      ["DELETE", "/organization/projects/proj_web/api_keys/key_web_old", undefined],
      ["DELETE", "/organization/admin_api_keys/key_admin_breakglass", undefined],
      ["DELETE", "/organization/projects/proj_data/service_accounts/sa_ci_etl", undefined],
      ["POST", "/organization/projects/proj_data/service_accounts/sa_ci_etl", { role: "owner" }],
    ];
    for (const key of [null, "sk-admin-WRONG-0000", "sk-proj-not-an-admin-key"]) {
      for (const [method, path, body] of attempts) {
        const r = await call(path, { method, key, body });
        expectErrorEnvelope(r, 401);
      }
    }
    // Authentication precedes validation: a bad body with a bad key is still a 401.
    expectErrorEnvelope(await call("/organization/projects/proj_data/service_accounts/sa_ci_etl", { method: "POST", key: null, rawBody: "nope" }), 401);
    expect(sim.requests.map((e) => e.status)).toEqual(Array(13).fill(401));
    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB);
    expect(await projectKeyIds("proj_data")).toEqual(ALL_DATA);
    expect(await adminKeyIds()).toEqual(ALL_ADMIN);
    expect((await serviceAccountOwners("proj_data"))["key_data_etl"]?.role).toBe("member");
  });
});

describe("routing of the new paths", () => {
  it("405 with Allow naming the simulated methods; deeper or unknown paths are 404", async () => {
    const cases: [string, string, string][] = [
      ["PUT", "/organization/projects/proj_web/api_keys/key_web_prod", "GET, DELETE"],
      ["POST", "/organization/projects/proj_web/api_keys/key_web_prod", "GET, DELETE"],
      ["PUT", "/organization/admin_api_keys/key_admin_alice", "GET, DELETE"],
      ["PUT", "/organization/projects/proj_data/service_accounts/sa_ci_etl", "GET, POST, DELETE"],
      ["DELETE", "/organization/projects/proj_web/api_keys", "GET"],
      ["DELETE", "/organization/admin_api_keys", "GET"],
      ["DELETE", "/organization/projects", "GET"],
    ];
    for (const [method, path, allow] of cases) {
      const r = await call(path, { method });
      expectErrorEnvelope(r, 405);
      expect(r.headers.get("allow")).toBe(allow);
    }
    for (const path of [
      "/organization/projects/proj_web/api_keys/key_web_prod/extra",
      "/organization/projects/proj_data/service_accounts",
      "/organization/projects/proj_data/service_accounts/sa_ci_etl/api_keys",
      "/organization/admin_api_keys/",
    ]) {
      expectErrorEnvelope(await del(path), 404);
    }
    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB);
  });
});

describe("request log", () => {
  it("records mutations with method, path, status and body", async () => {
    await del("/organization/projects/proj_web/api_keys/key_web_old");
    await del("/organization/projects/proj_data/api_keys/key_data_etl");
    await post("/organization/projects/proj_data/service_accounts/sa_deploy", { role: "member" });
    await call("/organization/projects/proj_data/service_accounts/sa_deploy", { method: "POST", rawBody: "not json" });
    await del("/organization/admin_api_keys/key_nope", { key: null });
    await call("/organization/projects/proj_web/api_keys");
    expect(sim.requests.map(({ method, path, query, status, body }) => ({ method, path, query, status, body }))).toEqual([
      { method: "DELETE", path: "/v1/organization/projects/proj_web/api_keys/key_web_old", query: {}, status: 200, body: undefined },
      { method: "DELETE", path: "/v1/organization/projects/proj_data/api_keys/key_data_etl", query: {}, status: 400, body: undefined },
      { method: "POST", path: "/v1/organization/projects/proj_data/service_accounts/sa_deploy", query: {}, status: 200, body: { role: "member" } },
      { method: "POST", path: "/v1/organization/projects/proj_data/service_accounts/sa_deploy", query: {}, status: 400, body: "not json" },
      { method: "DELETE", path: "/v1/organization/admin_api_keys/key_nope", query: {}, status: 401, body: undefined },
      { method: "GET", path: "/v1/organization/projects/proj_web/api_keys", query: {}, status: 200, body: undefined },
    ]);
    expect(sim.requests.filter((e) => "body" in e)).toHaveLength(2);
  });

  it("GET /__sim/org and getOrg() show the state after mutations (getOrg is a copy)", async () => {
    await del("/organization/admin_api_keys/key_admin_ci");
    const served = (await (await fetch(sim.url.replace(/\/v1$/, "/__sim/org"))).json()) as SimOrg;
    expect(served.adminKeys.map((k) => k.id).sort()).toEqual(["key_admin_alice", "key_admin_breakglass"]);
    const copy = sim.getOrg();
    expect(copy).toEqual(served);
    copy.adminKeys.length = 0;
    expect(await adminKeyIds()).toEqual(["key_admin_alice", "key_admin_breakglass"]);
    expect(sim.requests).toHaveLength(2); // the control route is not logged
  });
});

describe("faults on mutations", () => {
  const keyPath = "/organization/projects/proj_web/api_keys/key_web_old";

  it("match.method: a DELETE-only 500 leaves listings alone and deletes nothing, until used up", async () => {
    sim.addFault({ match: { method: "DELETE", pathPrefix: "/organization/projects" }, times: 2, effect: { kind: "status", status: 500 } });
    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB); // a GET: not matched
    expectErrorEnvelope(await del(keyPath), 500);
    expectErrorEnvelope(await del("/organization/projects/proj_data/service_accounts/sa_ci_etl"), 500);
    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB);
    expect(await projectKeyIds("proj_data")).toEqual(ALL_DATA);
    expect((await del(keyPath)).status).toBe(200);
    expect(sim.requests.map((e) => `${e.method} ${e.status}`)).toEqual(["GET 200", "DELETE 500", "DELETE 500", "GET 200", "GET 200", "DELETE 200"]);
  });

  it("match.method is case-insensitive and does not match other methods", async () => {
    sim.addFault({ match: { method: "delete" }, effect: { kind: "status", status: 503 } });
    const spPath = "/organization/projects/proj_data/service_accounts/sa_ci_etl";
    expect((await post(spPath, { role: "owner" })).status).toBe(200);
    expect((await del(spPath)).status).toBe(503);
    expect((await del("/organization/admin_api_keys/key_admin_ci")).status).toBe(503);
    expect((await call("/organization/admin_api_keys")).status).toBe(200);
    sim.clearFaults();
    sim.addFault({ match: { method: "POST", path: "/organization/projects/proj_data/service_accounts/sa_deploy" }, times: 1, effect: { kind: "status", status: 429, retryAfter: 2 } });
    const limited = await post("/organization/projects/proj_data/service_accounts/sa_deploy", { role: "member" });
    expectErrorEnvelope(limited, 429);
    expect(limited.headers.get("retry-after")).toBe("2");
    expect((await serviceAccountOwners("proj_data"))["key_data_deploy"]?.role).toBe("owner"); // unchanged
  });

  it("a status 404 fault on a DELETE answers 'not found' without deleting anything", async () => {
    sim.addFault({ match: { method: "DELETE", path: "/organization/projects/proj_web/api_keys/key_web_old" }, times: 1, effect: { kind: "status", status: 404 } });
    expectErrorEnvelope(await del(keyPath), 404);
    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB);
  });

  it("a status fault precedes auth (like an edge proxy)", async () => {
    sim.addFault({ match: { method: "DELETE" }, times: 1, effect: { kind: "status", status: 502 } });
    expect((await del(keyPath, { key: null })).status).toBe(502);
    expect((await del(keyPath, { key: null })).status).toBe(401);
  });

  it("a latency fault makes a DELETE time out on the client — yet the key IS gone, and a retry is a 404", async () => {
    sim.addFault({ match: { method: "DELETE", path: "/organization/projects/proj_web/api_keys/key_web_old" }, times: 1, effect: { kind: "latency", ms: 2_000 } });
    const t = performance.now();
    await expect(del(keyPath, { signal: AbortSignal.timeout(150) })).rejects.toThrow();
    expect(performance.now() - t).toBeLessThan(1_500);
    expect(await projectKeyIds("proj_web")).toEqual(ALL_WEB.filter((k) => k !== "key_web_old"));
    expectErrorEnvelope(await del(keyPath), 404);
    expect(sim.requests[0]).toMatchObject({ method: "DELETE", status: 200 });
  });

  it("a latency fault only delays a mutation that completes", async () => {
    sim.addFault({ match: { method: "POST" }, times: 1, effect: { kind: "latency", ms: 200 } });
    const t = performance.now();
    const r = await post("/organization/projects/proj_data/service_accounts/sa_ci_etl", { role: "owner" });
    expect(performance.now() - t).toBeGreaterThanOrEqual(190);
    expect(r.json.role).toBe("owner");
  });

  it("malformed_json on a DELETE: the body is unreadable but the deletion happened", async () => {
    sim.addFault({ match: { method: "DELETE" }, times: 1, effect: { kind: "malformed_json" } });
    const r = await del("/organization/admin_api_keys/key_admin_breakglass");
    expect(r.status).toBe(200);
    expect(() => JSON.parse(r.text)).toThrow();
    expect(await adminKeyIds()).toEqual(["key_admin_alice", "key_admin_ci"]);
  });

  it("list-page faults pass a mutation's answer through unchanged", async () => {
    sim.addFault({ match: { method: "DELETE" }, times: 1, effect: { kind: "lie_has_more" } });
    sim.addFault({ match: { method: "POST" }, times: 1, effect: { kind: "invalid_shape" } });
    expect((await del(keyPath)).json).toEqual({ object: "organization.project.api_key.deleted", id: "key_web_old", deleted: true });
    expect(Object.keys((await post("/organization/projects/proj_data/service_accounts/sa_ci_etl", { role: "owner" })).json).sort()).toEqual([
      "created_at",
      "id",
      "name",
      "object",
      "role",
    ]);
  });

  it("faults by method over HTTP (/__sim/faults); a non-string method is rejected", async () => {
    const control = (init: RequestInit) => fetch(sim.url.replace(/\/v1$/, "/__sim/faults"), init);
    const posted = await control({ method: "POST", body: JSON.stringify({ match: { method: "DELETE" }, times: 1, effect: { kind: "status", status: 500 } }) });
    expect(posted.status).toBe(201);
    expect((await call("/organization/projects/proj_web/api_keys")).status).toBe(200);
    expect((await del(keyPath)).status).toBe(500);
    expect((await del(keyPath)).status).toBe(200);
    expect((await control({ method: "POST", body: JSON.stringify({ match: { method: 1 }, effect: { kind: "status", status: 500 } }) })).status).toBe(400);
    // @ts-expect-error deliberately wrong type
    expect(() => sim.addFault({ match: { method: ["DELETE"] }, effect: { kind: "status", status: 500 } })).toThrow(/method/);
  });
});
