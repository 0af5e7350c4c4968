/**
 * What the simulator offers the hourly watch (issue 20): keys created through its control routes with
 * the `api_key.created` event the real organization records, any other event, and the single-key and
 * single-user reads of the spec (openai-admin-openapi.yaml: admin-api-keys-get, retrieve-user).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ADMIN_KEY = "sk-admin-unit-test-sim-watch-0123456789ab";
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());

const control = (path: string, body: unknown) => fetch(`${sim.url.replace(/\/v1$/, "")}/__sim${path}`, { method: "POST", body: JSON.stringify(body) });
const get = async (path: string) => {
  const response = await fetch(`${sim.url}${path}`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
};

describe("the simulator, for the watch", () => {
  it("POST /__sim/keys creates the key now and records its api_key.created event, scoped to its project", async () => {
    const before = Math.floor(Date.now() / 1000);
    const created = await control("/keys", { project_id: "proj_ml", owner: { user_id: "user_bob", role: "owner" }, id: "key_ml_created", name: "bob created" });
    expect(created.status).toBe(201);
    const { key, event } = (await created.json()) as { key: { id: string; created_at: number }; event: Record<string, unknown> };
    expect(key.created_at).toBeGreaterThanOrEqual(before);
    expect(event).toMatchObject({ type: "api_key.created", effective_at: key.created_at, project: { id: "proj_ml", name: "ml-research" }, "api_key.created": { id: "key_ml_created" } });
    expect(event.actor).toMatchObject({ type: "session", session: { user: { id: "user_bob", email: "bob@example.com" } } });
    expect((await get("/organization/projects/proj_ml/api_keys/key_ml_created")).json).toMatchObject({ id: "key_ml_created", owner: { type: "user", user: { id: "user_bob", role: "owner" } } });
    const log = await get(`/organization/audit_logs?event_types[]=api_key.created&effective_at[gte]=${before}`);
    expect((log.json.data as { id: string }[]).map((e) => e.id)).toEqual(["audit_log-key_ml_created_created"]);
  });

  it("an admin key has no project in its event, and is read alone with its owner", async () => {
    const created = (await (await control("/keys", { admin: true, owner: { user_id: "user_carol" }, id: "key_admin_created" })).json()) as { event: Record<string, unknown> };
    expect(created.event.project).toBeUndefined();
    expect((await get("/organization/admin_api_keys/key_admin_created")).json).toMatchObject({ object: "organization.admin_api_key", id: "key_admin_created", owner: { id: "user_carol" } });
    expect((await get("/organization/users/user_carol")).json).toMatchObject({ object: "organization.user", email: "carol@example.com" });
    expect((await get("/organization/admin_api_keys/key_nobody")).status).toBe(404);
    expect((await get("/organization/users/user_nobody")).status).toBe(404);
  });

  it("POST /__sim/events records an event as given (effective_at now when absent); a bad body is a 400 naming the field", async () => {
    const added = await control("/events", { id: "audit_log-x", type: "api_key.updated", "api_key.updated": { id: "key_web_prod", changes_requested: { scopes: [] } } });
    expect(added.status).toBe(201);
    expect(((await added.json()) as { event: { effective_at: number } }).event.effective_at).toBeGreaterThan(0);
    const events = async () => sim.getOrg().auditLogs?.length ?? 0;
    const before = await events();
    const bad = await control("/keys", { project_id: "proj_nowhere", owner: { user_id: "user_bob" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("no project proj_nowhere");
    expect((await control("/keys", { owner: {} })).status).toBe(400);
    // A refused key leaves no event behind.
    expect(await events()).toBe(before);
  });
});
