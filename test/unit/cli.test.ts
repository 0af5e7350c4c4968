import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleOrg } from "../sim/sample-org.js";
import { type Simulator, startSimulator } from "../sim/server.js";

const ADMIN_KEY = "sk-admin-cli-test-secret-0123456789abcdefgh";
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());

function keywarden(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["bin/keywarden.js", ...args],
      { env: { PATH: process.env.PATH ?? "", OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, ...env } as unknown as NodeJS.ProcessEnv, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("npx keywarden audit", () => {
  it("with --json prints only the run JSON on stdout and exits 1 on findings at or above --fail-on", async () => {
    const { code, stdout, stderr } = await keywarden(["audit", "--json", "--fail-on", "critical"]);
    const run = JSON.parse(stdout) as { status: string; trigger: string; counts: { findings: { critical: number } } };
    expect(run).toMatchObject({ status: "complete", trigger: "cli" });
    expect(run.counts.findings.critical).toBe(2);
    expect(code).toBe(1);
    expect(stderr).toContain("auditing");
    expect(stdout + stderr).not.toContain(ADMIN_KEY);
  });

  it("exits 0 with --fail-on none on a complete run, and prints the readable report without --json", async () => {
    const { code, stdout } = await keywarden(["audit", "--fail-on", "none", "--policy", "policies/default.yaml"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/COMPLETE[\s\S]*CRITICAL \(2\)/);
  });

  it("exits 2 on an incomplete run, whatever the threshold", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 500 } });
    try {
      const { code, stdout } = await keywarden(["audit", "--json", "--fail-on", "none"]);
      expect(code).toBe(2);
      expect(JSON.parse(stdout)).toMatchObject({ status: "incomplete" });
    } finally {
      sim.clearFaults();
    }
  });

  it("exits 2 without an admin key, naming the setting", async () => {
    const { code, stderr } = await keywarden(["audit"], { OPENAI_ADMIN_KEY: "" });
    expect(code).toBe(2);
    expect(stderr).toContain("OPENAI_ADMIN_KEY");
  });
});
