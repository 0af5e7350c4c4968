/** Shared setup of the Anthropic provider tests: the simulator with the sample organization, and client options pointing at it. */
import { afterAll, afterEach, beforeAll } from "vitest";
import type { AnthropicInventoryOptions } from "../../src/providers/anthropic/client.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import { type AnthropicSimulator, startAnthropicSimulator } from "../../src/sim/anthropic/server.js";

export const NOW = new Date("2026-11-23T06:00:00Z");
export const ADMIN_KEY = "sk-ant-admin01-unit-test-0123456789abcdefXYZ";
export const ACCOUNT = "anthropic-eu";

/** Waits that were asked for, instead of waiting. */
export function fakeSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    sleep: async (ms) => {
      waits.push(ms);
    },
  };
}

/** The sample simulator for one test file: started before its tests (given to `use`), reset after each, closed after all. */
export function withSampleSimulator(use: (sim: AnthropicSimulator) => void): void {
  let sim: AnthropicSimulator | undefined;
  beforeAll(async () => {
    sim = await startSampleSimulator();
    use(sim);
  });
  afterEach(() => {
    sim?.clearFaults();
    sim?.clearLog();
    sim?.setOrg(sampleAnthropicOrg(NOW));
  });
  afterAll(async () => {
    await sim?.close();
  });
}

export function startSampleSimulator(): Promise<AnthropicSimulator> {
  return startAnthropicSimulator({ org: sampleAnthropicOrg(NOW), adminKey: ADMIN_KEY, now: () => NOW });
}

export function clientOptions(sim: AnthropicSimulator, overrides: Partial<AnthropicInventoryOptions> = {}): AnthropicInventoryOptions {
  return {
    account: ACCOUNT,
    adminKey: ADMIN_KEY,
    baseURL: sim.url,
    retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5_000, budgetMs: 60_000 },
    sleep: fakeSleep().sleep,
    timeoutMs: 5_000,
    ...overrides,
  };
}

/** The requests the simulator logged for one path (with `/v1`). */
export function requestsTo(sim: AnthropicSimulator, path: string): AnthropicSimulator["requests"] {
  return sim.requests.filter((r) => r.path === path);
}
