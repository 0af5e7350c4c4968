import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditRun } from "../../src/audit/types.js";
import { verifyCommand } from "../../src/cli/verify-command.js";
import { type RunEvidence, buildEvidenceZip, buildRunEvidence, derivePublicKey, importSigningKey } from "../../src/report/evidence/index.js";
import { toBase64 } from "../../src/report/evidence/base64.js";
import { sha256Hex } from "../../src/util/hash.js";

const POLICY = "version: 1\nname: default\nrules: []\n";

function run(i: number): AuditRun {
  const started = new Date(Date.UTC(2026, 9, 26 + 7 * i, 6));
  return {
    id: `run_${started.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")}_00000${i}`,
    trigger: "cron",
    policy: { name: "default", file: "policies/default.yaml", sha256: sha256Hex(POLICY) },
    started_at: started.toISOString(),
    finished_at: new Date(started.getTime() + 5000).toISOString(),
    status: "complete",
    counts: { admin_keys: 0, projects: 0, archived_projects: 0, project_keys: 0, users: 0, api_requests: 3, findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 } },
    findings: [],
    exemptions: [],
    exemption_notices: [],
    errors: [],
  };
}

let dir: string;
let evidence: RunEvidence[];
let publicKeyFile: string;
let otherKeyFile: string;

async function generatePem(): Promise<string> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  return toBase64(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer));
}

function writeRuns(root: string, runs: readonly RunEvidence[], layout: (ev: RunEvidence) => string = (ev) => ev.prefix): void {
  for (const ev of runs) {
    const target = join(root, layout(ev));
    mkdirSync(target, { recursive: true });
    for (const file of ev.files) writeFileSync(join(target, file.name), file.content);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-verify-"));
  const signing = await importSigningKey(await generatePem());
  if (!signing.ok) throw new Error(signing.message);
  evidence = [];
  let previous: string | null = null;
  for (let i = 0; i < 5; i++) {
    const ev = await buildRunEvidence({ run: run(i), inventory: { keys: [], projects: [] }, policyText: POLICY, previousManifestSha256: previous, version: "0.1.0", signingKey: signing.key });
    evidence.push(ev);
    previous = ev.manifestSha256;
  }
  publicKeyFile = join(dir, "public.pem");
  writeFileSync(publicKeyFile, (await derivePublicKey(signing.key)).pem);
  otherKeyFile = join(dir, "other.pem");
  writeFileSync(otherKeyFile, (await derivePublicKey(await generatePem())).pem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  const code = await verifyCommand(argv);
  vi.restoreAllMocks();
  return { code, out, err };
}

function fresh(name: string, layout?: (ev: RunEvidence) => string): string {
  const root = join(dir, name);
  writeRuns(root, evidence, layout);
  return root;
}

describe("keywarden verify", () => {
  it("verifies a directory of runs/yyyy/mm/<id>/ with and without the public key", async () => {
    const root = fresh("tree");
    const withKey = await cli(root, "--public-key", publicKeyFile);
    expect(withKey.code).toBe(0);
    expect(withKey.out.split("\n")[0]).toBe("VERIFIED: 5 runs, every file matches its manifest, chain intact, signatures valid");
    const withoutKey = await cli(root);
    expect(withoutKey.code).toBe(0);
    expect(withoutKey.out).toMatch(/^VERIFIED: 5 runs, .* signatures not checked \(no --public-key\)/);
  });

  it("verifies <id>/ subdirectories and a single run's directory", async () => {
    const flat = fresh("flat", (ev) => `${ev.manifest.run.id}/`);
    expect((await cli(flat, "--public-key", publicKeyFile)).code).toBe(0);
    const single = join(flat, evidence[2]!.manifest.run.id);
    const result = await cli(single, "--public-key", publicKeyFile);
    expect(result.code).toBe(0);
    expect(result.out).toContain("VERIFIED: 1 run,");
    expect(result.out).toContain(`links to manifest ${evidence[1]!.manifestSha256}`);
  });

  it("verifies a period ZIP, and prints JSON on request", async () => {
    const zipFile = join(dir, "period.zip");
    writeFileSync(zipFile, buildEvidenceZip(evidence.map((ev) => ({ prefix: ev.prefix, files: Object.fromEntries(ev.files.map((f) => [f.name, f.content])) })), { from: "2026-10-01", to: "2026-12-01" }));
    expect((await cli(zipFile, "--public-key", publicKeyFile)).code).toBe(0);
    const json = await cli(zipFile, "--json", "--anchor", evidence[4]!.manifestSha256);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toMatchObject({ ok: true, runs: 5, problems: [] });
  });

  it("fails with exit 1, one line per problem, on a changed byte, a deleted run or the wrong key", async () => {
    const root = fresh("tampered");
    const victim = join(root, evidence[1]!.prefix, "findings.csv");
    const bytes = readFileSync(victim);
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    writeFileSync(victim, bytes);
    rmSync(join(root, evidence[3]!.prefix), { recursive: true });
    const result = await cli(root, "--public-key", publicKeyFile);
    expect(result.code).toBe(1);
    const [, b, c] = evidence.map((ev) => ev.manifest.run.id);
    expect(result.out.split("\n").slice(0, 3)).toEqual([
      "FAILED: 2 problems in 4 runs",
      expect.stringMatching(new RegExp(`^  run ${b}, findings.csv: altered: `)),
      expect.stringContaining(`  run ${evidence[4]!.manifest.run.id}: chain broken between run ${c} and run ${evidence[4]!.manifest.run.id}: run(s) missing or altered`),
    ]);

    const wrongKey = await cli(fresh("wrong-key"), "--public-key", otherKeyFile);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.out).toMatch(/^FAILED: 5 problems in 5 runs\n  run run_\S+, manifest.sig: signed with another key/);
  });

  it("exits 2 on usage and read errors", async () => {
    expect((await cli()).code).toBe(2);
    expect((await cli(join(dir, "nope"))).code).toBe(2);
    expect((await cli(dir, "--bogus")).code).toBe(2);
    expect((await cli(dir, "--anchor", "xyz")).code).toBe(2);
    const notZip = join(dir, "not.zip");
    writeFileSync(notZip, "hello");
    expect((await cli(notZip)).code).toBe(2);
    const badKey = join(dir, "bad.pem");
    writeFileSync(badKey, "garbage");
    const result = await cli(fresh("bad-key"), "--public-key", badKey);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/bad\.pem: the public key/);
  });

  it("escapes control characters from the evidence, so a crafted manifest cannot rewrite the terminal", async () => {
    const root = fresh("escapes");
    const manifestFile = join(root, evidence[4]!.prefix, "manifest.json");
    writeFileSync(manifestFile, readFileSync(manifestFile, "utf8").replace(`"id": "${evidence[4]!.manifest.run.id}"`, '"id": "run_x\\u001b[1A\\u001b[2KVERIFIED"'));
    const result = await cli(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain("run run_x\\u001b[1A\\u001b[2KVERIFIED: stored under");
    expect(result.out).not.toContain("\u001b");
  });

  it("fails on an empty directory", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const result = await cli(empty);
    expect(result.code).toBe(1);
    expect(result.out).toContain("no evidence found");
  });
});
