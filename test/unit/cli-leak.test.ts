/**
 * The CLI against a hostile organization: key, project and owner names that carry the admin key
 * itself, a full-looking project key, terminal escape sequences, BEL, CR, a newline followed by a
 * forged "ALL CLEAR" line, Slack markup and spreadsheet formulas. Every byte the CLI writes, on stdout
 * and stderr, in every mode, is checked: no secret, no raw control character, no forged line; the
 * names are still shown, as data.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runAuditWithInventory } from "../../src/audit/run.js";
import type { AuditRun } from "../../src/model/run.js";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { buildRunEvidence } from "../../src/evidence/index.js";
import type { ProjectApiKeyJson, SimOrg } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

/** The configured admin key: its private part is random-looking, so no piece of it appears by chance. */
const ADMIN_KEY = "sk-admin-LeakTestQwErTyUiOpAsDfGhJkLzXcVbNm0192837465";
/** A full project key someone pasted into a key name, after a newline. */
const PASTED_KEY = "sk-proj-PastedIntoANameZxCvBnMqWeRtYuIo5647382910";
const FORGED = "keywarden run_20260101T060000Z_abcdef complete: ALL CLEAR";
const ERASE_LINE = "\r\x1b[2K";

const POLICY = `version: 1
name: leak-test
rules:
  - id: every-key
    kind: match
    severity: info
    description: listed
    where: { field: kind, in: [admin, project] }
  - id: owner-not-allowed
    kind: owner-allowlist
    severity: medium
    allow:
      emails: ["*@example.com"]
  - id: service-account-owner
    kind: service-account-role
    roles: [owner]
    severity: critical
exemptions: []
`;

function projectKey(org: SimOrg, project: string, id: string): ProjectApiKeyJson {
  const key = org.projectKeys[project]?.find((k) => k.id === id);
  if (!key) throw new Error(`no key ${id} in ${project}`);
  return key;
}

/** The sample organization, its names made hostile. */
function hostileOrg(now: Date): SimOrg {
  const org = sampleOrg(now);
  const projectNames: Record<string, string> = {
    proj_web: "web\u001b[2J\u001b[H",
    proj_data: `data\n${FORGED}`,
    // Glued to a word: only the configured value, not the look of a secret, finds it.
    proj_ml: `ml_${ADMIN_KEY}`,
    proj_legacy: "legacy\u009b2J\u007f",
  };
  for (const project of org.projects) project.name = projectNames[project.id] ?? project.name;

  const [alice, breakglass, ci] = org.adminKeys;
  if (!alice || !breakglass || !ci) throw new Error("the sample organization changed");
  alice.name = `evil${ADMIN_KEY}`;
  breakglass.name = `\r${FORGED}`;
  ci.owner.name = "svc-admin-bot\u001b]0;pwned\u0007";
  for (const user of org.users) if (user.id === "user_svc_admin") user.name = ci.owner.name;

  projectKey(org, "proj_web", "key_web_prod").name = `deploy\n${PASTED_KEY}`;
  projectKey(org, "proj_web", "key_web_old").name = "<!channel> <@U0123> *rotate now*";
  const mallory = projectKey(org, "proj_web", "key_web_mallory");
  mallory.name = "=cmd|' /C calc'!A0";
  if (mallory.owner.type === "user") mallory.owner.user.email = "mallory@gmail.com\u001b[8m";
  projectKey(org, "proj_web", "key_web_dana").name = "-2+3\u0007\u0007";
  projectKey(org, "proj_data", "key_data_etl").redacted_value = "sk-proj-...E7lT\u001b[2K";
  const deploy = projectKey(org, "proj_data", "key_data_deploy");
  if (deploy.owner.type === "service_account") deploy.owner.service_account.name = "deploy-bot\u0085";
  projectKey(org, "proj_ml", "key_ml_never").name = "@SUM(A1)\tx";
  return org;
}

let sim: Simulator;
let dir: string;
let policyFile: string;
beforeAll(async () => {
  sim = await startSimulator({ org: hostileOrg(new Date()), adminKey: ADMIN_KEY });
  dir = mkdtempSync(join(tmpdir(), "keywarden-leak-"));
  // A file name is text a terminal acts on too.
  policyFile = join(dir, "leak-test\u001b[2J.yaml");
  writeFileSync(policyFile, POLICY);
});
afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});
afterEach(() => sim.clearFaults());

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function env(): Record<string, string> {
  return { OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url };
}

/** The CLI in this process, with a captured CliIo; stderr a terminal of `columns` when `tty`. */
async function keywarden(args: string[], options: { tty?: boolean; columns?: number } = {}): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: options.tty ?? false, columns: options.columns ?? 120, write: (text: string) => (stderr += text) },
    env: env(),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** The CLI from source as its own process (stdout and stderr pipes), as a user runs it. */
function keywardenProcess(args: string[]): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/cli/keywarden.ts", ...args],
      { env: { PATH: process.env.PATH ?? "", ...env() } as unknown as NodeJS.ProcessEnv, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Every 8-character piece of a secret past its public prefix (`sk-admin-`): none may appear, even cut off. */
function pieces(secret: string, prefix: string): string[] {
  const rest = secret.slice(prefix.length);
  return Array.from({ length: rest.length - 7 }, (_, i) => rest.slice(i, i + 8));
}

/** C0 (but the line feed), DEL and C1: a terminal acts on them. */
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** What every output of the CLI must satisfy, whatever the names. */
function expectClean(output: string, what: string): void {
  expect(output, `${what} shows the admin key`).not.toContain(ADMIN_KEY);
  expect(output, `${what} shows the pasted project key`).not.toContain(PASTED_KEY);
  for (const piece of pieces(ADMIN_KEY, "sk-admin-")) expect(output, `${what} shows a piece of the admin key`).not.toContain(piece);
  for (const piece of pieces(PASTED_KEY, "sk-proj-")) expect(output, `${what} shows a piece of the pasted key`).not.toContain(piece);
  const control = RAW_CONTROL.exec(output);
  expect(control && `U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")} at ${control.index}: ${JSON.stringify(output.slice(Math.max(0, control.index - 40), control.index + 20))}`, `${what} has a raw control character`).toBeNull();
  const forged = output.split("\n").filter((line) => /^\s*(keywarden run_|ALL CLEAR)/.test(line));
  expect(forged, `${what} has a line forged by a name`).toEqual([]);
}

/** The progress line's own escape code (erase the line) is the one control sequence stderr may hold on a terminal. */
function withoutProgressCodes(stderr: string): string {
  return stderr.split(ERASE_LINE).join("\n");
}

describe("keywarden audit on an organization with hostile names", () => {
  it("prints a readable report with every name shown as inert text, the secrets [REDACTED]", async () => {
    const { code, stdout, stderr } = await keywarden(["audit", "--policy", policyFile, "--fail-on", "none"]);
    expect(code).toBe(0);
    expectClean(stdout, "the text report");
    expectClean(stderr, "stderr");
    expect(stdout).toContain("✔ COMPLETE — every key was seen.");
    expect(stdout).toContain(`policy leak-test (${join(dir, "leak-test\\x1b[2J.yaml")}, sha256 `);
    // The names are data: shown, escaped, not dropped.
    for (const shown of [
      "[every-key] evil[REDACTED] (key_admin_alice) sk-admin-...Ab1c",
      "[every-key] \\r" + FORGED,
      "[every-key] deploy\\n[REDACTED] (key_web_prod) sk-proj-...9xYz — project web\\x1b[2J\\x1b[H, owner alice@example.com",
      "[every-key] <!channel> <@U0123> *rotate now* (key_web_old) sk-proj-...L2mN",
      "[every-key] =cmd|' /C calc'!A0 (key_web_mallory) sk-proj-...Zq4W — project web\\x1b[2J\\x1b[H, owner mallory@gmail.com\\x1b[8m",
      "[every-key] -2+3\\x07\\x07",
      "(key_data_etl) sk-proj-...E7lT\\x1b[2K — project data\\n" + FORGED,
      "[every-key] @SUM(A1)\\tx (key_ml_never) sk-proj-...N3vr — project ml_[REDACTED]",
      "project legacy\\x9b2J\\x7f (archived)",
      "owned by service account deploy-bot\\x85 with role owner",
      "owner svc-admin-bot\\x1b]0;pwned\\x07",
    ]) {
      expect(stdout).toContain(shown);
    }
  });

  it("with --json prints JSON whose text has no raw control character (C1 and DEL included) and whose names survive, secrets [REDACTED]", async () => {
    const { code, stdout, stderr } = await keywarden(["audit", "--json", "--policy", policyFile, "--fail-on", "none"]);
    expect(code).toBe(0);
    expect(stderr).toBe(`keywarden: auditing ${sim.url} with policy ${join(dir, "leak-test\\x1b[2J.yaml")}…\n`);
    expectClean(stdout, "the run JSON");
    const run = JSON.parse(stdout) as AuditRun;
    expect(run.status).toBe("complete");
    const names = new Set(run.findings.map((f) => f.key.name));
    for (const name of [`evil[REDACTED]`, `\r${FORGED}`, `deploy\n[REDACTED]`, "=cmd|' /C calc'!A0", "<!channel> <@U0123> *rotate now*", "-2+3\u0007\u0007", "@SUM(A1)\tx"]) {
      expect(names).toContain(name);
    }
    const projects = new Set(run.findings.map((f) => f.project?.name));
    for (const name of ["web\u001b[2J\u001b[H", `data\n${FORGED}`, "ml_[REDACTED]", "legacy\u009b2J\u007f"]) expect(projects).toContain(name);
  });

  it("on a narrow terminal, the progress line never shows the admin key in a project's name, not even cut off", async () => {
    // 65 columns cut the line 20 characters into the secret: glued to "ml_", what is left of it no longer looks like a secret.
    sim.addFault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "latency", ms: 1_300 } });
    const { code, stdout, stderr } = await keywarden(["audit", "--json", "--policy", policyFile, "--fail-on", "none"], { tty: true, columns: 65 });
    expect(code).toBe(0);
    expect(stderr).toContain('keywarden: listing API keys of project "ml_');
    expectClean(withoutProgressCodes(stderr), "the progress line");
    expectClean(stdout, "the run JSON");
  });

  it("names on stderr what was not seen without letting a project's name forge a line or show the admin key", async () => {
    for (const project of ["proj_data", "proj_ml"]) {
      sim.addFault({ match: { path: `/organization/projects/${project}/api_keys` }, effect: { kind: "status", status: 404 } });
    }
    for (const json of [false, true]) {
      const { code, stdout, stderr } = await keywarden(["audit", "--policy", policyFile, "--fail-on", "none", ...(json ? ["--json"] : [])]);
      expect(code).toBe(2);
      expectClean(stdout, json ? "the run JSON" : "the text report");
      expectClean(stderr, "stderr");
      expect(stderr).toContain(`  not seen: API keys of project "data\\n${FORGED}" (proj_data): HTTP 404`);
      expect(stderr).toContain('  not seen: API keys of project "ml_[REDACTED]" (proj_ml): HTTP 404');
      if (!json) expect(stdout).toContain(`    not seen: API keys of project "ml_[REDACTED]" (proj_ml) — API keys of project "ml_[REDACTED]" (proj_ml): HTTP 404`);
    }
  });

  it("echoes a wrong threshold, or a policy file it cannot read, with control characters escaped", async () => {
    const wrong = await keywarden(["audit", "--fail-on", "\u001b[2Jsevere"]);
    expect(wrong).toEqual({ code: 2, stdout: "", stderr: expect.stringContaining(`(got "\\x1b[2Jsevere")`) });
    expectClean(wrong.stderr, "stderr");
    const unreadable = await keywarden(["audit", "--policy", join(dir, "missing\u001b[2J.yaml")]);
    expect(unreadable).toEqual({ code: 2, stdout: "", stderr: `keywarden audit: cannot read policy file ${join(dir, "missing\\x1b[2J.yaml")}: ENOENT\n` });
  });

  it("is as clean from a real process (node --import tsx src/cli/keywarden.ts), text and --json, complete and incomplete", async () => {
    for (const args of [["audit"], ["audit", "--json"]]) {
      const outcome = await keywardenProcess([...args, "--policy", policyFile, "--fail-on", "none"]);
      expect(outcome.code).toBe(0);
      expectClean(outcome.stdout, `${args.join(" ")}: stdout`);
      expectClean(outcome.stderr, `${args.join(" ")}: stderr`);
    }
    sim.addFault({ match: { path: "/organization/projects/proj_data/api_keys" }, effect: { kind: "status", status: 404 } });
    const incomplete = await keywardenProcess(["audit", "--policy", policyFile]);
    expect(incomplete.code).toBe(2);
    expectClean(incomplete.stdout, "incomplete: stdout");
    expectClean(incomplete.stderr, "incomplete: stderr");
    expect(incomplete.stderr).toContain(`not seen: API keys of project "data\\n${FORGED}"`);
  });

  it("leaves evidence of that run that keywarden verify verifies, its files and its output free of the secrets", async () => {
    const { run, inventory } = await runAuditWithInventory({
      config: { adminKey: ADMIN_KEY, baseURL: sim.url },
      policy: { name: "leak-test", file: policyFile, text: POLICY },
      trigger: "cli",
    });
    expect(run.status).toBe("complete");
    const evidence = await buildRunEvidence({
      run,
      inventory: inventory && { keys: inventory.keys, projects: inventory.projects },
      policyText: POLICY,
      secrets: [ADMIN_KEY],
      previousManifestSha256: null,
      version: "0.1.0",
    });
    const root = join(dir, "evidence");
    mkdirSync(join(root, evidence.prefix), { recursive: true });
    for (const file of evidence.files) writeFileSync(join(root, evidence.prefix, file.name), file.content);
    for (const file of evidence.files) {
      const text = readFileSync(join(root, evidence.prefix, file.name), "utf8");
      expect(text, file.name).not.toContain(ADMIN_KEY);
      expect(text, file.name).not.toContain(PASTED_KEY);
    }
    expect(readFileSync(join(root, evidence.prefix, "findings.csv"), "utf8")).toContain(`'=cmd|' /C calc'!A0`);

    for (const args of [[root], [root, "--json"]]) {
      const verified = await keywardenProcess(["verify", ...args]);
      expect(verified.code).toBe(0);
      expectClean(verified.stdout, `verify ${args.join(" ")}: stdout`);
      expectClean(verified.stderr, `verify ${args.join(" ")}: stderr`);
      expect(verified.stdout).toMatch(/VERIFIED: 1 run|"ok": true/);
    }
  });
});

describe("an unexpected error in a command", () => {
  afterEach(() => {
    vi.doUnmock("../../src/audit/run.js");
    vi.resetModules();
  });

  it("is reported on stderr through the same redaction, names made inert, exit 2", async () => {
    vi.resetModules();
    vi.doMock("../../src/audit/run.js", () => ({
      runAudit: async () => {
        throw new Error(`the SDK said: bad key ${ADMIN_KEY}\n${FORGED}`);
      },
    }));
    const fresh = (await import("../../src/cli/main.js")).main;
    let stdout = "";
    let stderr = "";
    const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env: env() };
    const code = await fresh(["audit", "--policy", policyFile, "--quiet"], io);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^keywarden audit: unexpected error: Error: the SDK said: bad key \[REDACTED\]\\nkeywarden run_/);
    expectClean(stderr, "stderr");
  });
});
