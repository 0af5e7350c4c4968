/**
 * The period manifest of an export (period-manifest.json, signed in period-manifest.sig like a
 * run's manifest): it fixes the period, each run's manifest SHA-256 and every file outside the
 * runs' folders (the index, report.html, controls-summary.*), so that `keywarden verify` catches an
 * edited report as surely as an edited findings.csv.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type EvidenceSigningKey, type RunEvidence, derivePublicKey } from "../../src/evidence/index.js";
import { buildEvidenceChain, extractEntries, generateSigningKey, periodZipOf, runVerify } from "../support/evidence-fixture.js";
import { periodAuditRun } from "./html-report-support.js";

let dir: string;
let signingKey: EvidenceSigningKey;
let evidence: RunEvidence[];
/** A signed export of four runs that recorded controls: report.html, controls-summary.* and the index next to runs/. */
let entries: Record<string, Uint8Array>;
let publicKeyFile: string;
let otherKeyFile: string;
let written = 0;
const encode = (text: string) => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-verify-period-"));
  signingKey = await generateSigningKey();
  evidence = await buildEvidenceChain({ runs: 4, auditRun: (i) => periodAuditRun(i), signingKey });
  entries = unzipSync(await periodZipOf(evidence, undefined, { signingKey }));
  publicKeyFile = join(dir, "public.pem");
  writeFileSync(publicKeyFile, (await derivePublicKey(signingKey)).pem);
  otherKeyFile = join(dir, "other.pem");
  writeFileSync(otherKeyFile, (await derivePublicKey(await generateSigningKey())).pem);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `keywarden verify` on these entries as a ZIP, and as the folder an auditor extracts it into: both must say the same. */
async function verifyBoth(files: Record<string, Uint8Array>, ...argv: string[]) {
  const n = written++;
  const zip = join(dir, `period-${n}.zip`);
  writeFileSync(zip, zipSync(files));
  const folder = join(dir, `extracted-${n}`);
  extractEntries(folder, files);
  const fromZip = await runVerify(zip, ...argv);
  const fromFolder = await runVerify(folder, ...argv);
  expect(fromFolder).toEqual(fromZip);
  return fromZip;
}

const edited = (name: string, change: (text: string) => string) => ({ ...entries, [name]: encode(change(decode(entries[name]))) });

describe("a period export stripped to its runs", () => {
  it("fails as a ZIP (GET /evidence always writes the period manifest), and as a folder verifies the chain with a note that the ends are not checked", async () => {
    // Every file outside runs/ removed, and the last run with them: without the period manifest nothing shows it is gone.
    const runs = Object.keys(entries).filter((name) => name.startsWith("runs/"));
    const lastRun = runs.map((name) => name.split("/").slice(0, 4).join("/")).sort().at(-1) as string;
    const stripped = Object.fromEntries(Object.entries(entries).filter(([name]) => name.startsWith("runs/") && !name.startsWith(`${lastRun}/`)));
    const zip = join(dir, `stripped-${written++}.zip`);
    writeFileSync(zip, zipSync(stripped));
    const fromZip = await runVerify(zip, "--public-key", publicKeyFile);
    expect(fromZip.code).toBe(1);
    expect(fromZip.out).toContain("period-manifest.json");
    expect(fromZip.out).toContain("missing: a period export (GET /evidence) always holds it");
    const folder = join(dir, `stripped-folder-${written++}`);
    extractEntries(folder, stripped);
    const fromFolder = await runVerify(folder, "--public-key", publicKeyFile);
    expect(fromFolder.code).toBe(0);
    expect(fromFolder.out).toMatch(/^VERIFIED: 3 runs, /);
    expect(fromFolder.out).toContain("note: not a period export (no period-manifest.json)");
  });
});

describe("a period export's own manifest", () => {
  it("is in the export, next to the index, and an intact export verifies with the key that signed it", async () => {
    expect(Object.keys(entries).filter((name) => !name.startsWith("runs/")).sort()).toEqual([
      "controls-summary.csv",
      "controls-summary.json",
      "index.csv",
      "index.json",
      "period-manifest.json",
      "period-manifest.sig",
      "report.html",
    ]);
    const result = await verifyBoth(entries, "--public-key", publicKeyFile);
    expect(result.out).toMatch(/^VERIFIED: 4 runs, /);
    expect(result.out).toContain("  note: period 2026-11-01 to 2026-11-30: controls-summary.csv, controls-summary.json, index.csv, index.json, report.html match period-manifest.json\n");
    expect(result.code).toBe(0);
  });

  it("lists the period, each run's manifest SHA-256 in chain order, and every other file outside the runs with its SHA-256", () => {
    const manifest = JSON.parse(decode(entries["period-manifest.json"])) as Record<string, unknown>;
    expect(manifest.format).toBe("keywarden-period-manifest/1");
    expect(manifest.period).toEqual({ from: "2026-11-01", to: "2026-11-30" });
    expect(manifest.runs).toEqual(evidence.map((ev) => ({ id: ev.manifest.run.id, prefix: ev.prefix, manifest_sha256: ev.manifestSha256 })));
    expect((manifest.files as { name: string }[]).map((f) => f.name)).toEqual(["controls-summary.csv", "controls-summary.json", "index.csv", "index.json", "report.html"]);
    expect(manifest.signature).toEqual({ algorithm: "Ed25519", public_key_sha256: signingKey.publicKey.sha256 });
  });
});

describe("keywarden verify on a period export whose derived files were edited", () => {
  it("fails, naming report.html, when the report was edited", async () => {
    const result = await verifyBoth(edited("report.html", (html) => html.replace("OpenAI API key audit", "Nothing to see here")));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/^FAILED: 1 problem in 4 runs\n  report\.html: altered: \d+ bytes, sha256 [0-9a-f]{64}; period-manifest\.json says \d+ bytes, sha256 [0-9a-f]{64}\n/);
  });

  it.each([
    ["controls-summary.json", (text: string) => text.replace('"last_status": "fail"', '"last_status": "pass"')],
    ["controls-summary.csv", (text: string) => text.replace(",fail,", ",pass,")],
    ["index.json", (text: string) => text.replace('"to": "2026-11-30"', '"to": "2026-12-31"')],
  ])("fails, naming %s, when it was edited", async (name, change) => {
    const changed = edited(name, change);
    expect(changed[name]).not.toEqual(entries[name]);
    const result = await verifyBoth(changed);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${name}: altered: `);
  });

  it("fails on a derived file removed, or added where the export had none", async () => {
    const { "report.html": _report, ...withoutReport } = entries;
    const missing = await verifyBoth(withoutReport);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("  report.html: missing (listed in period-manifest.json)\n");

    const withoutControls = unzipSync(await periodZipOf(evidence.map((ev) => ({ ...ev, files: ev.files.filter((f) => !f.name.startsWith("controls.")) })), undefined, { signingKey }));
    expect(withoutControls["controls-summary.csv"]).toBeUndefined();
    const added = await verifyBoth({ ...withoutControls, "controls-summary.csv": entries["controls-summary.csv"] as Uint8Array });
    expect(added.code).toBe(1);
    expect(added.out).toContain("  controls-summary.csv: not listed in period-manifest.json\n");
  });

  it("fails on a run folder removed from the export, naming the run the period manifest lists", async () => {
    const last = evidence.at(-1) as RunEvidence;
    const result = await verifyBoth(Object.fromEntries(Object.entries(entries).filter(([path]) => !path.startsWith(last.prefix))));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  run ${last.manifest.run.id}: missing: period-manifest.json lists it under ${last.prefix} with manifest ${last.manifestSha256}\n`);
  });
});

describe("keywarden verify on the runs a period manifest lists", () => {
  it("fails on a run added to the export, and on a run started outside the period it states", async () => {
    const other = (await buildEvidenceChain({ runs: 5, signingKey })).at(-1) as RunEvidence;
    const added = await verifyBoth({ ...entries, ...Object.fromEntries(other.files.map((f) => [`${other.prefix}${f.name}`, f.content])) });
    expect(added.code).toBe(1);
    expect(added.out).toContain(`  run ${other.manifest.run.id}: not listed in period-manifest.json: a run added to the export\n`);

    const late = unzipSync(await periodZipOf(evidence, { from: "2026-11-10", to: "2026-11-30" }, { signingKey }));
    const result = await verifyBoth(late, "--public-key", publicKeyFile);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  run ${evidence[0]?.manifest.run.id}: started at 2026-11-02T06:00:00.000Z, outside the period 2026-11-10 to 2026-11-30 of period-manifest.json\n`);
  });
});

describe("keywarden verify on the period manifest's signature", () => {
  it("fails with another key, naming period-manifest.sig", async () => {
    const result = await verifyBoth(entries, "--public-key", otherKeyFile);
    expect(result.code).toBe(1);
    expect(result.out).toContain("  period-manifest.sig: signed with another key (public key sha256 ");
  });

  it("fails when period-manifest.json was rewritten to match an edited report (the signature no longer matches)", async () => {
    const html = encode(decode(entries["report.html"]).replace("OpenAI API key audit", "Nothing to see here"));
    const manifest = JSON.parse(decode(entries["period-manifest.json"])) as { files: { name: string; sha256: string; size: number }[] };
    for (const file of manifest.files) {
      if (file.name === "report.html") Object.assign(file, { sha256: createHash("sha256").update(html).digest("hex"), size: html.length });
    }
    const forged = { ...entries, "report.html": html, "period-manifest.json": encode(`${JSON.stringify(manifest, null, 2)}\n`) };
    const result = await verifyBoth(forged, "--public-key", publicKeyFile);
    expect(result.code).toBe(1);
    expect(result.out).toContain("  period-manifest.sig: wrong signature: period-manifest.json or period-manifest.sig was altered");
  });

  it("fails when the signature was removed from a manifest that says it is signed", async () => {
    const { "period-manifest.sig": _sig, ...unsigned } = entries;
    const result = await verifyBoth(unsigned);
    expect(result.code).toBe(1);
    expect(result.out).toContain("  period-manifest.sig: missing, although period-manifest.json says it is signed\n");
  });

  it("builds an unsigned period manifest when evidence is not signed, which fails only when a public key is given", async () => {
    const plain = await buildEvidenceChain({ runs: 2 });
    const files = unzipSync(await periodZipOf(plain));
    expect(files["period-manifest.sig"]).toBeUndefined();
    expect(JSON.parse(decode(files["period-manifest.json"])).signature).toBeNull();
    expect((await verifyBoth(files)).code).toBe(0);
    const withKey = await verifyBoth(files, "--public-key", publicKeyFile);
    expect(withKey.code).toBe(1);
    expect(withKey.out).toContain("  period-manifest.sig: missing: period-manifest.json is not signed, and a public key was given\n");
  });
});

describe("keywarden verify on a period export without a period manifest (made before there was one, or the manifest removed)", () => {
  it("fails loudly, naming the files nothing covers, and still checks the runs", async () => {
    const { "period-manifest.json": _manifest, "period-manifest.sig": _sig, ...older } = entries;
    const result = await verifyBoth(older, "--public-key", publicKeyFile);
    expect(result.code).toBe(1);
    expect(result.out).toBe(
      [
        "FAILED: 1 problem in 4 runs",
        "  period-manifest.json: missing: controls-summary.csv, controls-summary.json, index.csv, index.json, report.html are not covered by any hash or signature (an export made before Keywarden wrote period manifests, or its manifest was removed); export the period again",
        `  note: run ${evidence[0]?.manifest.run.id} is the first run of the chain`,
        "",
      ].join("\n"),
    );
  });
});
