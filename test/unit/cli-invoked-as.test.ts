/**
 * The CLI's hints name the command the way it was run: `keywarden revoke …` when installed (a
 * `keywarden` on the PATH), `npx keywarden revoke …` through npx in a clone. Outside a clone,
 * `npx keywarden` asks the registry, where no such package exists: a hint that says it is wrong there.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invokedAs } from "../../src/cli/invoked-as.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ROOT = resolve(import.meta.dirname, "../..");
const ADMIN_KEY = "sk-admin-cli-invoked-as-test-0123456789ab";
let sim: Simulator;
let bin: string;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY });
  // What `npm install -g` makes: a `keywarden` link on the PATH to the program (here its source).
  bin = mkdtempSync(join(tmpdir(), "keywarden-bin-"));
  symlinkSync(join(ROOT, "src/cli/keywarden.ts"), join(bin, "keywarden"));
});
afterAll(async () => {
  await sim.close();
  rmSync(bin, { recursive: true, force: true });
});

/** `keywarden …` run through the `keywarden` link, as a shell runs it. */
function keywardenOnPath(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", join(bin, "keywarden"), ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, ...env } as unknown as NodeJS.ProcessEnv, timeout: 60_000 },
      (error, _stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stderr }),
    );
  });
}

describe("the name the CLI's hints use", () => {
  it("installed (a keywarden on the PATH): keywarden revoke's hint says keywarden, not npx keywarden", async () => {
    const { code, stderr } = await keywardenOnPath(["revoke", "key_does_not_exist"]);
    expect(stderr).toBe("keywarden revoke: the organization has no key key_does_not_exist: give a key's id (key_…), as keywarden audit shows it with each finding\n");
    expect(code).toBe(1);
  });

  it("through npx (npm_command=exec, as npx and npm exec set it): the hint says npx keywarden", async () => {
    const { stderr } = await keywardenOnPath(["revoke", "key_does_not_exist"], { npm_command: "exec", npm_lifecycle_event: "npx" });
    expect(stderr).toContain("as npx keywarden audit shows it");
  });

  it("run by its file in a clone (node bin/keywarden.js, tsx src/cli/keywarden.ts), where no keywarden is on the PATH: npx keywarden", () => {
    expect(invokedAs({}, join(ROOT, "bin/keywarden.js"))).toBe("npx keywarden");
    expect(invokedAs({ npm_command: "run-script" }, join(ROOT, "src/cli/keywarden.ts"))).toBe("npx keywarden");
    expect(invokedAs({}, "/usr/local/bin/keywarden")).toBe("keywarden");
    expect(invokedAs({ npm_command: "exec" }, join(ROOT, "node_modules/.bin/keywarden"))).toBe("npx keywarden");
  });
});
