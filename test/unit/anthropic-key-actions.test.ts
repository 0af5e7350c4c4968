/** The Anthropic side of a remediation against the simulator: the key read fresh with its recent use, the one status update, the key read again. */
import { describe, expect, it } from "vitest";
import { actionsFor } from "../../src/decide/actions.js";
import { confirmOutcome } from "../../src/decide/outcome.js";
import { anthropicKeyActions } from "../../src/providers/anthropic/key-actions.js";
import type { RunFinding } from "../../src/model/run.js";
import type { AnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { ACCOUNT, NOW, clientOptions, withSampleSimulator } from "./anthropic-support.js";

let sim: AnthropicSimulator;
withSampleSimulator((started) => {
  sim = started;
});

const keys = () => anthropicKeyActions({ ...clientOptions(sim), now: () => NOW });
const statusOf = (id: string) => sim.getOrg().apiKeys.find((k) => k.id === id)?.status;

function findingOn(id: string, lastUsedAt: string | null): RunFinding {
  return {
    rule_id: "unused-90d",
    rule_kind: "unused",
    severity: "high",
    fingerprint: `fp_${id}`,
    sentence: "s",
    key: { kind: "project", id, name: id, redacted_value: "", created_at: "2026-01-01T00:00:00.000Z", last_used_at: lastUsedAt, expires_at: null, owner_access: null, provider: "anthropic", account: ACCOUNT, status: "active" },
    project: { id: "wrkspc_research", name: "research", archived: false },
    owner: { type: "user", id: "user_ant_bob", name: "Bob Chen", email: "bob@example.com", role: "developer" },
  };
}

describe("the Anthropic KeyActions port", () => {
  it("reads the key fresh: its status and hint, its owner kept, and its use over the last day from the usage analytics", async () => {
    const used = await keys().freshKeysFor(findingOn("apikey_prod_web", null));
    expect(used).toMatchObject({ ok: true, items: [{ id: "apikey_prod_web", status: "active", provider: "anthropic", account: ACCOUNT, redacted_value: "sk-ant-api03-pro..._web" }] });
    // Used a day ago: the latest 1-day bucket with usage ends today, within the last 24 hours.
    expect(used.ok && used.items[0]?.last_used_at).toBe("2026-11-23T00:00:00.000Z");
    expect(used.ok && used.items[0]?.last_used_unknown).toBeUndefined();

    const old = await keys().freshKeysFor(findingOn("apikey_research_bob", "2026-07-03T00:00:00.000Z"));
    expect(old).toMatchObject({ ok: true, items: [{ id: "apikey_research_bob", last_used_at: "2026-07-03T00:00:00.000Z", owner: { email: "bob@example.com" } }] });
  });

  it("says the last use is unknown when the usage analytics cannot be read, and that a key is gone", async () => {
    sim.addFault({ match: { pathPrefix: "/organizations/analytics" }, effect: { kind: "status", status: 403 } });
    const unknown = await keys().freshKeysFor(findingOn("apikey_prod_web", null));
    expect(unknown).toMatchObject({ ok: true, items: [{ id: "apikey_prod_web", last_used_at: null, last_used_unknown: expect.stringContaining("the usage analytics could not be read") }] });
    expect(await keys().freshKeysFor(findingOn("apikey_gone", null))).toEqual({ ok: false, message: expect.stringContaining("API key apikey_gone is not found (HTTP 404)") });
  });

  it("makes exactly the planned status update, once, and the key read again confirms it", async () => {
    const finding = findingOn("apikey_research_bob", null);
    const [disable] = actionsFor(finding, []);
    if (!disable) throw new Error("no Disable");
    const port = keys();
    expect(await port.call(disable)).toEqual({ status: 200, body: { id: "apikey_research_bob", status: "inactive" } });
    expect(statusOf("apikey_research_bob")).toBe("inactive");
    expect(await port.listingAfter(disable)).toEqual({ keys: [{ id: "apikey_research_bob", status: "inactive" }] });
    expect(sim.requests.filter((r) => r.method === "POST").map((r) => [r.path, r.body])).toEqual([["/v1/organizations/api_keys/apikey_research_bob", { status: "inactive" }]]);
    expect(confirmOutcome(disable, { status: 200 }, await port.listingAfter(disable)).status).toBe("done");
  });

  it("calls nothing for a request that is not the status update it names", async () => {
    const [disable] = actionsFor(findingOn("apikey_research_bob", null), []);
    if (!disable) throw new Error("no Disable");
    const tampered = { ...disable, request: { ...disable.request, path: "/v1/organizations/api_keys/apikey_prod_web" } };
    expect(await keys().call(tampered)).toMatchObject({ status: null, error: expect.stringContaining("nothing was called") });
    expect(sim.requests.filter((r) => r.method === "POST")).toEqual([]);
    expect(statusOf("apikey_prod_web")).toBe("active");
  });
});
