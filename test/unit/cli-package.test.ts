/**
 * The npm package as a user gets it: `npm pack` (which builds dist/), the tarball installed with
 * --omit=dev into an empty folder, and the installed `keywarden` run there.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ADMIN_KEY = "sk-admin-package-test-secret-0123456789abcdef";
let dir: string;
let app: string;
let bin: string;
let sim: Simulator;
/** What `npm install` of the tarball printed on stderr. */
let installWarnings: string;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: { ...process.env, ...env }, timeout: 180_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** The installed command, run by this Node (npx would run it the same way: bin/keywarden.js). */
function keywarden(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return run(process.execPath, [bin, ...args], app, { OPENAI_ADMIN_KEY: "", OPENAI_BASE_URL: "", ...env });
}

/**
 * The checkout's files as git sees them (tracked, and new ones not ignored), copied with a link to its
 * node_modules: `npm pack` rewrites package.json while it packs (clean-package), never this checkout's.
 */
function copyOfCheckout(to: string): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    if (!existsSync(file)) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(file, join(to, file));
  }
  symlinkSync(resolve("node_modules"), join(to, "node_modules"), "dir");
}

let packedManifest: { scripts?: unknown; devDependencies?: unknown };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-package-"));
  const checkout = join(dir, "checkout");
  copyOfCheckout(checkout);
  const before = readFileSync(join(checkout, "package.json"), "utf8");
  const packed = await run("npm", ["pack", "--pack-destination", dir], checkout);
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.stderr}`);
  if (readFileSync(join(checkout, "package.json"), "utf8") !== before) throw new Error("npm pack left package.json changed");
  const tarball = readdirSync(dir).find((name) => name.endsWith(".tgz"));
  app = join(dir, "app");
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "keywarden-package-test", private: true }));
  const installed = await run("npm", ["install", "--omit=dev", "--no-audit", "--no-fund", join(dir, String(tarball))], app);
  if (installed.code !== 0) throw new Error(`npm install of ${tarball} failed:\n${installed.stderr}`);
  installWarnings = installed.stderr;
  bin = join(app, "node_modules", ".bin", "keywarden");
  packedManifest = JSON.parse(readFileSync(join(app, "node_modules", "keywarden", "package.json"), "utf8"));
  sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY });
}, 300_000);

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the installed keywarden package", { timeout: 60_000 }, () => {
  it("installs without asking to allow an install script: the package has none (npm 11 named the clone-only prepare and told users to allow it)", () => {
    expect(installWarnings).not.toMatch(/install-scripts|allow-scripts/);
    // A clone's scripts (prepare builds the CLI after npm ci) and tools are not part of the package.
    expect(packedManifest.scripts).toBeUndefined();
    expect(packedManifest.devDependencies).toBeUndefined();
  });

  it("installs nothing else: the CLI is bundled, with its licenses", () => {
    expect(readdirSync(join(app, "node_modules")).filter((name) => !name.startsWith("."))).toEqual(["keywarden"]);
    const installed = join(app, "node_modules", "keywarden");
    for (const file of ["LICENSE", "README.md", "dist/keywarden.js", "dist/THIRD-PARTY-LICENSES.txt", "policies/default.yaml"]) {
      expect(existsSync(join(installed, file)), file).toBe(true);
    }
    expect(existsSync(join(installed, "src"))).toBe(false);
  });

  it("keywarden --help prints the commands and exits 0", async () => {
    const { code, stdout, stderr } = await keywarden(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: keywarden <command>[\s\S]*audit[\s\S]*verify[\s\S]*policy check[\s\S]*sim/);
    expect(stderr).toBe("");
  });

  it("keywarden policy check finds and checks its default policy", async () => {
    expect(await keywarden(["policy", "check"])).toEqual({ code: 0, stdout: "ok node_modules/keywarden/policies/default.yaml (7 rules, 0 exemptions)\nwarning node_modules/keywarden/policies/default.yaml: rules[1] (owner-not-allowed) still allows *@example.com, the example domain: put your own domain there, or every real owner's key is a finding\n", stderr: "" });
  });

  it("keywarden slack-manifest writes the Slack app manifest from the template the package ships", async () => {
    const { code, stdout, stderr } = await keywarden(["slack-manifest", "--url", "https://keywarden.acme.workers.dev"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain("url: https://keywarden.acme.workers.dev/slack/commands\n");
    expect(stdout).toContain("request_url: https://keywarden.acme.workers.dev/slack/interactions\n");
  });

  it("keywarden audit audits an organization with the default policy", async () => {
    const { code, stdout, stderr } = await keywarden(["audit", "--json"], { OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url });
    expect(code).toBe(1);
    const run = JSON.parse(stdout) as { status: string; policy: { file: string }; counts: { findings: { total: number } } };
    expect(run).toMatchObject({ status: "complete", policy: { file: "node_modules/keywarden/policies/default.yaml" }, counts: { findings: { total: 15 } } });
    expect(stderr).toBe(`keywarden: auditing ${sim.url} with policy node_modules/keywarden/policies/default.yaml…\n`);
    expect(stdout + stderr).not.toContain(ADMIN_KEY);
  });

  it("keywarden sim serves the sample organization until interrupted", async () => {
    const child: ChildProcess = spawn(process.execPath, [bin, "sim", "--port", "0"], { cwd: app, stdio: ["ignore", "pipe", "pipe"] });
    try {
      let stdout = "";
      await new Promise<void>((resolve, reject) => {
        child.stdout?.on("data", (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.split("\n").length > 4) resolve();
        });
        child.once("exit", (code) => reject(new Error(`keywarden sim exited ${code} before printing its exports`)));
      });
      const env = Object.fromEntries(
        stdout
          .trim()
          .split("\n")
          .map((line) => line.replace(/^export /, "").split("=") as [string, string]),
      );
      expect(Object.keys(env)).toEqual(["OPENAI_BASE_URL", "OPENAI_ADMIN_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_ADMIN_KEY"]);
      const audit = await keywarden(["audit", "--json", "--fail-on", "none"], env);
      expect(audit.code).toBe(0);
      // The sample OpenAI organization's 4 projects and the sample Anthropic organization's 4 workspaces.
      expect(JSON.parse(audit.stdout)).toMatchObject({ status: "complete", counts: { projects: 8 } });
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      child.kill("SIGINT");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
    }
  });
});
