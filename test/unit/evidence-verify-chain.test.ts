/**
 * The chain and the signatures: a null link is only the first run of the whole
 * chain, and manifest.sig verifies only as Keywarden writes it.
 */
import { describe, expect, it } from "vitest";
import { type EvidenceSigningKey, type RunEvidence, readEvidenceZip, verifyEvidence } from "../../src/evidence/index.js";
import { verifyEvidenceTree } from "../../src/evidence/verify.js";
import { sha256Hex } from "../../src/util/hash.js";
import { buildEvidenceChain, filesByName, generateSigningKey, periodZipOf } from "../support/evidence-fixture.js";

/** Four weekly runs; `links[i]` overrides run i's link (undefined: the previous run's manifest). */
const chain = (links: (string | null | undefined)[], signingKey?: EvidenceSigningKey) => buildEvidenceChain({ runs: 4, links, signingKey });

const treeOf = (runs: readonly RunEvidence[]) => new Map(runs.map((ev) => [ev.prefix, filesByName(ev)]));
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
    const read = readEvidenceZip(await periodZipOf(runs));
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
    const signingKey = await generateSigningKey();
    // A signature holding + or / and padding, so that every rewrite changes the file.
    let runs: RunEvidence[] = [];
    for (let salt = 0; ; salt++) {
      runs = await chain([salt === 0 ? null : sha256Hex(String(salt))], signingKey);
      const sig = new TextDecoder().decode(runs[0]!.files.find((f) => f.name === "manifest.sig")!.content);
      if (/[+/]/.test(sig)) break;
    }
    const tree = treeOf(runs);
    const files = tree.get(runs[0]!.prefix)!;
    const rewritten = rewrite(new TextDecoder().decode(files["manifest.sig"]));
    expect(rewritten).not.toBe(new TextDecoder().decode(files["manifest.sig"]));
    files["manifest.sig"] = new TextEncoder().encode(rewritten);
    for (const opts of [{ publicKey: signingKey.publicKey }, {}]) {
      const report = await verifyEvidence(tree, opts);
      expect(report.problems).toEqual([
        { run: id(runs[0]), file: "manifest.sig", message: "altered: not one line of standard base64 of a 64-byte signature, as Keywarden writes it" },
      ]);
    }
  });
});
