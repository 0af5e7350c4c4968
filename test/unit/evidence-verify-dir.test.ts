/**
 * `keywarden verify` on a folder: every file under it is checked or named as
 * not verified; hidden files, links and other spellings cannot slip past.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunEvidence, groupEvidencePaths } from "../../src/evidence/index.js";
import { readEvidenceDirectory } from "../../src/evidence/read-directory.js";
import { buildPeriod, extractEntries, runVerify, writeFileWithFolders } from "../support/evidence-fixture.js";

let dir: string;
let evidence: RunEvidence[];
/** The extracted period ZIP: runs/… plus index.json and index.csv. */
let pristine: string;
let folders = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-verify-dir-"));
  const period = await buildPeriod({ runs: 2 });
  evidence = period.evidence;
  pristine = join(dir, "pristine");
  extractEntries(pristine, period.entries);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh copy of the extracted period ZIP, to tamper with. */
function copy(): string {
  const root = join(dir, `copy-${folders++}`);
  cpSync(pristine, root, { recursive: true });
  return root;
}

describe("keywarden verify on a folder", () => {
  it("verifies the extracted period ZIP", async () => {
    const result = await runVerify(copy());
    expect(result.out).toMatch(/^VERIFIED: 2 runs/);
    expect(result.code).toBe(0);
  });

  it.each([
    ["a README at the top", "README.txt", "  README.txt: not verified"],
    ["a hidden file in a run", "runs/2026/11/run_20261109T060000Z_000001/.notes", "  run run_20261109T060000Z_000001, .notes: not listed in the manifest"],
    ["evidence in a hidden folder", "runs/2026/11/.old/findings.csv", "  run .old: runs/2026/11/.old/ holds findings.csv but no manifest.json"],
    ["a hidden file at the top", ".notes", "  .notes: not verified"],
    ["the public key next to the evidence", "evidence-public.pem", "  evidence-public.pem: not verified"],
    ["a second index deeper down", "runs/index.csv", "  runs/index.csv: not verified: only the period export's files at ./ are checked"],
  ])("fails on %s", async (_, path, line) => {
    const root = copy();
    writeFileWithFolders(root, path, "run_id,findings_total\r\nrun_x,0\r\n");
    const result = await runVerify(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`\n${line}`);
  });

  it("fails on a file whose name spells another path with backslashes", async () => {
    const root = copy();
    const real = `${evidence[1]!.prefix}findings.csv`;
    const genuine = readFileSync(join(root, real));
    writeFileSync(join(root, real), "tampered\r\n");
    writeFileSync(join(root, real.replaceAll("/", "\\")), genuine);
    const result = await runVerify(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${real.replaceAll("/", "\\")}: another spelling of ${real}`);
    expect(result.out).toMatch(new RegExp(`findings\\.csv: altered: 10 bytes`));
  });

  it("fails on symbolic links, to a file or to a folder, without following them", async () => {
    const root = copy();
    const elsewhere = join(dir, `elsewhere-${folders}`);
    writeFileWithFolders(elsewhere, "findings.csv", "outside\r\n");
    symlinkSync(join(elsewhere, "findings.csv"), join(root, "runs/2026/11/extra.csv"));
    symlinkSync(elsewhere, join(root, "runs/2026/12"));
    const result = await runVerify(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain("  runs/2026/11/extra.csv: a symbolic link: not followed");
    expect(result.out).toContain("  runs/2026/12: a symbolic link: not followed");
  });

  it("skips Finder's and Explorer's metadata files, naming them in a note", async () => {
    const root = copy();
    writeFileWithFolders(root, ".DS_Store", new Uint8Array([0, 0, 0, 1, 66, 117, 100, 49]));
    writeFileWithFolders(root, `${evidence[0]!.prefix}.DS_Store`, "x");
    writeFileWithFolders(root, "runs/Thumbs.db", "x");
    const result = await runVerify(root);
    expect(result.out).toMatch(/^VERIFIED: 2 runs/);
    expect(result.out).toContain(`  note: ignored file-manager metadata (not evidence): .DS_Store, ${evidence[0]!.prefix}.DS_Store, runs/Thumbs.db\n`);
    expect(result.code).toBe(0);
  });

  it("refuses a folder whose manifests, signatures and index, which verify holds in memory, are over that limit", () => {
    expect(readEvidenceDirectory(pristine, { maxBytesInMemory: 1024 })).toEqual({
      ok: false,
      message: expect.stringMatching(/^the files read whole \(manifest\.json, manifest\.sig, index\.json, index\.csv, period-manifest\.json, period-manifest\.sig\) are \d+\.\d KiB, over the limit of 1 KiB together$/),
    });
  });
});

describe("groupEvidencePaths, for files already in memory", () => {
  it("names every path it does not verify, and keeps it out of the runs", () => {
    const ev = evidence[0]!;
    const files = Object.fromEntries(ev.files.map((f) => [`${ev.prefix}${f.name}`, f.content]));
    const note = new TextEncoder().encode("note");
    const tree = groupEvidencePaths({ ...files, "./README.md": note, "notes.txt": note, [`../${ev.prefix}findings.json`]: note });
    expect(tree.unverified.map((u) => `${u.path}: ${u.message.split(":")[0]}`)).toEqual([
      "./README.md: another spelling of README.md",
      `../${ev.prefix}findings.json: climbs with ..`,
      "notes.txt: not verified",
    ]);
    expect([...tree.runs.keys()]).toEqual([ev.prefix]);
    expect(Object.keys(tree.runs.get(ev.prefix) ?? {}).sort()).toEqual(ev.files.map((f) => f.name).sort());
  });
});
