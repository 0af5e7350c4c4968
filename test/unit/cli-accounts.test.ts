/**
 * `keywarden audit` over several accounts (issue 19): the settings of the Worker read from the
 * environment (ACCOUNTS' `admin_key_secret` names an environment variable), every account in one run,
 * `--account NAME` for one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { AuditRun } from "../../src/model/run.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import { type AnthropicSimulator, startAnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { generateOrg } from "../../src/sim/generate.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { freePort } from "../support/free-port.js";

const US_KEY = "sk-admin-cli-accounts-us-0123456789abcdef";
const EU_KEY = "sk-admin-cli-accounts-eu-0123456789abcdef";
const CLAUDE_KEY = "sk-ant-admin01-cli-accounts-0123456789abcdef";

let us: Simulator;
let eu: Simulator;
let claude: AnthropicSimulator;
beforeAll(async () => {
  const now = new Date();
  [us, eu, claude] = await Promise.all([
    startSimulator({ org: sampleOrg(now), adminKey: US_KEY, port: 0 }),
    startSimulator({ org: generateOrg({ projects: 3, keysPerProject: 2, users: 4, adminKeys: 1, now, seed: 5 }), adminKey: EU_KEY, port: 0 }),
    startAnthropicSimulator({ org: sampleAnthropicOrg(now), adminKey: CLAUDE_KEY, port: 0 }),
  ]);
});
afterAll(() => Promise.all([us.close(), eu.close(), claude.close()]));

async function keywarden(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (text: string) => (stdout += text) }, stderr: { isTTY: false, write: (text: string) => (stderr += text) }, env };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

function accountsEnv(euUrl = eu.url): Record<string, string> {
  return {
    ACCOUNTS: JSON.stringify([
      { name: "openai-us", provider: "openai", admin_key_secret: "OPENAI_US_ADMIN_KEY", base_url: us.url },
      { name: "openai-eu", provider: "openai", admin_key_secret: "OPENAI_EU_ADMIN_KEY", base_url: euUrl },
      { name: "claude", provider: "anthropic", admin_key_secret: "CLAUDE_ADMIN_KEY", base_url: claude.url },
    ]),
    OPENAI_US_ADMIN_KEY: US_KEY,
    OPENAI_EU_ADMIN_KEY: EU_KEY,
    CLAUDE_ADMIN_KEY: CLAUDE_KEY,
  };
}

const accountsOf = (run: AuditRun) => [...new Set(run.findings.map((f) => f.key.account))].sort();

describe("keywarden audit over several accounts", () => {
  it("audits every account ACCOUNTS lists in one run, each finding named by its account, no admin key printed", async () => {
    const { code, stdout, stderr } = await keywarden(["audit", "--json", "--fail-on", "none"], accountsEnv());
    expect(code).toBe(0);
    const run = JSON.parse(stdout) as AuditRun;
    expect(run.status).toBe("complete");
    expect(accountsOf(run)).toEqual(["claude", "openai-eu", "openai-us"]);
    expect(stderr).toMatch(/^keywarden: auditing openai-us \(http:\/\/127\.0\.0\.1:\d+\/v1\), openai-eu \(.*\), claude \(http:\/\/127\.0\.0\.1:\d+\) with policy/);
    for (const key of [US_KEY, EU_KEY, CLAUDE_KEY]) expect(stdout + stderr).not.toContain(key);
  });

  it("--account NAME audits that account alone", async () => {
    for (const name of ["claude", "openai-eu"]) {
      const { code, stdout } = await keywarden(["audit", "--json", "--fail-on", "none", "--account", name], accountsEnv());
      expect(code, name).toBe(0);
      const run = JSON.parse(stdout) as AuditRun;
      expect(accountsOf(run)).toEqual([name]);
    }
    const before = us.requests.length;
    await keywarden(["audit", "--json", "--account", "claude"], accountsEnv());
    expect(us.requests.length).toBe(before);
  });

  it("an unknown --account: exit 2, naming the configured accounts, nothing requested", async () => {
    const before = us.requests.length + eu.requests.length + claude.requests.length;
    const { code, stdout, stderr } = await keywarden(["audit", "--account", "openai-asia"], accountsEnv());
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toBe("keywarden audit: --account openai-asia is not a configured account: the accounts are openai-us, openai-eu, claude\n");
    expect(us.requests.length + eu.requests.length + claude.requests.length).toBe(before);
  });

  it("OPENAI_ADMIN_KEY and ANTHROPIC_ADMIN_KEY are the accounts openai and anthropic; --account picks one", async () => {
    const env = { OPENAI_ADMIN_KEY: US_KEY, OPENAI_BASE_URL: us.url, ANTHROPIC_ADMIN_KEY: CLAUDE_KEY, ANTHROPIC_BASE_URL: claude.url };
    const both = await keywarden(["audit", "--json", "--fail-on", "none"], env);
    expect(accountsOf(JSON.parse(both.stdout) as AuditRun)).toEqual(["anthropic", "openai"]);
    const anthropic = await keywarden(["audit", "--json", "--fail-on", "none", "--account", "anthropic"], env);
    expect(anthropic.code).toBe(0);
    expect(accountsOf(JSON.parse(anthropic.stdout) as AuditRun)).toEqual(["anthropic"]);
    expect(anthropic.stderr).toBe(`keywarden: auditing ${claude.url} with policy policies/default.yaml…\n`);
  });

  it("names an account whose variable is not set, as the Worker names its secret", async () => {
    const { code, stderr } = await keywarden(["audit"], { ...accountsEnv(), CLAUDE_ADMIN_KEY: undefined });
    expect(code).toBe(2);
    expect(stderr).toMatch(/CLAUDE_ADMIN_KEY is not set: ACCOUNTS\[2\] \(claude\) reads its admin key from it/);
  });

  it("one account that cannot be reached: the run is incomplete naming it, the others are reported (exit 2)", { timeout: 30_000 }, async () => {
    const closed = `http://127.0.0.1:${await freePort()}/v1`;
    const { code, stdout, stderr } = await keywarden(["audit", "--json"], accountsEnv(closed));
    expect(code).toBe(2);
    const run = JSON.parse(stdout) as AuditRun;
    expect(run.status).toBe("incomplete");
    expect(run.errors).toEqual([expect.objectContaining({ account: "openai-eu", kind: "network", message: expect.stringContaining("could not be reached") })]);
    expect(accountsOf(run)).toEqual(["claude", "openai-us"]);
    expect(stderr).toContain("keywarden audit: the run is incomplete");
  });
});
