/**
 * The simulator's audit-log, completions-usage and costs endpoints (groundwork
 * for enriching keys with their creator and spend), checked against
 * shared/reference/openai-admin-openapi.yaml: ListAuditLogsResponse / AuditLog /
 * AuditLogActor*, UsageResponse / UsageTimeBucket / UsageCompletionsResult /
 * CostsResult, and the 429 + Retry-After those operations declare.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { DAY_SECONDS, unixSeconds, type SimOrg, type SimUsageRecord } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { AUDIT_LOGGING_DISABLED_STATUS, startSimulator, type Simulator } from "../../src/sim/server.js";

const NOW = new Date("2026-11-23T06:00:00Z");
const NOW_S = unixSeconds(NOW);
const ADMIN_KEY = "sk-admin-unit-test-enrichment-0123456789";
const ORG = sampleOrg(NOW);

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

let sim: Simulator;

/** `query` as pairs, so array parameters can repeat. */
async function call(path: string, query: [string, string | number][] = [], key: string | null = ADMIN_KEY): Promise<Reply> {
  const url = new URL(sim.url + path);
  for (const [k, v] of query) url.searchParams.append(k, String(v));
  const headers: Record<string, string> = {};
  if (key !== null) headers["authorization"] = `Bearer ${key}`;
  const res = await fetch(url, { headers });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function expectErrorEnvelope(reply: Reply, status: number, param: string | null = null): void {
  expect(reply.status).toBe(status);
  expect(Object.keys(reply.json)).toEqual(["error"]);
  expect(Object.keys(reply.json.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(typeof reply.json.error.message).toBe("string");
  expect(reply.json.error.param).toBe(param);
}

/** Follows `after` until has_more is false. */
async function allAuditPages(query: [string, string | number][]): Promise<Reply[]> {
  const pages: Reply[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const reply = await call("/organization/audit_logs", after === undefined ? query : [...query, ["after", after]]);
    expect(reply.status).toBe(200);
    pages.push(reply);
    if (!reply.json.has_more) return pages;
    after = reply.json.last_id;
  }
  throw new Error("pagination did not terminate");
}

/** Follows `page` ← `next_page` until has_more is false. */
async function allUsagePages(path: string, query: [string, string | number][]): Promise<Reply[]> {
  const pages: Reply[] = [];
  let page: string | undefined;
  for (let i = 0; i < 100; i++) {
    const reply = await call(path, page === undefined ? query : [...query, ["page", page]]);
    expect(reply.status).toBe(200);
    pages.push(reply);
    if (!reply.json.has_more) {
      expect(reply.json.next_page).toBeNull();
      return pages;
    }
    expect(typeof reply.json.next_page).toBe("string");
    page = reply.json.next_page;
  }
  throw new Error("pagination did not terminate");
}

const START = NOW_S - 15 * DAY_SECONDS;
const END = NOW_S;
const RANGE: [string, number][] = [
  ["start_time", START],
  ["end_time", END],
];
/** Number of UTC-day buckets covering [START, END). */
const DAY_BUCKETS = Math.ceil((END - Math.floor(START / DAY_SECONDS) * DAY_SECONDS) / DAY_SECONDS);

function usageOf(keyId: string): SimUsageRecord[] {
  return (ORG.usage ?? []).filter((r) => r.api_key_id === keyId && r.at >= START && r.at < END);
}

beforeAll(async () => {
  sim = await startSimulator({ org: ORG, adminKey: ADMIN_KEY });
});
afterEach(() => {
  sim.clearFaults();
  sim.clearLog();
  sim.setOrg(ORG);
});
afterAll(async () => {
  await sim.close();
});

describe("sample org fixtures", () => {
  it("has one api_key.created event per key, at its created_at", () => {
    const keys = [...ORG.adminKeys, ...Object.values(ORG.projectKeys).flat()];
    const created = (ORG.auditLogs ?? []).filter((e) => e.type === "api_key.created");
    expect(created).toHaveLength(keys.length);
    for (const k of keys) {
      const event = created.find((e) => e["api_key.created"]?.id === k.id);
      expect(event?.effective_at).toBe(k.created_at);
    }
  });

  it("has usage only for keys used within 14 days, the last record at last_used_at", () => {
    const used = new Set((ORG.usage ?? []).map((r) => r.api_key_id));
    expect([...used].sort()).toEqual(["key_data_deploy", "key_data_etl", "key_data_eve", "key_ml_ancient", "key_web_dana", "key_web_mallory", "key_web_prod"]);
    const prod = (ORG.usage ?? []).filter((r) => r.api_key_id === "key_web_prod");
    expect(Math.max(...prod.map((r) => r.at))).toBe(NOW_S - 2 * DAY_SECONDS);
  });
});

describe("GET /organization/audit_logs", () => {
  it("serves ListAuditLogsResponse, newest first, with the required AuditLog fields", async () => {
    const reply = await call("/organization/audit_logs", [["limit", 100]]);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json).sort()).toEqual(["data", "first_id", "has_more", "last_id", "object"]);
    expect(reply.json.object).toBe("list");
    expect(reply.json.has_more).toBe(false);
    const data = reply.json.data as any[];
    expect(data).toHaveLength((ORG.auditLogs ?? []).length);
    expect(reply.json.first_id).toBe(data[0].id);
    expect(reply.json.last_id).toBe(data[data.length - 1].id);
    for (const e of data) {
      expect(typeof e.id).toBe("string");
      expect(typeof e.type).toBe("string");
      expect(Number.isInteger(e.effective_at)).toBe(true);
      expect(["session", "api_key"]).toContain(e.actor.type);
    }
    const times = data.map((e) => e.effective_at);
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it("api_key.created: a session actor (user id + email) for a user's key", async () => {
    const reply = await call("/organization/audit_logs", [["resource_ids[]", "key_web_prod"]]);
    expect(reply.json.data).toHaveLength(1);
    const [e] = reply.json.data;
    expect(e.type).toBe("api_key.created");
    expect(e.effective_at).toBe(NOW_S - 100 * DAY_SECONDS);
    expect(e["api_key.created"]).toEqual({ id: "key_web_prod", data: { scopes: [] } });
    expect(e.project).toEqual({ id: "proj_web", name: "web-app" });
    expect(e.actor.type).toBe("session");
    expect(e.actor.session.user).toEqual({ id: "user_alice", email: "alice@example.com" });
    expect(typeof e.actor.session.ip_address).toBe("string");
  });

  it("api_key.created: api_key actors of type user and service_account", async () => {
    const reply = await call("/organization/audit_logs", [
      ["resource_ids[]", "key_data_deploy"],
      ["resource_ids[]", "key_data_etl"],
    ]);
    const byKey = Object.fromEntries((reply.json.data as any[]).map((e) => [e["api_key.created"].id, e.actor]));
    expect(byKey["key_data_deploy"]).toEqual({
      type: "api_key",
      api_key: { id: "key_admin_retired", type: "user", user: { id: "user_alice", email: "alice@example.com" } },
    });
    expect(byKey["key_data_etl"]).toEqual({ type: "api_key", api_key: { id: "key_data_deploy", type: "service_account", service_account: { id: "sa_deploy" } } });
  });

  it("filters by event_types[], effective_at[...], actor_ids[], actor_emails[], project_ids[]", async () => {
    const keyCount = ORG.adminKeys.length + Object.values(ORG.projectKeys).flat().length;
    const created = await call("/organization/audit_logs", [
      ["event_types[]", "api_key.created"],
      ["limit", 100],
    ]);
    expect(created.json.data).toHaveLength(keyCount);
    const projects = await call("/organization/audit_logs", [["event_types[]", "project.created"]]);
    expect(projects.json.data.map((e: any) => e.type)).toEqual(Array(ORG.projects.length).fill("project.created"));

    // gte is inclusive, lt exclusive: key_web_mallory (20 days) in, key_admin_alice (30 days) out, key_ml_new (5) in.
    const window = await call("/organization/audit_logs", [
      ["event_types[]", "api_key.created"],
      ["effective_at[gte]", NOW_S - 20 * DAY_SECONDS],
      ["effective_at[lt]", NOW_S - 5 * DAY_SECONDS],
    ]);
    expect(window.json.data.map((e: any) => e["api_key.created"].id)).toEqual(["key_admin_ci", "key_web_mallory"]);
    const gt = await call("/organization/audit_logs", [["effective_at[gt]", NOW_S - 10 * DAY_SECONDS]]);
    expect(gt.json.data.map((e: any) => e["api_key.created"].id)).toEqual(["key_ml_new"]);
    const lte = await call("/organization/audit_logs", [["effective_at[lte]", NOW_S - 700 * DAY_SECONDS]]);
    expect(lte.json.data.map((e: any) => e.id)).toEqual(["audit_log-proj_legacy_created"]);

    const byActor = await call("/organization/audit_logs", [["actor_ids[]", "sa_deploy"]]);
    expect(byActor.json.data.map((e: any) => e["api_key.created"].id)).toEqual(["key_data_etl"]);
    const byEmail = await call("/organization/audit_logs", [
      ["actor_emails[]", "mallory@gmail.com"],
      ["event_types[]", "api_key.created"],
    ]);
    expect(byEmail.json.data.map((e: any) => e["api_key.created"].id)).toEqual(["key_web_mallory"]);
    const byProject = await call("/organization/audit_logs", [
      ["project_ids[]", "proj_ml"],
      ["event_types[]", "api_key.created"],
    ]);
    expect(byProject.json.data.map((e: any) => e["api_key.created"].id).sort()).toEqual(["key_ml_ancient", "key_ml_never", "key_ml_new"]);
  });

  it("paginates with after to the last page, and back with before", async () => {
    const all = (await call("/organization/audit_logs", [["limit", 100]])).json.data.map((e: any) => e.id);
    const pages = await allAuditPages([["limit", 3]]);
    expect(pages.length).toBe(Math.ceil(all.length / 3));
    expect(pages.flatMap((p) => p.json.data.map((e: any) => e.id))).toEqual(all);
    const last = pages[pages.length - 1] as Reply;
    expect(last.json.has_more).toBe(false);
    expect(last.json.last_id).toBe(all[all.length - 1]);

    const second = pages[1] as Reply;
    const back = await call("/organization/audit_logs", [
      ["limit", 3],
      ["before", second.json.first_id],
    ]);
    expect(back.json.data.map((e: any) => e.id)).toEqual(pages[0]?.json.data.map((e: any) => e.id));
    expect(back.json.has_more).toBe(false);
    const back2 = await call("/organization/audit_logs", [
      ["limit", 2],
      ["before", second.json.first_id],
    ]);
    expect(back2.json.data.map((e: any) => e.id)).toEqual(all.slice(1, 3));
    expect(back2.json.has_more).toBe(true);
  });

  it("default limit 20; rejects limit outside 1..100, bad cursors and non-integer times", async () => {
    const base = ORG.auditLogs ?? [];
    const extra = base.map((e) => ({ ...structuredClone(e), id: `${e.id}_copy` }));
    sim.setOrg({ ...structuredClone(ORG), auditLogs: [...base, ...extra] });
    const page = await call("/organization/audit_logs");
    expect(base.length * 2).toBeGreaterThan(20);
    expect(page.json.data).toHaveLength(20);
    expect(page.json.has_more).toBe(true);
    expectErrorEnvelope(await call("/organization/audit_logs", [["limit", 0]]), 400, "limit");
    expectErrorEnvelope(await call("/organization/audit_logs", [["limit", 101]]), 400, "limit");
    expect((await call("/organization/audit_logs", [["limit", 100]])).status).toBe(200);
    expectErrorEnvelope(await call("/organization/audit_logs", [["after", "audit_log-nope"]]), 400, "after");
    expectErrorEnvelope(await call("/organization/audit_logs", [["before", "audit_log-nope"]]), 400, "before");
    expectErrorEnvelope(await call("/organization/audit_logs", [["effective_at[gt]", "yesterday"]]), 400, "effective_at[gt]");
  });

  it("an organization without audit logging answers an error envelope (after auth)", async () => {
    const org: SimOrg = { ...structuredClone(ORG), auditLoggingEnabled: false };
    sim.setOrg(org);
    const reply = await call("/organization/audit_logs");
    expectErrorEnvelope(reply, AUDIT_LOGGING_DISABLED_STATUS);
    expect(reply.status).toBe(403);
    expect(reply.json.error.message).toMatch(/audit logging is not enabled/i);
    expectErrorEnvelope(await call("/organization/audit_logs", [], null), 401);
    // Usage and costs are unaffected.
    expect((await call("/organization/costs", RANGE)).status).toBe(200);
  });

  it("an organization without events lists nothing", async () => {
    const { auditLogs: _omit, ...rest } = structuredClone(ORG);
    sim.setOrg(rest);
    const reply = await call("/organization/audit_logs");
    expect(reply.json).toEqual({ object: "list", data: [], first_id: null, last_id: null, has_more: false });
  });
});

describe("GET /organization/usage/completions", () => {
  it("serves UsageResponse of buckets with UsageCompletionsResult", async () => {
    const reply = await call("/organization/usage/completions", [...RANGE, ["limit", 31]]);
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.json).sort()).toEqual(["data", "has_more", "next_page", "object"]);
    expect(reply.json).toMatchObject({ object: "page", has_more: false, next_page: null });
    const buckets = reply.json.data as any[];
    expect(buckets).toHaveLength(DAY_BUCKETS);
    for (const [i, b] of buckets.entries()) {
      expect(Object.keys(b).sort()).toEqual(["end_time", "object", "results", "start_time"]);
      expect(b.object).toBe("bucket");
      expect(b.start_time % DAY_SECONDS).toBe(0);
      expect(b.end_time - b.start_time).toBe(DAY_SECONDS);
      if (i > 0) expect(b.start_time).toBe(buckets[i - 1].end_time);
    }
    const results = buckets.flatMap((b) => b.results);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(r.object).toBe("organization.usage.completions.result");
      for (const f of ["input_tokens", "output_tokens", "num_model_requests"]) expect(Number.isInteger(r[f])).toBe(true);
      // Not grouped: every grouping field is null.
      for (const f of ["project_id", "user_id", "api_key_id", "model", "batch", "service_tier"]) expect(r[f]).toBeNull();
    }
    const total = (ORG.usage ?? []).filter((r) => r.at >= START && r.at < END).reduce((n, r) => n + r.input_tokens, 0);
    expect(results.reduce((n, r) => n + r.input_tokens, 0)).toBe(total);
  });

  it("group_by api_key_id (with or without []) totals each key's usage; api_key_ids filters", async () => {
    for (const name of ["group_by", "group_by[]"]) {
      const reply = await call("/organization/usage/completions", [...RANGE, ["limit", 31], [name, "api_key_id"], [name, "project_id"]]);
      const results = (reply.json.data as any[]).flatMap((b) => b.results);
      const prod = results.filter((r) => r.api_key_id === "key_web_prod");
      expect(prod.every((r) => r.project_id === "proj_web" && r.user_id === null && r.model === null)).toBe(true);
      expect(prod.reduce((n, r) => n + r.output_tokens, 0)).toBe(usageOf("key_web_prod").reduce((n, r) => n + r.output_tokens, 0));
      expect(prod).toHaveLength(usageOf("key_web_prod").length);
    }
    const filtered = await call("/organization/usage/completions", [...RANGE, ["limit", 31], ["api_key_ids", "key_data_etl"], ["group_by", "model"]]);
    const results = (filtered.json.data as any[]).flatMap((b) => b.results);
    expect(results).toHaveLength(usageOf("key_data_etl").length);
    expect(new Set(results.map((r) => r.model))).toEqual(new Set(["gpt-4o-mini-2024-07-18"]));
    expect(results.every((r) => r.api_key_id === null)).toBe(true);
  });

  it("pages with page ← next_page to the last page (default limit 7 at 1d)", async () => {
    const pages = await allUsagePages("/organization/usage/completions", RANGE);
    expect(pages.map((p) => p.json.data.length)).toEqual([7, 7, DAY_BUCKETS - 14]);
    const starts = pages.flatMap((p) => p.json.data.map((b: any) => b.start_time));
    expect(new Set(starts).size).toBe(DAY_BUCKETS);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
  });

  it("1h and 1m buckets have their widths and limits", async () => {
    const hourly = await call("/organization/usage/completions", [["start_time", NOW_S - 2 * DAY_SECONDS], ["end_time", NOW_S], ["bucket_width", "1h"]]);
    expect(hourly.json.data).toHaveLength(24);
    expect(hourly.json.has_more).toBe(true);
    expect(hourly.json.data[0].end_time - hourly.json.data[0].start_time).toBe(3600);
    const minutely = await call("/organization/usage/completions", [["start_time", NOW_S - 3600], ["bucket_width", "1m"], ["limit", 1440]]);
    expect(minutely.status).toBe(200);
    expect(minutely.json.data[0].end_time - minutely.json.data[0].start_time).toBe(60);
    expectErrorEnvelope(await call("/organization/usage/completions", [...RANGE, ["bucket_width", "1h"], ["limit", 169]]), 400, "limit");
    expectErrorEnvelope(await call("/organization/usage/completions", [...RANGE, ["bucket_width", "1m"], ["limit", 1441]]), 400, "limit");
  });

  it("rejects a missing start_time, bad limit, bucket_width, group_by and page", async () => {
    expectErrorEnvelope(await call("/organization/usage/completions"), 400, "start_time");
    expectErrorEnvelope(await call("/organization/usage/completions", [["start_time", "soon"]]), 400, "start_time");
    expectErrorEnvelope(await call("/organization/usage/completions", [...RANGE, ["limit", 32]]), 400, "limit");
    expectErrorEnvelope(await call("/organization/usage/completions", [...RANGE, ["limit", 0]]), 400, "limit");
    expectErrorEnvelope(await call("/organization/usage/completions", [...RANGE, ["bucket_width", "1w"]]), 400, "bucket_width");
    expectErrorEnvelope(await call("/organization/usage/completions", [...RANGE, ["group_by", "line_item"]]), 400, "group_by");
    expectErrorEnvelope(await call("/organization/usage/completions", [...RANGE, ["page", "page_bogus"]]), 400, "page");
    expectErrorEnvelope(await call("/organization/usage/completions", [["start_time", END], ["end_time", START]]), 400, "end_time");
  });
});

describe("GET /organization/costs", () => {
  it("serves UsageResponse of CostsResult with amount {value, currency}", async () => {
    const reply = await call("/organization/costs", [...RANGE, ["limit", 180]]);
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ object: "page", has_more: false, next_page: null });
    const results = (reply.json.data as any[]).flatMap((b) => b.results);
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(["amount", "api_key_id", "line_item", "object", "project_id", "quantity", "quantity_unit"]);
      expect(r.object).toBe("organization.costs.result");
      expect(typeof r.amount.value).toBe("number");
      expect(r.amount.currency).toBe("usd");
      expect(r).toMatchObject({ line_item: null, project_id: null, api_key_id: null, quantity: null, quantity_unit: null });
    }
  });

  it("group_by api_key_id totals each key's spend; line_item splits input/output with quantities", async () => {
    const reply = await call("/organization/costs", [...RANGE, ["limit", 180], ["group_by[]", "api_key_id"]]);
    const results = (reply.json.data as any[]).flatMap((b) => b.results);
    const spend = (id: string) => results.filter((r) => r.api_key_id === id).reduce((n, r) => n + r.amount.value, 0);
    const expected = usageOf("key_ml_ancient").reduce((n, r) => n + r.input_cost_usd + r.output_cost_usd, 0);
    expect(expected).toBeGreaterThan(0);
    expect(spend("key_ml_ancient")).toBeCloseTo(expected, 8);
    expect(spend("key_web_old")).toBe(0);

    const items = await call("/organization/costs", [...RANGE, ["limit", 180], ["group_by", "line_item"], ["api_key_ids", "key_web_prod"]]);
    const lines = (items.json.data as any[]).flatMap((b) => b.results);
    expect(new Set(lines.map((r) => r.line_item))).toEqual(new Set(["gpt-4o-2024-08-06, input", "gpt-4o-2024-08-06, output"]));
    const inputTokens = lines.filter((r) => r.line_item.endsWith("input")).reduce((n, r) => n + r.quantity, 0);
    expect(inputTokens).toBe(usageOf("key_web_prod").reduce((n, r) => n + r.input_tokens, 0));
    expect(lines.every((r) => r.quantity_unit === "tokens" && r.api_key_id === null)).toBe(true);
  });

  it("pages to the last page; bucket_width 1d only; limit 1..180; group_by ⊆ project_id,line_item,api_key_id", async () => {
    const pages = await allUsagePages("/organization/costs", [...RANGE, ["limit", 5]]);
    expect(pages.flatMap((p) => p.json.data)).toHaveLength(DAY_BUCKETS);
    expect(pages[0]?.json.data).toHaveLength(5);
    expect((await call("/organization/costs", RANGE)).json.data).toHaveLength(7);
    expectErrorEnvelope(await call("/organization/costs", [...RANGE, ["bucket_width", "1h"]]), 400, "bucket_width");
    expectErrorEnvelope(await call("/organization/costs", [...RANGE, ["limit", 181]]), 400, "limit");
    expectErrorEnvelope(await call("/organization/costs", [...RANGE, ["limit", 0]]), 400, "limit");
    expectErrorEnvelope(await call("/organization/costs", [...RANGE, ["group_by", "model"]]), 400, "group_by");
    expectErrorEnvelope(await call("/organization/costs"), 400, "start_time");
  });
});

describe("auth, faults and the request log", () => {
  const PATHS = ["/organization/audit_logs", "/organization/usage/completions", "/organization/costs"];

  it("401 without or with a wrong key; 405 for other methods", async () => {
    for (const path of PATHS) {
      expectErrorEnvelope(await call(path, RANGE, null), 401);
      const wrong = await call(path, RANGE, "sk-admin-wrong");
      expectErrorEnvelope(wrong, 401);
      expect(wrong.json.error.code).toBe("invalid_api_key");
      const post = await fetch(sim.url + path, { method: "POST", headers: { authorization: `Bearer ${ADMIN_KEY}` } });
      expect(post.status).toBe(405);
      expect(post.headers.get("allow")).toBe("GET");
    }
  });

  it("429 with Retry-After on each endpoint, then recovers", async () => {
    for (const path of PATHS) {
      sim.addFault({ match: { path }, times: 1, effect: { kind: "status", status: 429, retryAfter: 7 } });
      const limited = await call(path, RANGE);
      expectErrorEnvelope(limited, 429);
      expect(limited.headers.get("retry-after")).toBe("7");
      expect(limited.json.error.code).toBe("rate_limit_exceeded");
      expect((await call(path, RANGE)).status).toBe(200);
    }
  });

  it("match.page targets one usage page; 500 on it", async () => {
    const first = await call("/organization/costs", RANGE);
    const next = first.json.next_page as string;
    sim.addFault({ match: { path: "/organization/costs", page: next }, times: 1, effect: { kind: "status", status: 500 } });
    expect((await call("/organization/costs", RANGE)).status).toBe(200);
    expectErrorEnvelope(await call("/organization/costs", [...RANGE, ["page", next]]), 500);
    expect((await call("/organization/costs", [...RANGE, ["page", next]])).status).toBe(200);
  });

  it("body faults: lie_has_more nulls next_page; invalid_shape drops effective_at / start_time; malformed_json", async () => {
    sim.addFault({ match: { path: "/organization/usage/completions" }, times: 1, effect: { kind: "lie_has_more" } });
    const lie = await call("/organization/usage/completions", [...RANGE, ["limit", 31]]);
    expect(lie.json).toMatchObject({ has_more: true, next_page: null });
    sim.addFault({ match: { path: "/organization/audit_logs" }, times: 1, effect: { kind: "invalid_shape" } });
    const badEvent = await call("/organization/audit_logs");
    expect("effective_at" in badEvent.json.data[0]).toBe(false);
    expect("effective_at" in badEvent.json.data[1]).toBe(true);
    sim.addFault({ match: { path: "/organization/costs" }, times: 1, effect: { kind: "invalid_shape" } });
    const badBucket = await call("/organization/costs", RANGE);
    expect("start_time" in badBucket.json.data[0]).toBe(false);
    sim.addFault({ match: { path: "/organization/costs" }, times: 1, effect: { kind: "malformed_json" } });
    const broken = await call("/organization/costs", RANGE);
    expect(broken.status).toBe(200);
    expect(broken.json).toBeUndefined();
  });

  it("records every request with path, query and status", async () => {
    sim.addFault({ match: { path: "/organization/costs" }, times: 1, effect: { kind: "status", status: 429, retryAfter: 1 } });
    await call("/organization/audit_logs", [["event_types[]", "api_key.created"]]);
    await call("/organization/usage/completions", [...RANGE, ["group_by", "api_key_id"]], null);
    await call("/organization/costs", RANGE);
    expect(sim.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ["GET", "/v1/organization/audit_logs", 200],
      ["GET", "/v1/organization/usage/completions", 401],
      ["GET", "/v1/organization/costs", 429],
    ]);
    expect(sim.requests[0]?.query).toEqual({ "event_types[]": "api_key.created" });
    expect(sim.requests[2]?.query).toEqual({ start_time: String(START), end_time: String(END) });
  });
});
