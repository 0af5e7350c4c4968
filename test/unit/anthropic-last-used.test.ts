import { describe, expect, it } from "vitest";
import { readKeyTotals } from "../../src/providers/anthropic/key-totals.js";
import { type LastUseReport, lastUseOf, readLastUse, usageWindow } from "../../src/providers/anthropic/last-used.js";
import { SAMPLE_LAST_USED_DAYS_AGO, sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import type { AnthropicSimulator } from "../../src/sim/anthropic/server.js";
import type { SimAnthropicOrg } from "../../src/sim/anthropic/types.js";
import { ACCOUNT, NOW, clientOptions, requestsTo, withSampleSimulator } from "./anthropic-support.js";

let sim: AnthropicSimulator;
withSampleSimulator((started) => {
  sim = started;
});

const USAGE = "/v1/organizations/analytics/usage";
const DAY = 86_400_000;
const MIDNIGHT = Date.parse("2026-11-23T00:00:00Z");
const org = sampleAnthropicOrg(NOW);
const createdAt = (id: string): string => org.apiKeys.find((k) => k.id === id)?.created_at ?? "";
const lastUse = (report: LastUseReport, id: string) => lastUseOf(report, { id, created_at: createdAt(id) });

describe("the window the usage analytics are read over", () => {
  it("goes back as many days as asked, in ranges of at most 31 days, newest first", () => {
    const { window, ranges } = usageWindow(90, NOW);
    expect(window).toEqual({ from: "2026-08-25T06:00:00Z", to: "2026-11-23T06:00:00Z", requested_days: 90, covered_days: 90, limited_by: null });
    expect(ranges.map((r) => (r.to - r.from) / DAY)).toEqual([31, 31, 28]);
    expect(ranges[0]?.to).toBe(Date.parse(window.to));
    expect(ranges.at(-1)?.from).toBe(Date.parse(window.from));
  });

  it("stops at 2026-01-01, before which the API has nothing", () => {
    const { window } = usageWindow(400, NOW);
    expect(window).toMatchObject({ from: "2026-01-01T00:00:00Z", covered_days: 326, limited_by: "none_before_2026" });
  });

  it("stops inside the 365 days the API keeps", () => {
    const { window, ranges } = usageWindow(400, new Date("2027-06-01T06:30:00Z"));
    expect(window).toMatchObject({ from: "2026-06-02T00:00:00Z", to: "2027-06-01T06:00:00Z", limited_by: "kept_365_days" });
    expect(ranges).toHaveLength(12);
  });
});

describe("last use from the usage analytics", () => {
  it("finds each key's latest day with usage, asking the report as the SDK types say", async () => {
    const report = await readLastUse({ ...clientOptions(sim), days: 90, now: NOW });
    expect(report.known).toBe(true);
    for (const [id, days] of Object.entries(SAMPLE_LAST_USED_DAYS_AGO).filter(([, days]) => days <= 90)) {
      expect(lastUse(report, id), id).toEqual({
        state: "used",
        bucket_start: new Date(MIDNIGHT - days * DAY).toISOString(),
        last_used_at: new Date(MIDNIGHT - (days - 1) * DAY).toISOString(),
      });
    }
    const requests = requestsTo(sim, USAGE);
    expect(requests).toHaveLength(3);
    for (const request of requests) {
      expect(request.beta).toContain("analytics-usage-cost-2026-08-24");
      expect(request.query).toMatchObject({ "group_by[]": "api_key_id", time_bucket_width: "1d", limit: "1000" });
    }
    expect(report.requests).toBe(3);
  });

  it("says what it knows of a key without usage in the window, never more", async () => {
    const report = await readLastUse({ ...clientOptions(sim), days: 90, now: NOW });
    // The active key never used, created 120 days ago: older than the window.
    expect(lastUse(report, "apikey_research_unused")).toEqual({ state: "not_used_since", since: "2026-08-25T06:00:00.000Z" });
    // Used 143 days ago: outside the 90 days asked.
    expect(lastUse(report, "apikey_research_bob")).toEqual({ state: "not_used_since", since: "2026-08-25T06:00:00.000Z" });
    // Created 80 days ago and never used: the window covers its whole life.
    expect(lastUse(report, "apikey_inactive_ops")).toEqual({ state: "never_used", since: createdAt("apikey_inactive_ops") });
  });

  it("does not call a key never used when it is newer than what the report could see", () => {
    const window = { from: "2026-08-25T06:00:00Z", to: "2026-11-23T06:00:00Z", requested_days: 90, covered_days: 90, limited_by: null, fresh_until: "2026-11-23T03:00:00Z" } as const;
    const report: LastUseReport = { known: true, account: ACCOUNT, window, lastUsed: {}, requests: 3 };
    expect(lastUseOf(report, { id: "k", created_at: "2026-11-23T05:30:00.000Z" })).toEqual({
      state: "unknown",
      reason: "the key was created after the usage analytics were last refreshed (2026-11-23T03:00:00Z)",
    });
    expect(lastUseOf(report, { id: "k", created_at: "2026-11-23T06:10:00.000Z" })).toEqual({ state: "unknown", reason: "the key was created after the usage window read ended (2026-11-23T06:00:00Z)" });
    expect(lastUseOf(report, { id: "k", created_at: "2026-11-23T02:00:00.000Z" })).toEqual({ state: "never_used", since: "2026-11-23T02:00:00.000Z" });
  });

  it("reads further back when asked, up to 2026-01-01", async () => {
    const report = await readLastUse({ ...clientOptions(sim), days: 400, now: NOW });
    if (!report.known) throw new Error(report.reason);
    expect(report.window.limited_by).toBe("none_before_2026");
    expect(lastUse(report, "apikey_research_bob")).toMatchObject({ state: "used", bucket_start: new Date(MIDNIGHT - 143 * DAY).toISOString() });
    expect(lastUse(report, "apikey_archived_legacy")).toMatchObject({ state: "used", bucket_start: new Date(MIDNIGHT - 300 * DAY).toISOString() });
    expect(lastUse(report, "apikey_research_unused")).toEqual({ state: "never_used", since: createdAt("apikey_research_unused") });
    expect(requestsTo(sim, USAGE)).toHaveLength(11);
  });

  it("asks no older range once every key it was given has a use", async () => {
    const report = await readLastUse({ ...clientOptions(sim), days: 90, now: NOW, keyIds: ["apikey_prod_web", "apikey_org_alice"], concurrency: 1 });
    expect(report.known).toBe(true);
    expect(requestsTo(sim, USAGE)).toHaveLength(1);
  });

  it("follows the report's pages", async () => {
    const big: SimAnthropicOrg = sampleAnthropicOrg(NOW);
    for (let k = 0; k < 40; k++) {
      for (let d = 1; d <= 31; d++) big.usage.push({ api_key_id: `apikey_bulk_${k}`, at: new Date(MIDNIGHT - d * DAY + 3_600_000).toISOString(), requests: 1, input_tokens: 10, output_tokens: 1, cost_cents: 1 });
    }
    sim.setOrg(big);
    const report = await readLastUse({ ...clientOptions(sim), days: 31, now: NOW });
    expect(report.known).toBe(true);
    expect(lastUse(report, "apikey_bulk_39")).toMatchObject({ state: "used", bucket_start: new Date(MIDNIGHT - DAY).toISOString() });
    // 40 × 31 bulk rows and the sample's few in one range: two pages of 1000.
    expect(requestsTo(sim, USAGE).map((r) => r.query["page"] === undefined)).toEqual([true, false]);
  });
});

describe("usage that cannot be read is unknown, never unused", () => {
  const expectUnknown = (report: LastUseReport, reason: RegExp) => {
    expect(report.known).toBe(false);
    for (const id of ["apikey_research_unused", "apikey_prod_web", "apikey_inactive_ops"]) {
      const use = lastUse(report, id);
      expect(use.state).toBe("unknown");
      if (use.state === "unknown") expect(use.reason).toMatch(reason);
    }
  };

  it("an organization without the analytics (HIPAA readiness: 400)", async () => {
    sim.setOrg({ ...sampleAnthropicOrg(NOW), analyticsUnavailable: true });
    const report = await readLastUse({ ...clientOptions(sim), days: 90, now: NOW });
    expectUnknown(report, /^the usage analytics could not be read: Anthropic account "anthropic-eu": analytics usage from .+: HTTP 400 \(invalid_request_error\)$/);
  });

  it("a report that keeps failing", async () => {
    sim.addFault({ match: { path: "/organizations/analytics/usage" }, effect: { kind: "status", status: 500 } });
    const report = await readLastUse({ ...clientOptions(sim), days: 90, now: NOW });
    expectUnknown(report, /HTTP 500 \(api_error\) \(gave up after 3 attempts\)$/);
  });

  it("a report page that says has_more without a next_page", async () => {
    sim.addFault({ match: { path: "/organizations/analytics/usage" }, effect: { kind: "truncated_page" }, times: 1 });
    const report = await readLastUse({ ...clientOptions(sim), days: 90, now: NOW });
    expectUnknown(report, /has_more: true without a next_page/);
  });

  it("a row that does not parse", async () => {
    sim.addFault({ match: { path: "/organizations/analytics/usage" }, effect: { kind: "invalid_item" }, times: 1 });
    const report = await readLastUse({ ...clientOptions(sim), days: 90, now: NOW });
    expectUnknown(report, /row #0 could not be read: starting_at/);
  });

  it("a rejected admin key", async () => {
    const report = await readLastUse({ ...clientOptions(sim), adminKey: "sk-ant-admin01-wrong-0000000000000000000", days: 90, now: NOW });
    expectUnknown(report, /HTTP 401: the Admin API rejected the admin key/);
    if (!report.known) expect(report.reason).not.toContain("wrong-0000");
  });
});

describe("requests and spend per key (enrichment)", () => {
  it("sums the 30 days of the usage and cost reports per key, in requests and US dollars", async () => {
    const totals = await readKeyTotals({ ...clientOptions(sim), now: NOW });
    const from = Date.parse("2026-10-24T06:00:00Z");
    const to = Date.parse("2026-11-23T06:00:00Z");
    const expected = { requests: {} as Record<string, number>, spend: {} as Record<string, number> };
    for (const r of org.usage) {
      const at = Date.parse(r.at);
      if (r.api_key_id === null || at < from || at >= to) continue;
      expected.requests[r.api_key_id] = (expected.requests[r.api_key_id] ?? 0) + r.requests;
      expected.spend[r.api_key_id] = (expected.spend[r.api_key_id] ?? 0) + r.cost_cents / 100;
    }
    expect(Object.keys(expected.requests).length).toBeGreaterThan(3);
    expect(totals).toMatchObject({ from: "2026-10-24T06:00:00Z", to: "2026-11-23T06:00:00Z", requests: { known: true, byKey: expected.requests } });
    if (!totals.spend_usd.known) throw new Error(totals.spend_usd.reason);
    for (const [id, usd] of Object.entries(expected.spend)) expect(totals.spend_usd.byKey[id]).toBeCloseTo(usd, 6);
    expect(totals.apiRequests).toBe(2);
    expect(requestsTo(sim, "/v1/organizations/analytics/cost")[0]?.query).toMatchObject({ "group_by[]": "api_key_id", limit: "1000" });
  });

  it("one source failing leaves the other known", async () => {
    sim.addFault({ match: { path: "/organizations/analytics/cost" }, effect: { kind: "status", status: 403 } });
    const totals = await readKeyTotals({ ...clientOptions(sim), now: NOW, account: ACCOUNT });
    expect(totals.requests.known).toBe(true);
    expect(totals.spend_usd).toEqual({ known: false, reason: expect.stringMatching(/analytics cost .*HTTP 403: the admin key lacks permission \(permission_error\)$/) });
  });
});
