import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EvidenceSigningKey, type RunEvidence, derivePublicKey } from "../../src/evidence/index.js";
import { buildEvidenceChain, generateSigningKey, generateSigningKeyBase64, periodZipOf, runVerify, weeklyAuditRun } from "../support/evidence-fixture.js";

/** Five weekly runs from Monday 26 October 2026, so that the chain spans two months. */
const FIRST_START = new Date(Date.UTC(2026, 9, 26, 6));

let dir: string;
let evidence: RunEvidence[];
let publicKeyFile: string;
let otherKeyFile: string;
let signingKey: EvidenceSigningKey;

function writeRuns(root: string, runs: readonly RunEvidence[], layout: (ev: RunEvidence) => string = (ev) => ev.prefix): void {
  for (const ev of runs) {
    const target = join(root, layout(ev));
    mkdirSync(target, { recursive: true });
    for (const file of ev.files) writeFileSync(join(target, file.name), file.content);
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-verify-"));
  signingKey = await generateSigningKey();
  evidence = await buildEvidenceChain({ runs: 5, auditRun: (i) => weeklyAuditRun(i, { firstStart: FIRST_START }), signingKey });
  publicKeyFile = join(dir, "public.pem");
  writeFileSync(publicKeyFile, (await derivePublicKey(signingKey)).pem);
  otherKeyFile = join(dir, "other.pem");
  writeFileSync(otherKeyFile, (await derivePublicKey(await generateSigningKeyBase64())).pem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fresh(name: string, layout?: (ev: RunEvidence) => string): string {
  const root = join(dir, name);
  writeRuns(root, evidence, layout);
  return root;
}

describe("keywarden verify", () => {
  it("verifies a directory of runs/yyyy/mm/<id>/ with and without the public key", async () => {
    const root = fresh("tree");
    const withKey = await runVerify(root, "--public-key", publicKeyFile);
    expect(withKey.code).toBe(0);
    expect(withKey.out.split("\n")[0]).toBe("VERIFIED: 5 runs, every file matches its manifest, chain intact, signatures valid");
    const withoutKey = await runVerify(root);
    expect(withoutKey.code).toBe(0);
    expect(withoutKey.out).toMatch(/^VERIFIED: 5 runs, .* signatures not checked \(no --public-key\)/);
  });

  it("verifies <id>/ subdirectories and a single run's directory", async () => {
    const flat = fresh("flat", (ev) => `${ev.manifest.run.id}/`);
    expect((await runVerify(flat, "--public-key", publicKeyFile)).code).toBe(0);
    const single = join(flat, evidence[2]!.manifest.run.id);
    const result = await runVerify(single, "--public-key", publicKeyFile);
    expect(result.code).toBe(0);
    expect(result.out).toContain("VERIFIED: 1 run,");
    expect(result.out).toContain(`links to manifest ${evidence[1]!.manifestSha256}`);
  });

  it("verifies a period ZIP, and prints JSON on request", async () => {
    const zipFile = join(dir, "period.zip");
    writeFileSync(zipFile, await periodZipOf(evidence, { from: "2026-10-01", to: "2026-12-01" }, { signingKey }));
    expect((await runVerify(zipFile, "--public-key", publicKeyFile)).code).toBe(0);
    const json = await runVerify(zipFile, "--json", "--anchor", evidence[4]!.manifestSha256);
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
    const result = await runVerify(root, "--public-key", publicKeyFile);
    expect(result.code).toBe(1);
    const [, b, c] = evidence.map((ev) => ev.manifest.run.id);
    expect(result.out.split("\n").slice(0, 3)).toEqual([
      "FAILED: 2 problems in 4 runs",
      expect.stringMatching(new RegExp(`^  run ${b}, findings.csv: altered: `)),
      expect.stringContaining(`  run ${evidence[4]!.manifest.run.id}: chain broken between run ${c} and run ${evidence[4]!.manifest.run.id}: run(s) missing or altered`),
    ]);

    const wrongKey = await runVerify(fresh("wrong-key"), "--public-key", otherKeyFile);
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.out).toMatch(/^FAILED: 5 problems in 5 runs\n  run run_\S+, manifest.sig: signed with another key/);
  });

  it("exits 2 on usage and read errors", async () => {
    expect((await runVerify()).code).toBe(2);
    expect((await runVerify(join(dir, "nope"))).code).toBe(2);
    expect((await runVerify(dir, "--bogus")).code).toBe(2);
    expect((await runVerify(dir, "--anchor", "xyz")).code).toBe(2);
    const notZip = join(dir, "not.zip");
    writeFileSync(notZip, "hello");
    expect((await runVerify(notZip)).code).toBe(2);
    const badKey = join(dir, "bad.pem");
    writeFileSync(badKey, "garbage");
    const result = await runVerify(fresh("bad-key"), "--public-key", badKey);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/bad\.pem: the public key/);
  });

  it("escapes control characters from the evidence, so a crafted manifest cannot rewrite the terminal", async () => {
    const root = fresh("escapes");
    const manifestFile = join(root, evidence[4]!.prefix, "manifest.json");
    writeFileSync(manifestFile, readFileSync(manifestFile, "utf8").replace(`"id": "${evidence[4]!.manifest.run.id}"`, '"id": "run_x\\u001b[1A\\u001b[2KVERIFIED"'));
    const result = await runVerify(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain("run run_x\\u001b[1A\\u001b[2KVERIFIED: stored under");
    expect(result.out).not.toContain("\u001b");
  });

  it("fails on an empty directory", async () => {
    const empty = join(dir, "empty");
    mkdirSync(empty);
    const result = await runVerify(empty);
    expect(result.code).toBe(1);
    expect(result.out).toContain("no evidence found");
  });
});
