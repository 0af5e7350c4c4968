/**
 * The chain and the signatures: a null link is only the first run of the whole
 * chain, and manifest.sig verifies only as Keywarden writes it.
 */
import { describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/audit/types.js";
import {
  type EvidenceSigningKey,
  type RunEvidence,
  buildEvidenceZip,
  buildRunEvidence,
  importSigningKey,
  readEvidenceZip,
  verifyEvidence,
} from "../../src/report/evidence/index.js";
import { toBase64 } from "../../src/report/evidence/base64.js";
import { verifyEvidenceTree } from "../../src/report/evidence/verify.js";
import { sha256Hex } from "../../src/util/hash.js";

const POLICY = "version: 1\nname: default\nrules: []\n";

function auditRun(i: number): AuditRun {
  const started = new Date(Date.UTC(2026, 10, 2 + 7 * i, 6));
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

/** Four weekly runs; `links[i]` overrides run i's link (undefined: the previous run's manifest). */
async function chain(links: (string | null | undefined)[], signingKey?: EvidenceSigningKey): Promise<RunEvidence[]> {
  const runs: RunEvidence[] = [];
  for (let i = 0; i < 4; i++) {
    const previous = links[i] !== undefined ? (links[i] as string | null) : (runs[i - 1]?.manifestSha256 ?? null);
    runs.push(await buildRunEvidence({ run: auditRun(i), inventory: { keys: [], projects: [] }, policyText: POLICY, previousManifestSha256: previous, version: "0.1.0", signingKey }));
  }
  return runs;
}

const treeOf = (runs: readonly RunEvidence[]) => new Map(runs.map((ev) => [ev.prefix, Object.fromEntries(ev.files.map((f) => [f.name, f.content]))]));
const id = (ev: RunEvidence | undefined) => ev?.manifest.run.id ?? "";
const EARLIER = "cd".repeat(32);

describe("the chain", () => {
  it.each([
    ["the chain", null],
    ["a period that starts mid-chain", EARLIER],
  ])("of %s fails at a run in the middle whose link is null", async (_, first) => {
    const runs = await chain([first, undefined, null, undefined]);
    const report = await verifyEvidence(treeOf(runs));
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { run: id(runs[2]), message: `chain broken between run ${id(runs[1])} and run ${id(runs[2])}: run(s) missing or altered (${id(runs[2])} claims to start a new chain)` },
    ]);
  });

  it("of a period ZIP fails at a null link in the middle, and names the first run's link outside the period", async () => {
    const runs = await chain([EARLIER, undefined, undefined, null]);
    const zip = buildEvidenceZip(
      runs.map((ev) => ({ prefix: ev.prefix, files: Object.fromEntries(ev.files.map((f) => [f.name, f.content])) })),
      { from: "2026-11-01", to: "2026-11-30" },
    );
    const read = readEvidenceZip(zip);
    if (!read.ok) throw new Error(read.message);
    const report = await verifyEvidenceTree(read.tree);
    expect(report.problems.map((p) => p.message)).toEqual([expect.stringContaining(`chain broken between run ${id(runs[2])} and run ${id(runs[3])}`)]);
    expect(report.notes[0]).toBe(`run ${id(runs[0])} links to manifest ${EARLIER}, of a run before these (not checked)`);
  });
});

describe("manifest.sig", () => {
  it.each([
    ["with CRLF", (sig: string) => sig.replace(/\n$/, "\r\n")],
    ["without its final newline", (sig: string) => sig.trimEnd()],
    ["without padding", (sig: string) => sig.replace(/=+\n$/, "\n")],
    ["in URL-safe base64", (sig: string) => sig.replaceAll("+", "-").replaceAll("/", "_")],
    ["wrapped over two lines", (sig: string) => `${sig.slice(0, 40)}\n${sig.slice(40)}`],
  ])("fails when rewritten %s, although the signature bytes are the same", async (_, rewrite) => {
    const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
    const signing = await importSigningKey(toBase64(new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer)));
    if (!signing.ok) throw new Error(signing.message);
    // A signature holding + or / and padding, so that every rewrite changes the file.
    let runs: RunEvidence[] = [];
    for (let salt = 0; ; salt++) {
      runs = await chain([salt === 0 ? null : sha256Hex(String(salt))], signing.key);
      const sig = new TextDecoder().decode(runs[0]!.files.find((f) => f.name === "manifest.sig")!.content);
      if (/[+/]/.test(sig)) break;
    }
    const tree = treeOf(runs);
    const files = tree.get(runs[0]!.prefix)!;
    const rewritten = rewrite(new TextDecoder().decode(files["manifest.sig"]));
    expect(rewritten).not.toBe(new TextDecoder().decode(files["manifest.sig"]));
    files["manifest.sig"] = new TextEncoder().encode(rewritten);
    for (const opts of [{ publicKey: signing.key.publicKey }, {}]) {
      const report = await verifyEvidence(tree, opts);
      expect(report.problems).toEqual([
        { run: id(runs[0]), file: "manifest.sig", message: "altered: not one line of standard base64 of a 64-byte signature, as Keywarden writes it" },
      ]);
    }
  });
});
