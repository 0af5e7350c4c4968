/**
 * The accounts of one run read at once (src/audit/accounts.ts): one request cap per slice shared
 * between the accounts with work, one in-flight limit for all of them, and a slice of one account that
 * is exactly what it was before accounts existed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountSettings } from "../../src/config.js";
import { assembleRun, collectRunSlice, runUnitsLeft, shareRequestCap, startRunWork } from "../../src/audit/accounts.js";
import { shareSliceCap } from "../../src/audit/cap-shares.js";
import { checkPolicy } from "../../src/policy/check.js";
import { bundledPolicy } from "../../src/policy/bundled.js";
import { limitedFetch } from "../../src/providers/fetch-limit.js";
import { collectInventory } from "../../src/providers/openai/collect.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import { type AnthropicSimulator, startAnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { generateOrg } from "../../src/sim/generate.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const NOW = new Date("2026-11-23T06:00:00Z");
const KEY_A = "sk-admin-fake-slices-a-0000000000000000";
const KEY_B = "sk-admin-fake-slices-b-0000000000000000";
const KEY_C = "sk-ant-admin01-fake-slices-c-000000000000";
const FAST = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 1_000, budgetMs: 10_000 };

let a: Simulator;
let b: Simulator;
let c: AnthropicSimulator;
let accounts: AccountSettings[];
beforeAll(async () => {
  // Every answer held back 20 ms, so the accounts' requests overlap.
  [a, b, c] = await Promise.all([
    startSimulator({ org: generateOrg({ projects: 12, keysPerProject: 2, users: 5, adminKeys: 1, now: NOW, seed: 1 }), adminKey: KEY_A, port: 0, latencyMs: 20 }),
    startSimulator({ org: generateOrg({ projects: 12, keysPerProject: 2, users: 5, adminKeys: 1, now: NOW, seed: 2 }), adminKey: KEY_B, port: 0, latencyMs: 20 }),
    startAnthropicSimulator({ org: sampleAnthropicOrg(NOW), adminKey: KEY_C, port: 0, latencyMs: 20, now: () => NOW }),
  ]);
  accounts = [
    { name: "a", provider: "openai", adminKeySecret: "A", adminKey: KEY_A, baseUrl: a.url },
    { name: "b", provider: "openai", adminKeySecret: "B", adminKey: KEY_B, baseUrl: b.url },
    { name: "c", provider: "anthropic", adminKeySecret: "C", adminKey: KEY_C, baseUrl: c.url },
  ];
});
afterAll(() => Promise.all([a.close(), b.close(), c.close()]));

const policy = () => {
  const checked = checkPolicy(bundledPolicy("default") ?? { name: "", file: "", text: "" });
  if (!checked.ok) throw new Error("the default policy is invalid");
  return checked.policy;
};

describe("the request cap of a slice", () => {
  it("is split evenly between the accounts with work, each given at least one page's attempts; one account has it all", () => {
    expect(Object.fromEntries(shareRequestCap(45, ["a", "b", "c"], 4))).toEqual({ a: 15, b: 15, c: 15 });
    expect(Object.fromEntries(shareRequestCap(10, ["a", "b", "c"], 4))).toEqual({ a: 5, b: 5 });
    expect(Object.fromEntries(shareRequestCap(45, ["a"], 4))).toEqual({ a: 45 });
    expect(Object.fromEntries(shareRequestCap(14, ["a", "b", "c"], 4))).toEqual({ a: 5, b: 5, c: 4 });
  });

  it("with the enrichment started beside the inventory: the inventory first, the enrichment what its units may take, at most a quarter", () => {
    const units = (entries: [string, number][]) => new Map(entries);
    const asObjects = (shares: ReturnType<typeof shareSliceCap>) => ({ inventory: Object.fromEntries(shares.inventory), enrichment: Object.fromEntries(shares.enrichment) });
    // One account: its two reports may take 2 × 4 attempts; the inventory the rest.
    expect(asObjects(shareSliceCap(45, ["a"], units([["a", 2]]), 4))).toEqual({ inventory: { a: 37 }, enrichment: { a: 8 } });
    // Three: never more than a quarter of the cap while an inventory has work.
    expect(asObjects(shareSliceCap(45, ["a", "b", "c"], units([["a", 2], ["b", 2], ["c", 2]]), 4))).toEqual({ inventory: { a: 12, b: 11, c: 11 }, enrichment: { a: 6, b: 5 } });
    // A small cap goes to the inventories it can hold before any enrichment.
    expect(asObjects(shareSliceCap(12, ["a", "b", "c"], units([["a", 2]]), 4))).toEqual({ inventory: { a: 4, b: 4, c: 4 }, enrichment: {} });
    // No enrichment units, or no inventory left: one of them has it all.
    expect(asObjects(shareSliceCap(45, ["a", "b"], units([["a", 0]]), 4))).toEqual({ inventory: { a: 23, b: 22 }, enrichment: {} });
    expect(asObjects(shareSliceCap(45, [], units([["a", 9], ["b", 1]]), 4))).toEqual({ inventory: {}, enrichment: { a: 23, b: 22 } });
  });

  it("holds over every slice of three accounts read at once, and the slices read everything once", async () => {
    let state = startRunWork(accounts, policy());
    const parts = [];
    const perSlice: number[] = [];
    for (const sim of [a, b, c]) sim.clearLog();
    while (runUnitsLeft(state) > 0) {
      const slice = await collectRunSlice(accounts, state, { client: { retry: FAST }, now: NOW, requestCap: 12 });
      perSlice.push(slice.requests);
      parts.push(...slice.parts);
      state = slice.state;
    }
    expect(Math.max(...perSlice)).toBeLessThanOrEqual(12);
    expect(perSlice.reduce((n, r) => n + r, 0)).toBe(a.requests.length + b.requests.length + c.requests.length);
    const run = assembleRun(accounts, parts);
    const whole = await collectInventory({ adminKey: KEY_A, baseURL: a.url, retry: FAST });
    expect(run.accounts[0]?.keys.map((k) => k.id).sort()).toEqual(whole.keys.map((k) => k.id).sort());
    expect(run.accounts.map((i) => [i.account, i.errors.length])).toEqual([
      ["a", 0],
      ["b", 0],
      ["c", 0],
    ]);
    expect(run.accounts[2]?.lastUse).toMatchObject({ known: true, account: "c" });
  });
});

describe("the in-flight limit", () => {
  it("is shared: three accounts read at once never have more than 6 requests in flight together", async () => {
    let inFlight = 0;
    let most = 0;
    const counting: typeof fetch = async (input, init) => {
      most = Math.max(most, ++inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    await collectRunSlice(accounts, startRunWork(accounts, policy()), { client: { retry: FAST, fetch: counting }, now: NOW });
    // Each account alone would go up to 6: together they do too, no more.
    expect(most).toBe(6);
  });

  it("hands a freed slot to the next request waiting, never to two", async () => {
    let inFlight = 0;
    let most = 0;
    const slow: typeof fetch = async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return new Response("{}");
    };
    const limited = limitedFetch(2, slow);
    await Promise.all(Array.from({ length: 20 }, () => limited("http://127.0.0.1/")));
    expect(most).toBe(2);
    expect(inFlight).toBe(0);
  });
});
