/**
 * The enrichment's parts on their own: the ENRICH setting, how the audit log is cut into windows,
 * who counts as the creator, how the facts read, and the per-step request cap (docs/enrichment.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/config.js";
import { creatorFact } from "../../src/providers/openai/creator.js";
import { enrichmentSummary, formatUsd } from "../../src/enrichment/describe.js";
import { continueEnrichment } from "../../src/providers/openai/enrich.js";
import { enrichKeys, startEnrichment } from "../../src/audit/enrich.js";
import { AUDIT_LOG_MARGIN_SECONDS, auditLogWindows } from "../../src/enrichment/plan.js";
import { keyCreatedEvent } from "../../src/providers/openai/enrichment-schemas.js";
import { readEnrichSettings } from "../../src/config.js";
import { ENRICH_SOURCES } from "../../src/model/enrichment.js";
import { collectInventory } from "../../src/providers/openai/collect.js";
import type { KeyRecord } from "../../src/model/inventory.js";
import { generateOrg } from "../../src/sim/generate.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { withEnrichmentData } from "../../scripts/bench-enrichment.js";

const NOW = new Date("2026-11-23T06:00:00Z");

describe("ENRICH", () => {
  it("unset: every source; off or an empty list: none; a list: those, in their own order, once", () => {
    expect(readEnrichSettings({})).toEqual(["audit_log", "usage", "costs"]);
    for (const none of ["off", "OFF", " off ", "", " , "]) expect(readEnrichSettings({ ENRICH: none }), JSON.stringify(none)).toEqual([]);
    expect(readEnrichSettings({ ENRICH: "costs, audit_log,costs" })).toEqual(["audit_log", "costs"]);
    expect(readEnrichSettings({ ENRICH: "usage" })).toEqual(["usage"]);
  });

  it("anything else is a ConfigError naming ENRICH and the item, never echoing the value", () => {
    for (const [value, item] of [
      ["audit-log", 1],
      ["usage,,Costs", 2],
      ["usage, none", 2],
    ] as const) {
      let thrown: unknown;
      try {
        readEnrichSettings({ ENRICH: value });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigError);
      expect((thrown as ConfigError).message).toContain(`ENRICH item ${item} is not a source`);
      expect((thrown as ConfigError).message).not.toContain(value.split(",").at(-1)?.trim());
    }
  });
});

function key(id: string, createdAt: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    kind: "project",
    id,
    name: id,
    redacted_value: "sk-proj-...abcd",
    created_at: createdAt,
    last_used_at: null,
    expires_at: null,
    project: { id: "proj_a", name: "a", archived: false },
    owner: { type: "user", id: "user_a", name: "A", email: "a@example.com", role: "member" },
    owner_access: "active",
    ...overrides,
  };
}

describe("audit-log windows", () => {
  const day = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 86_400_000).toISOString();
  const seconds = (iso: string) => Date.parse(iso) / 1000;

  it("one window from just before the oldest key for up to 100 keys", () => {
    const keys = Array.from({ length: 100 }, (_, i) => key(`k${i}`, day(i)));
    expect(auditLogWindows(keys, 6)).toEqual([{ source: "audit_log", gte: seconds(day(0)) - AUDIT_LOG_MARGIN_SECONDS, lt: null }]);
  });

  it("more keys: up to `concurrency` windows holding about as many keys each, touching, the last open", () => {
    const keys = Array.from({ length: 1_000 }, (_, i) => key(`k${i}`, day(i)));
    const windows = auditLogWindows(keys, 4) as { gte: number; lt: number | null }[];
    expect(windows).toHaveLength(4);
    expect(windows.at(-1)?.lt).toBeNull();
    for (let i = 1; i < windows.length; i++) expect(windows[i]?.gte).toBe(windows[i - 1]?.lt);
    for (const w of windows) {
      const inside = keys.filter((k) => seconds(k.created_at) >= w.gte && (w.lt === null || seconds(k.created_at) < w.lt));
      expect(inside.length).toBe(250);
    }
  });

  it("keys created at the same second never make an empty window", () => {
    const keys = Array.from({ length: 900 }, (_, i) => key(`k${i}`, day(1 + Math.floor(i / 300))));
    const windows = auditLogWindows(keys, 6) as { gte: number; lt: number | null }[];
    expect(windows.map((w) => w.lt)).toEqual([seconds(day(2)), seconds(day(3)), null]);
    const same = Array.from({ length: 700 }, (_, i) => key(`k${i}`, day(1)));
    expect(auditLogWindows(same, 6)).toEqual([{ source: "audit_log", gte: seconds(day(1)) - AUDIT_LOG_MARGIN_SECONDS, lt: null }]);
  });
});

describe("the creator", () => {
  const event = (actor: unknown) => keyCreatedEvent.parse({ id: "e", type: "api_key.created", effective_at: 5, actor, "api_key.created": { id: "key_1" } });

  it("a session is a person with an IP address; an API key is a person's or a service account's, without one", () => {
    expect(creatorFact(event({ type: "session", session: { user: { id: "u1", email: "a@b.c" }, ip_address: "203.0.113.1" } }))).toEqual({
      created_by: { type: "user", id: "u1", email: "a@b.c", api_key_id: null },
      created_from_ip: "203.0.113.1",
      at: 5,
    });
    expect(creatorFact(event({ type: "api_key", api_key: { id: "key_x", type: "service_account", service_account: { id: "sa_1" } } })).created_by).toEqual({
      type: "service_account",
      id: "sa_1",
      email: null,
      api_key_id: "key_x",
    });
  });

  it("an actor the log leaves out, or that names nobody, is unknown, not guessed", () => {
    for (const actor of [null, undefined, { type: "session" }, { type: "api_key", api_key: { id: "key_x", type: "user" } }, { type: "robot" }]) {
      expect(creatorFact(event(actor)), JSON.stringify(actor)).toEqual({ created_by: null, created_from_ip: null, at: 5 });
    }
  });
});

describe("how the facts read", () => {
  it("counts with thousands separators, dollars to the cent, a fraction of a cent as <$0.01", () => {
    const creator = { type: "user" as const, id: "u", email: "a@b.c", api_key_id: null, display: "a@b.c" };
    expect(enrichmentSummary(key("k", day0(), { created_by: creator, requests_30d: 1234, spend_30d_usd: 123.456 }))).toBe(
      "created by a@b.c · 1,234 requests, spent $123.46 in 30 days",
    );
    expect(enrichmentSummary(key("k", day0(), { requests_30d: 1, spend_30d_usd: 0.004 }))).toBe("1 request, spent <$0.01 in 30 days");
    expect(enrichmentSummary(key("k", day0(), { created_by: null, requests_30d: null, spend_30d_usd: 0 }))).toBe("spent $0.00 in 30 days");
    expect(enrichmentSummary(key("k", day0()))).toBeNull();
    expect(formatUsd(1234567.891)).toBe("$1,234,567.89");
  });
});

function day0(): string {
  return "2026-01-01T00:00:00.000Z";
}

describe("the per-step request cap", () => {
  let sim: Simulator;
  const ADMIN_KEY = "sk-admin-enrichment-parts-0000000000000";
  beforeAll(async () => {
    const org = withEnrichmentData(generateOrg({ projects: 60, keysPerProject: 20, users: 80, adminKeys: 3, now: NOW, seed: 5 }), NOW);
    sim = await startSimulator({ org, adminKey: ADMIN_KEY });
  });
  afterAll(() => sim.close());

  it("steps of at most 10 requests end where one go ends", async () => {
    const options = { adminKey: ADMIN_KEY, baseURL: sim.url };
    const { keys } = await collectInventory(options);
    const whole = await enrichKeys(keys, ENRICH_SOURCES, NOW, options);
    sim.clearLog();
    let state = startEnrichment(keys, ENRICH_SOURCES, NOW);
    const perStep: number[] = [];
    while (state.units.length > 0) {
      const before = sim.requests.length;
      state = await continueEnrichment(state, options, 10);
      perStep.push(sim.requests.length - before);
    }
    expect(perStep.length).toBeGreaterThan(1);
    expect(Math.max(...perStep)).toBeLessThanOrEqual(10);
    expect(state.api_requests).toBe(sim.requests.length);
    expect(state.errors).toEqual([]);
    expect(state.creators).toEqual(whole.creators);
    expect(state.model_requests).toEqual(whole.model_requests);
    expect(state.spend_usd).toEqual(whole.spend_usd);
    expect(Object.keys(whole.creators).length).toBeGreaterThanOrEqual(keys.length);
  });
});
