/**
 * Properties of verify over a signed chain of three runs: any single-byte
 * change, swap of two files, duplicated entry or removed file is caught, and
 * the untouched evidence verifies in any entry order.
 */
import fc from "fast-check";
import { Zip, ZipPassThrough, unzipSync } from "fflate";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/audit/types.js";
import { type EvidencePublicKey, buildEvidenceZip, buildRunEvidence, importSigningKey, readEvidenceZip, verifyEvidence } from "../../src/report/evidence/index.js";
import { toBase64 } from "../../src/report/evidence/base64.js";
import { verifyEvidenceTree } from "../../src/report/evidence/verify.js";
import { sha256Hex } from "../../src/util/hash.js";

const POLICY = "version: 1\nname: default\nrules:\n  - id: unused-90d\n    kind: unused\n    days: 90\n    severity: high\n";
const NUM_RUNS = 100;

function auditRun(i: number): AuditRun {
  const started = new Date(Date.UTC(2026, 10, 2 + 7 * i, 6));
  return {
    id: `run_${started.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "")}_00000${i}`,
    trigger: "cron",
    policy: { name: "default", file: "policies/default.yaml", sha256: sha256Hex(POLICY) },
    started_at: started.toISOString(),
    finished_at: new Date(started.getTime() + 5000).toISOString(),
    status: i === 1 ? "incomplete" : "complete",
    counts: { admin_keys: 0, projects: 1, archived_projects: 0, project_keys: 0, users: i, api_requests: 3, findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 } },
    findings: [],
    exemptions: [],
    exemption_notices: [],
    errors: [],
  };
}

let publicKey: EvidencePublicKey;
/** Every run file as [path, bytes], in the order the period ZIP holds them (index.json and index.csv last). */
let runFiles: [string, Uint8Array][];
let indexFiles: [string, Uint8Array][];

beforeAll(async () => {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const signing = await importSigningKey(toBase64(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer)));
  if (!signing.ok) throw new Error(signing.message);
  publicKey = signing.key.publicKey;
  const stored = [];
  let previous: string | null = null;
  for (let i = 0; i < 3; i++) {
    const projects = [{ id: "proj_a", name: `project ${i}`, created_at: "2026-01-01T00:00:00.000Z", archived: false, archived_at: null }];
    const ev = await buildRunEvidence({ run: auditRun(i), inventory: { keys: [], projects }, policyText: POLICY, previousManifestSha256: previous, version: "0.1.0", signingKey: signing.key });
    stored.push({ prefix: ev.prefix, files: Object.fromEntries(ev.files.map((f) => [f.name, f.content])) });
    previous = ev.manifestSha256;
  }
  const entries = Object.entries(unzipSync(buildEvidenceZip(stored, { from: "2026-11-01", to: "2026-11-30" })));
  runFiles = entries.filter(([path]) => path.startsWith("runs/"));
  indexFiles = entries.filter(([path]) => !path.startsWith("runs/"));
});

/** The run files as verify's input: prefix → name → bytes. */
function treeOf(files: readonly (readonly [string, Uint8Array])[]): Map<string, Record<string, Uint8Array>> {
  const tree = new Map<string, Record<string, Uint8Array>>();
  for (const [path, content] of files) {
    const slash = path.lastIndexOf("/");
    const run = tree.get(path.slice(0, slash + 1)) ?? {};
    run[path.slice(slash + 1)] = content;
    tree.set(path.slice(0, slash + 1), run);
  }
  return tree;
}

/** Stored entries, in the given order, repeated names kept (fflate's zipSync would merge them). */
function zipOf(entries: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  const chunks: Uint8Array[] = [];
  const zip = new Zip((error, chunk) => {
    if (error) throw error;
    chunks.push(chunk);
  });
  for (const [name, data] of entries) {
    const file = new ZipPassThrough(name);
    zip.add(file);
    file.push(data, true);
  }
  zip.end();
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function verifyZip(entries: readonly (readonly [string, Uint8Array])[]): Promise<boolean> {
  const read = readEvidenceZip(zipOf(entries));
  return read.ok && (await verifyEvidenceTree(read.tree, { publicKey })).ok;
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);
const fileIndex = () => fc.nat({ max: runFiles.length - 1 });

describe("verify, for any", () => {
  it("order of the untouched entries: verified (no false alarm)", async () => {
    expect((await verifyEvidence(treeOf(runFiles), { publicKey })).ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray([...runFiles, ...indexFiles], { minLength: runFiles.length + indexFiles.length }), async (entries) => {
        expect(await verifyZip(entries)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("single-byte change in any run file: not verified", async () => {
    await fc.assert(
      fc.asyncProperty(fileIndex(), fc.nat(), fc.integer({ min: 1, max: 255 }), async (file, position, xor) => {
        const [path, content] = runFiles[file] as [string, Uint8Array];
        const changed = new Uint8Array(content);
        const at = position % changed.length;
        changed[at] = (changed[at] as number) ^ xor;
        const files = runFiles.map(([p, c]): [string, Uint8Array] => [p, p === path ? changed : c]);
        expect((await verifyEvidence(treeOf(files), { publicKey })).ok).toBe(false);
        expect(await verifyZip([...files, ...indexFiles])).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("swap of the contents of two different run files: not verified", async () => {
    await fc.assert(
      fc.asyncProperty(fileIndex(), fileIndex(), async (a, b) => {
        const [pathA, contentA] = runFiles[a] as [string, Uint8Array];
        const [pathB, contentB] = runFiles[b] as [string, Uint8Array];
        fc.pre(!sameBytes(contentA, contentB));
        const files = runFiles.map(([p, c]): [string, Uint8Array] => [p, p === pathA ? contentB : p === pathB ? contentA : c]);
        expect((await verifyEvidence(treeOf(files), { publicKey })).ok).toBe(false);
        expect(await verifyZip([...files, ...indexFiles])).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("entry of the ZIP present twice, as an exact or an altered copy, anywhere: not verified", async () => {
    const all = () => [...runFiles, ...indexFiles];
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: runFiles.length + 1 }), fc.nat(), fc.boolean(), async (entry, position, altered) => {
        const entries = all();
        const [path, content] = entries[entry] as [string, Uint8Array];
        const copy = altered && content.length > 0 ? new Uint8Array(content).map((byte, i) => (i === 0 ? byte ^ 1 : byte)) : content;
        entries.splice(position % (entries.length + 1), 0, [path, copy]);
        expect(await verifyZip(entries)).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it("run file removed: not verified", async () => {
    await fc.assert(
      fc.asyncProperty(fileIndex(), async (file) => {
        const files = runFiles.filter((_, i) => i !== file);
        expect((await verifyEvidence(treeOf(files), { publicKey })).ok).toBe(false);
        expect(await verifyZip([...files, ...indexFiles])).toBe(false);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
