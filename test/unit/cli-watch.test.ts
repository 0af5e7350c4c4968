/** `keywarden watch --since 1h`: the Worker's hourly watch from a laptop, against the simulator (no Slack, no stored state). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { parseDuration } from "../../src/cli/watch-command.js";
import { createKeyWithEvent } from "../../src/sim/openai/control-keys.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ADMIN_KEY = "sk-admin-cli-watch-test-0123456789abcdefgh";
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setOrg(sampleOrg(new Date()));
  sim.clearLog();
});

async function keywarden(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: false, columns: 120, write: (text: string) => (stderr += text) },
    env: { OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, ...env },
  };
  const code = await main(["watch", ...args], io);
  return { code, stdout, stderr };
}

describe("keywarden watch", () => {
  it("exits 0 when nothing changed in the window, after one audit-log request", async () => {
    const { code, stdout } = await keywarden(["--since", "1h"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/✔ openai \(openai\): watched; 0 audit-log event\(s\), 0 key\(s\) read, 0 new finding\(s\); 1 request\(s\)/);
    expect(stdout).toContain("No new finding.");
    expect(sim.requests.map((r) => r.path)).toEqual(["/v1/organization/audit_logs"]);
    const from = Number(sim.requests[0]?.query["effective_at[gte]"]);
    expect(Math.abs(from - (Date.now() - 3_600_000) / 1000)).toBeLessThan(5);
  });

  it("exits 1 and names the key created in the window that breaks a rule; --json gives the firing and the findings", async () => {
    const org = sim.getOrg();
    createKeyWithEvent(org, { project_id: "proj_ml", owner: { user_id: "user_mallory" }, id: "key_cli_new", name: "mallory cli key" }, new Date(Date.now() - 10 * 60_000));
    sim.setOrg(org);
    const text = await keywarden(["--since", "30m"]);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/MEDIUM owner-not-allowed: key "mallory cli key" \(key_cli_new\) in project ml-research: /);
    const json = await keywarden(["--since", "30m", "--json"]);
    expect(json.code).toBe(1);
    const parsed = JSON.parse(json.stdout) as { firing: { accounts: { findings: { key_id: string }[] }[] }; findings: { key: { id: string } }[] };
    expect(parsed.findings.map((f) => f.key.id)).toEqual(["key_cli_new"]);
    expect(parsed.firing.accounts[0]?.findings.map((f) => f.key_id)).toEqual(["key_cli_new"]);
    expect(json.stdout).not.toContain(ADMIN_KEY);
  });

  it("exits 2 when the audit log cannot be read, or the command line is wrong", async () => {
    const org = sim.getOrg();
    org.auditLoggingEnabled = false;
    sim.setOrg(org);
    const refused = await keywarden([]);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/⚠ openai \(openai\): audit_log_unavailable/);
    expect((await keywarden(["--since", "yesterday"])).stderr).toMatch(/--since must be a duration such as 30m, 1h or 2d/);
    expect((await keywarden([], { OPENAI_ADMIN_KEY: undefined })).code).toBe(2);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(parseDuration("0h")).toBeNull();
  });
});
