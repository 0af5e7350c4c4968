/**
 * Properties of verify over a signed chain of three runs: any single-byte
 * change, swap of two files, duplicated entry or removed file is caught, and
 * the untouched evidence verifies in any entry order.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/model/run.js";
import { type EvidencePublicKey, readEvidenceZip, verifyEvidence } from "../../src/evidence/index.js";
import { verifyEvidenceTree } from "../../src/evidence/verify.js";
import { buildPeriod, generateSigningKey, weeklyAuditRun } from "../support/evidence-fixture.js";
import { streamedZip } from "../support/streamed-zip.js";

const POLICY = "version: 1\nname: default\nrules:\n  - id: unused-90d\n    kind: unused\n    days: 90\n    severity: high\n";
const NUM_RUNS = 100;

/** Runs that differ in more than their dates: the second incomplete, each with its own user count and project name. */
function auditRun(i: number): AuditRun {
  const run = weeklyAuditRun(i, { policyText: POLICY });
  return { ...run, status: i === 1 ? "incomplete" : "complete", counts: { ...run.counts, projects: 1, users: i } };
}

let publicKey: EvidencePublicKey;
/** Every run file as [path, bytes], in the order the period ZIP holds them (index.json and index.csv last). */
let runFiles: [string, Uint8Array][];
let indexFiles: [string, Uint8Array][];

beforeAll(async () => {
  const signingKey = await generateSigningKey();
  publicKey = signingKey.publicKey;
  const inventory = (i: number) => ({ keys: [], projects: [{ id: "proj_a", name: `project ${i}`, created_at: "2026-01-01T00:00:00.000Z", archived: false, archived_at: null }] });
  const entries = Object.entries((await buildPeriod({ runs: 3, auditRun, policyText: POLICY, inventory, signingKey })).entries);
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

async function verifyZip(entries: readonly (readonly [string, Uint8Array])[]): Promise<boolean> {
  // Stored entries, in the given order, repeated names kept (fflate's zipSync would merge them).
  const read = readEvidenceZip(streamedZip(entries, { stored: true }));
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
