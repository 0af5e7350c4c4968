import { describe, expect, it } from "vitest";
import { disableKey, reenableKey, retrieveKey } from "../../src/providers/anthropic/actions.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import type { AnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { NOW, clientOptions, fakeSleep, withSampleSimulator } from "./anthropic-support.js";

let sim: AnthropicSimulator;
withSampleSimulator((started) => {
  sim = started;
});

const statusOf = (id: string) => sim.getOrg().apiKeys.find((k) => k.id === id)?.status;
const KEY = "apikey_prod_web";
const PATH = `/v1/organizations/api_keys/${KEY}`;

describe("disable and re-enable an Anthropic key", () => {
  it("disables with the SDK's update, then confirms by reading the key again", async () => {
    const result = await disableKey(clientOptions(sim), KEY);
    expect(result).toEqual({ ok: true, keyId: KEY, status: "inactive", requests: 2 });
    expect(statusOf(KEY)).toBe("inactive");
    expect(sim.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ["POST", PATH, { status: "inactive" }],
      ["GET", PATH, undefined],
    ]);
  });

  it("re-enables a disabled key the same way", async () => {
    expect((await disableKey(clientOptions(sim), KEY)).ok).toBe(true);
    sim.clearLog();
    const result = await reenableKey(clientOptions(sim), KEY);
    expect(result).toEqual({ ok: true, keyId: KEY, status: "active", requests: 2 });
    expect(statusOf(KEY)).toBe("active");
    expect(sim.requests.map((r) => [r.method, r.body])).toEqual([
      ["POST", { status: "active" }],
      ["GET", undefined],
    ]);
  });

  it("does not take the update's own answer as the confirmation", async () => {
    sim.addFault({ match: { method: "GET", path: `/organizations/api_keys/${KEY}` }, effect: { kind: "status", status: 500 } });
    const result = await disableKey(clientOptions(sim), KEY);
    expect(result).toMatchObject({ ok: false, stage: "confirm", status: 500 });
    expect(result.ok ? "" : result.reason).toContain(`API key ${KEY}: HTTP 500 (api_error) (gave up after 3 attempts)`);
  });

  it("says when the key reads back with another status", async () => {
    // Someone sets the key active again between the update and the read.
    const fetchAndUndo: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (init?.method === "POST") sim.setOrg(sampleAnthropicOrg(NOW));
      return response;
    };
    const result = await disableKey(clientOptions(sim, { fetch: fetchAndUndo }), KEY);
    expect(result).toEqual({ ok: false, keyId: KEY, stage: "confirm", observed: "active", reason: `API key ${KEY} reads active after being set inactive`, requests: 2 });
  });

  it("an update whose answer is lost is no confirmation either way", async () => {
    // A body fault on the update: the change happens but its answer is cut.
    sim.addFault({ match: { method: "POST" }, effect: { kind: "malformed_json" }, times: 1 });
    const result = await disableKey(clientOptions(sim), KEY);
    expect(result).toMatchObject({ ok: false, stage: "update" });
    expect(result.ok ? "" : result.reason).toContain("response body is not valid JSON");
    // The key was changed all the same: only reading it again says so.
    expect(await retrieveKey(clientOptions(sim), KEY)).toMatchObject({ ok: true, key: { id: KEY, status: "inactive" } });
  });

  it("a refused update changes nothing and says why", async () => {
    const result = await reenableKey(clientOptions(sim), "apikey_archived_old");
    expect(result).toMatchObject({ ok: false, stage: "update", status: 400 });
    expect(statusOf("apikey_archived_old")).toBe("archived");
    expect(sim.requests).toHaveLength(1);
  });

  it("retries a rate-limited update (setting a status twice is harmless)", async () => {
    const { sleep, waits } = fakeSleep();
    sim.addFault({ match: { method: "POST" }, effect: { kind: "status", status: 429, retryAfter: 1 }, times: 1 });
    const result = await disableKey(clientOptions(sim, { sleep }), KEY);
    expect(result).toMatchObject({ ok: true, status: "inactive", requests: 3 });
    expect(waits).toEqual([1000]);
  });

  it("reads a key fresh, and says when there is none", async () => {
    expect(await retrieveKey(clientOptions(sim), KEY)).toMatchObject({ ok: true, key: { id: KEY, status: "active" }, requests: 1 });
    expect(await retrieveKey(clientOptions(sim), "apikey_gone")).toEqual({ ok: true, key: null, requests: 1 });
  });

  it("a rejected admin key changes nothing and never shows the key", async () => {
    const wrong = "sk-ant-admin01-wrong-key-11111111111111111";
    const result = await disableKey({ ...clientOptions(sim), adminKey: wrong }, KEY);
    expect(result).toMatchObject({ ok: false, stage: "update", status: 401 });
    expect(JSON.stringify(result)).not.toContain("wrong-key");
    expect(statusOf(KEY)).toBe("active");
  });
});
