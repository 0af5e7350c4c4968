/**
 * What `wrangler deploy` ships is what is in policies/ now: wrangler.toml's `[build]` bundles the
 * policies before wrangler bundles the Worker. Tried on a copy of the checkout (its own policies/ and
 * src/generated/, node_modules linked) with `wrangler deploy --dry-run --outdir`, started the way a
 * deployer does: `npx wrangler` from a plain shell, whose PATH has no node_modules/.bin (on this
 * machine Node 20 comes first there; wrangler and the build run on the project's Node 22).
 */
import { execFile, execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve, sep } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const POLICY = "policies/default.yaml";
let dir: string;
let checkout: string;

interface Outcome {
  code: number;
  output: string;
}

/** The checkout's files as git sees them (tracked, and new ones not ignored), node_modules linked. */
function copyOfCheckout(to: string): void {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue;
    mkdirSync(dirname(join(to, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(to, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(to, "node_modules"), "dir");
}

/** A plain shell's PATH: this one without the node_modules/.bin entries npm and npx put first. */
function plainPath(): string {
  return (process.env.PATH ?? "")
    .split(delimiter)
    .filter((entry) => !entry.split(sep).includes("node_modules"))
    .join(delimiter);
}

/** `npx wrangler deploy --dry-run --outdir out` in the copy; out/ emptied first. */
function dryRun(): Promise<Outcome> {
  rmSync(join(checkout, "out"), { recursive: true, force: true });
  const env = { PATH: plainPath(), HOME: dir, XDG_CONFIG_HOME: join(dir, ".config"), CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } as unknown as NodeJS.ProcessEnv;
  return new Promise((done) => {
    execFile("npx", ["wrangler", "deploy", "--dry-run", "--outdir", "out"], { cwd: checkout, env, timeout: 120_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

function bundle(): string {
  return readFileSync(join(checkout, "out/index.js"), "utf8");
}

function editPolicy(from: string, to: string): void {
  const path = join(checkout, POLICY);
  const text = readFileSync(path, "utf8");
  if (!text.includes(from)) throw new Error(`${POLICY} has no ${JSON.stringify(from)} to edit: update this test`);
  writeFileSync(path, text.replace(from, to));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-deploy-build-"));
  checkout = join(dir, "checkout");
  copyOfCheckout(checkout);
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("wrangler deploy ships the policies as they are in policies/", { timeout: 240_000 }, () => {
  it("an edited allowlist is in the bundle of a plain `npx wrangler deploy --dry-run`, without npm run policy:bundle", async () => {
    editPolicy('emails: ["*@example.com"]', 'emails: ["*@edited-before-deploy.example"]');
    const { code, output } = await dryRun();
    expect(code, output).toBe(0);
    // Booleans, not toContain: a failure would print the whole 2.7 MB bundle.
    expect(bundle().includes("*@edited-before-deploy.example"), "the edited allowlist is not in the deployed bundle").toBe(true);
    expect(bundle().includes(String.raw`emails: [\"*@example.com\"]`), "the old allowlist is still in the deployed bundle").toBe(false);
  });

  it("an invalid edit stops the deploy with the policy's file:line:column and what is wrong, and ships nothing", async () => {
    const lines = readFileSync(join(checkout, POLICY), "utf8").split("\n");
    const line = lines.findIndex((text) => text.trim() === "kind: key-age") + 1;
    expect(line).toBeGreaterThan(0);
    editPolicy("kind: key-age", "kind: key-agee");
    const { code, output } = await dryRun();
    expect(code).not.toBe(0);
    expect(output).toMatch(new RegExp(`${POLICY}:${line}:\\d+ rules\\[\\d+\\]\\.kind: .*key-agee`));
    expect(existsSync(join(checkout, "out/index.js"))).toBe(false);
    // The bundle in the copy still holds the last valid policy: nothing invalid is ever written there.
    expect(readFileSync(join(checkout, "src/generated/policies.ts"), "utf8")).not.toContain("key-agee");
  });
});
