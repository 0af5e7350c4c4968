/** `keywarden revoke --account anthropic` against the Anthropic simulator: Disable (never delete) a key a finding is on, and --reenable it. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import { type AnthropicSimulator, startAnthropicSimulator } from "../../src/sim/anthropic/server.js";

const ADMIN_KEY = "sk-ant-admin01-cli-revoke-test-0123456789abcdefXYZ";
let sim: AnthropicSimulator;
beforeAll(async () => {
  sim = await startAnthropicSimulator({ org: sampleAnthropicOrg(new Date()), adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setOrg(sampleAnthropicOrg(new Date()));
  sim.clearFaults();
  sim.clearLog();
});

async function keywarden(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: false, columns: 120, write: (text: string) => (stderr += text) },
    env: { ANTHROPIC_ADMIN_KEY: ADMIN_KEY, ANTHROPIC_BASE_URL: sim.url, ...env },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const ON = { REMEDIATION: "on", REMEDIATION_APPROVALS: "1" };
const writes = () => sim.requests.filter((r) => r.method === "POST").map((r) => `${r.method} ${r.path} ${JSON.stringify(r.body)}`);
const statusOf = (id: string) => sim.getOrg().apiKeys.find((k) => k.id === id)?.status;

describe("keywarden revoke --account anthropic", () => {
  it("plans a Disable of the key a finding is on, and calls nothing without --yes", async () => {
    const out = await keywarden(["revoke", "apikey_research_bob", "--account", "anthropic"], ON);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Finding: unused-90d (high) on \"bob experiments\" apikey_research_bob");
    expect(out.stdout).toContain('Plan: Disable Anthropic key "bob experiments" (apikey_research_bob) of workspace "research" (wrkspc_research)');
    expect(out.stdout).toContain('Request: POST /v1/organizations/api_keys/apikey_research_bob with {"status":"inactive"} (the key stops working until it is re-enabled)');
    expect(out.stdout).toContain("To execute: REMEDIATION=on REMEDIATION_APPROVALS=1 npx keywarden revoke apikey_research_bob --account anthropic --yes");
    expect(writes()).toEqual([]);
    expect(statusOf("apikey_research_bob")).toBe("active");
  });

  it("disables it under REMEDIATION=on with --yes, confirmed by reading the key again; --reenable sets it active again", async () => {
    const out = await keywarden(["revoke", "apikey_research_bob", "--yes", "--json"], ON);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({
      key_id: "apikey_research_bob",
      execute: true,
      action: { kind: "disable_key", request: { method: "POST", path: "/v1/organizations/api_keys/apikey_research_bob", body: { status: "inactive" } } },
      guards: { ok: true },
      outcome: { status: "done", http_status: 200, message: 'Disabled Anthropic key "bob experiments" (apikey_research_bob); read again, it is inactive.' },
    });
    expect(writes()).toEqual(['POST /v1/organizations/api_keys/apikey_research_bob {"status":"inactive"}']);
    expect(sim.requests.at(-1)).toMatchObject({ method: "GET", path: "/v1/organizations/api_keys/apikey_research_bob" });
    expect(statusOf("apikey_research_bob")).toBe("inactive");

    // An inactive key is no finding any more, and is not disabled twice.
    sim.clearLog();
    const again = await keywarden(["revoke", "apikey_research_bob", "--yes"], ON);
    expect(again.code).toBe(1);
    expect(writes()).toEqual([]);

    const planned = await keywarden(["revoke", "apikey_research_bob", "--reenable"], ON);
    expect(planned.code).toBe(0);
    expect(planned.stdout).toContain('Request: POST /v1/organizations/api_keys/apikey_research_bob with {"status":"active"}');
    expect(planned.stdout).toContain("npx keywarden revoke apikey_research_bob --account anthropic --reenable --yes");
    expect(writes()).toEqual([]);
    const reenabled = await keywarden(["revoke", "apikey_research_bob", "--reenable", "--yes"], ON);
    expect(reenabled.stdout).toMatch(/^done: Re-enabled Anthropic key "bob experiments" \(apikey_research_bob\); read again, it is active\.$/m);
    expect(reenabled.code).toBe(0);
    expect(statusOf("apikey_research_bob")).toBe("active");
  });

  it("--yes is refused unless REMEDIATION=on with one approval, and --reenable of an active key has nothing to do", async () => {
    const off = await keywarden(["revoke", "apikey_research_bob", "--yes"]);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain("--yes is refused: REMEDIATION is off here");
    const twoPeople = await keywarden(["revoke", "apikey_research_bob", "--yes"], { REMEDIATION: "on" });
    expect(twoPeople.code).toBe(1);
    expect(twoPeople.stdout).toContain("REMEDIATION_APPROVALS is 2, and the command line has no second approver");
    const active = await keywarden(["revoke", "apikey_research_bob", "--reenable", "--yes"], ON);
    expect(active.code).toBe(1);
    expect(active.stderr).toContain("is active already: there is nothing to re-enable");
    expect(writes()).toEqual([]);
  });

  it("plans nothing when the usage analytics cannot be read: `unused` is not guessed", async () => {
    sim.addFault({ match: { pathPrefix: "/organizations/analytics" }, effect: { kind: "status", status: 403 } });
    const out = await keywarden(["revoke", "apikey_research_bob", "--yes"], ON);
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('the audit of Anthropic account "anthropic" did not see everything');
    expect(out.stderr).toContain("the usage analytics could not be read");
    expect(writes()).toEqual([]);
  });

  it("--reenable is for Anthropic keys only", async () => {
    const out = await keywarden(["revoke", "key_abc", "--account", "openai", "--reenable"], { OPENAI_ADMIN_KEY: "sk-admin-unused-0123456789abcdefghijkl" });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("--reenable undoes a Disable, which only Anthropic keys have");
  });
});
