import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { SIM_ADMIN_KEY, SIM_ANTHROPIC_ADMIN_KEY, simCommand } from "../../src/cli/sim-command.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ADMIN_KEY = "sk-admin-cli-test-secret-0123456789abcdefgh";
const BAD_POLICY = "version: 1\nname: bad\nrules:\n  - id: stale\n    kind: unsed\n    days: 90\n    severity: high\n";
let sim: Simulator;
let dir: string;
let badPolicy: string;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY });
  dir = mkdtempSync(join(tmpdir(), "keywarden-cli-"));
  badPolicy = join(dir, "bad.yaml");
  writeFileSync(badPolicy, BAD_POLICY);
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process, stderr a terminal or not. */
async function keywarden(args: string[], options: { env?: Record<string, string | undefined>; tty?: boolean } = {}): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: options.tty ?? false, columns: 120, write: (text: string) => (stderr += text) },
    env: { OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, ...options.env },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Runs the CLI from source as its own process, stdout and stderr pipes (not terminals). */
function keywardenProcess(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/keywarden.ts", ...args],
      { env: { PATH: process.env.PATH ?? "", OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, ...env } as unknown as NodeJS.ProcessEnv, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** A loopback port nothing listens on: a free port, closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe("keywarden audit", () => {
  it("with --json prints only the run JSON on stdout, no progress on a non-terminal stderr, and exits 1 on findings at or above --fail-on", async () => {
    const { code, stdout, stderr } = await keywardenProcess(["audit", "--json", "--fail-on", "critical"]);
    const run = JSON.parse(stdout) as { status: string; trigger: string; counts: { findings: { critical: number } } };
    expect(run).toMatchObject({ status: "complete", trigger: "cli" });
    expect(run.counts.findings.critical).toBe(2);
    expect(code).toBe(1);
    expect(stderr).toBe(`keywarden: auditing ${sim.url} with policy policies/default.yaml…\n`);
    expect(stdout + stderr).not.toContain(ADMIN_KEY);
  });

  it("on a terminal shows its progress on one stderr line, erased before the report; stdout stays exactly the JSON", async () => {
    const { code, stdout, stderr } = await keywarden(["audit", "--json", "--fail-on", "none"], { tty: true });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ status: "complete" });
    expect(stdout).not.toMatch(/\r|\x1b/);
    const progress = stderr.slice(stderr.indexOf("\n") + 1);
    expect(progress).toMatch(/^\r\x1b\[2Kkeywarden: listing .* — \d+\/\d+ projects?, \d+ requests?, \d+\.\d s/);
    expect(progress).not.toContain("\n");
    expect(progress.endsWith("\r\x1b[2K")).toBe(true);
  });

  it("with --quiet writes nothing on stderr, even on a terminal", async () => {
    const { code, stdout, stderr } = await keywarden(["audit", "--quiet", "--fail-on", "none"], { tty: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/COMPLETE[\s\S]*CRITICAL \(2\)/);
    expect(stderr).toBe("");
  });

  it("exits 0 with --fail-on none on a complete run, and prints the readable report without --json", async () => {
    const { code, stdout } = await keywarden(["audit", "--fail-on", "none", "--policy", "policies/default.yaml"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/COMPLETE[\s\S]*CRITICAL \(2\)/);
  });

  it("exits 2 on an incomplete run, whatever the threshold, naming on stderr what was not seen", async () => {
    sim.addFault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 500 } });
    try {
      const { code, stdout, stderr } = await keywarden(["audit", "--json", "--fail-on", "none"]);
      expect(code).toBe(2);
      expect(JSON.parse(stdout)).toMatchObject({ status: "incomplete" });
      expect(stderr).toContain('keywarden audit: the run is incomplete (its findings are a lower bound):\n  not seen: API keys of project "ml-research" (proj_ml): HTTP 500');
    } finally {
      sim.clearFaults();
    }
  });

  it("without an admin key tells a laptop user to export one, and exits 2", async () => {
    for (const env of [{ OPENAI_ADMIN_KEY: "" }, { OPENAI_ADMIN_KEY: undefined }]) {
      const { code, stdout, stderr } = await keywarden(["audit"], { env });
      expect(code).toBe(2);
      expect(stdout).toBe("");
      expect(stderr).toContain("keywarden audit: OPENAI_ADMIN_KEY is not set");
      expect(stderr).toContain("export OPENAI_ADMIN_KEY=sk-admin-");
      // Anthropic and several organizations are audited too: a newcomer is told how.
      expect(stderr).toContain("ANTHROPIC_ADMIN_KEY");
      expect(stderr).toContain("ACCOUNTS");
      expect(stderr).not.toContain("wrangler");
    }
  });

  it("names an account's missing secret with the fix for a shell, one problem per line", async () => {
    const accounts = JSON.stringify([
      { name: "openai-us", provider: "openai", admin_key_secret: "OPENAI_US_ADMIN_KEY" },
      { name: "openai-eu", provider: "openai", admin_key_secret: "OPENAI_EU_ADMIN_KEY" },
    ]);
    const { code, stderr } = await keywarden(["audit"], { env: { OPENAI_ADMIN_KEY: undefined, ACCOUNTS: accounts } });
    expect(code).toBe(2);
    const lines = stderr.trimEnd().split("\n");
    expect(lines.filter((line) => /OPENAI_(US|EU)_ADMIN_KEY is not set/.test(line))).toHaveLength(2);
    expect(stderr).toContain("export OPENAI_US_ADMIN_KEY=… in the shell that runs keywarden");
    expect(stderr).not.toContain("wrangler");
  });

  it("with an invalid policy prints its errors on stderr, with and without --json, and exits 2 before any request", async () => {
    sim.clearLog();
    for (const json of [true, false]) {
      const { code, stdout, stderr } = await keywarden(["audit", "--policy", badPolicy, ...(json ? ["--json"] : [])]);
      expect(code).toBe(2);
      expect(stderr).toContain(`keywarden audit: the run failed: policy ${badPolicy} is invalid\n  ${badPolicy}:5:11 rules[0].kind: unknown rule kind "unsed"`);
      if (json) expect(JSON.parse(stdout)).toMatchObject({ status: "failed" });
      else expect(stdout).toContain("FAILED");
    }
    expect(sim.requests).toEqual([]);
  });

  it("names the policy file it cannot read", async () => {
    const missing = join(dir, "missing.yaml");
    const { code, stderr } = await keywarden(["audit", "--policy", missing]);
    expect(code).toBe(2);
    expect(stderr).toBe(`keywarden audit: cannot read policy file ${missing}: ENOENT\n`);
  });

  it("fails (exit 2, status failed) when the Admin API cannot be reached at all", { timeout: 20_000 }, async () => {
    const url = `http://127.0.0.1:${await closedPort()}/v1`;
    const { code, stdout, stderr } = await keywarden(["audit", "--json"], { env: { OPENAI_BASE_URL: url } });
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ status: "failed", findings: [] });
    expect(stderr).toContain("keywarden audit: the run failed: the Admin API could not be reached, not one request was answered");
  });

  it("rejects an unknown option or threshold, naming it", async () => {
    expect(await keywarden(["audit", "--colour"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--colour") });
    expect(await keywarden(["audit", "--fail-on", "severe"])).toMatchObject({ code: 2, stderr: expect.stringContaining('(got "severe")') });
  });
});

describe("keywarden policy check", () => {
  it("prints ok with the counts for Keywarden's policies by default, exit 0, and warns while the allowlist is still the example domain", async () => {
    expect(await keywarden(["policy", "check"])).toEqual({
      code: 0,
      stdout: "ok policies/default.yaml (7 rules, 0 exemptions)\nwarning policies/default.yaml: rules[1] (owner-not-allowed) still allows *@example.com, the example domain: put your own domain there, or every real owner's key is a finding\n",
      stderr: "",
    });
  });

  it("exits 2 like audit does for an invalid policy, its errors as file:line:col on stderr", async () => {
    const { code, stdout, stderr } = await keywarden(["policy", "check", "policies/default.yaml", badPolicy]);
    expect(code).toBe(2);
    expect(stdout).toMatch(/^ok policies\/default\.yaml \(7 rules, 0 exemptions\)\n/);
    expect(stderr).toMatch(new RegExp(`^${badPolicy.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:11 rules\\[0\\]\\.kind: unknown rule kind "unsed"`));
  });

  it("is also npm run policy:check, with the same exit code", async () => {
    const outcome = await new Promise<Outcome>((resolve) => {
      execFile("npm", ["run", "--silent", "policy:check", "--", badPolicy], { timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain(`${badPolicy}:5:11 rules[0].kind`);
  });
});

describe("keywarden sim", () => {
  it("prints the exports to paste, serves the sample organization to keywarden audit, and stops on Ctrl-C", async () => {
    let stdout = "";
    let stderr = "";
    let stop = (): void => {};
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    let printed = (): void => {};
    const exportsPrinted = new Promise<void>((resolve) => (printed = resolve));
    const io: CliIo = {
      stdout: { write: (text: string) => ((stdout += text), printed()) },
      stderr: { write: (text: string) => (stderr += text) },
      env: {},
    };
    const running = simCommand(["--port", "0"], io, () => stopped);
    await exportsPrinted;
    const lines = stdout.trim().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^export OPENAI_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/v1$/),
      `export OPENAI_ADMIN_KEY=${SIM_ADMIN_KEY}`,
      expect.stringMatching(/^export ANTHROPIC_BASE_URL=http:\/\/127\.0\.0\.1:\d+$/),
      `export ANTHROPIC_ADMIN_KEY=${SIM_ANTHROPIC_ADMIN_KEY}`,
    ]);
    const env = Object.fromEntries(lines.map((line) => line.replace(/^export /, "").split("=") as [string, string]));
    // Both organizations in one run: 4 projects and 4 workspaces, 3 admin keys, 11 + 14 API keys.
    const audit = await keywarden(["audit", "--json", "--fail-on", "none"], { env });
    expect(JSON.parse(audit.stdout)).toMatchObject({ status: "complete", counts: { projects: 8, admin_keys: 3, project_keys: 25 } });
    const openai = await keywarden(["audit", "--json", "--fail-on", "none", "--account", "openai"], { env });
    expect(JSON.parse(openai.stdout)).toMatchObject({ status: "complete", counts: { projects: 4, admin_keys: 3, project_keys: 11 } });
    expect(stderr).toContain("Ctrl-C stops the simulator");
    stop();
    expect(await running).toBe(0);
    expect(stderr).toMatch(/keywarden sim: stopped\n$/);
  });

  it("run as keywarden sim prints its made-up key to paste in full, even once it is the exported OPENAI_ADMIN_KEY, and stops on Ctrl-C", async () => {
    let stdout = "";
    let printed = (): void => {};
    const exportsPrinted = new Promise<void>((resolve) => (printed = resolve));
    const io: CliIo = {
      stdout: { write: (text: string) => ((stdout += text), stdout.split("\n").length > 4 && printed()) },
      stderr: { write: () => true },
      env: { OPENAI_ADMIN_KEY: SIM_ADMIN_KEY },
    };
    const listening = process.listeners("SIGINT");
    const running = main(["sim", "--port", "0"], io);
    try {
      await exportsPrinted;
      expect(stdout).toMatch(new RegExp(`\\nexport OPENAI_ADMIN_KEY=${SIM_ADMIN_KEY}\\n`));
      expect(stdout).toMatch(new RegExp(`\\nexport ANTHROPIC_ADMIN_KEY=${SIM_ANTHROPIC_ADMIN_KEY}\\n$`));
    } finally {
      // Ctrl-C, delivered to the simulator's handler only (not to the test runner's).
      for (const stop of process.listeners("SIGINT").filter((l) => !listening.includes(l))) stop("SIGINT");
    }
    expect(await running).toBe(0);
  });

  it("says when its port is taken, and how to choose another", async () => {
    const port = Number(new URL(sim.url).port);
    const { code, stderr } = await keywarden(["sim", "--port", String(port)]);
    expect(code).toBe(2);
    expect(stderr).toBe(`keywarden sim: port ${port} on 127.0.0.1 is in use (another simulator, or npm run dev?): choose another with --port, or --port 0 for any free port\n`);
  });
});

describe("keywarden help", () => {
  for (const command of [[], ["audit"], ["verify"], ["policy", "check"], ["sim"]]) {
    it(`keywarden ${[...command, "--help"].join(" ")} prints the usage on stdout and exits 0`, async () => {
      const { code, stdout, stderr } = await keywardenProcess([...command, "--help"]);
      expect(code).toBe(0);
      expect(stdout).toMatch(new RegExp(`^usage: keywarden ${command.length > 0 ? command.join(" ") : "<command>"}`));
      expect(stderr).toBe("");
    });
  }

  it("keywarden sim --help and keywarden help sim show the simulator's made-up key in full, even once it is exported", async () => {
    for (const args of [["sim", "--help"], ["help", "sim"]]) {
      const { code, stdout } = await keywarden(args, { env: { OPENAI_ADMIN_KEY: SIM_ADMIN_KEY } });
      expect(code).toBe(0);
      expect(stdout, args.join(" ")).toContain(`    export OPENAI_ADMIN_KEY=${SIM_ADMIN_KEY}\n`);
    }
  });

  it("exits 2 on an unknown command, naming it, with the usage on stderr", async () => {
    const { code, stdout, stderr } = await keywarden(["audti"]);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^keywarden: unknown command "audti"\nusage: keywarden <command>/);
  });

  it("prints its version", async () => {
    expect(await keywarden(["--version"])).toEqual({ code: 0, stdout: "keywarden 0.1.0\n", stderr: "" });
  });
});
