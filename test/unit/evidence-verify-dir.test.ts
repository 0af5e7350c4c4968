/**
 * `keywarden verify` on a folder: every file under it is checked or named as
 * not verified; hidden files, links and other spellings cannot slip past.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditRun } from "../../src/audit/types.js";
import { verifyCommand } from "../../src/cli/verify-command.js";
import { type RunEvidence, buildEvidenceZip, buildRunEvidence, groupEvidencePaths } from "../../src/report/evidence/index.js";
import { readEvidenceDirectory } from "../../src/report/evidence/read-directory.js";
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

let dir: string;
let evidence: RunEvidence[];
/** The extracted period ZIP: runs/… plus index.json and index.csv. */
let pristine: string;
let folders = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-verify-dir-"));
  evidence = [];
  let previous: string | null = null;
  for (let i = 0; i < 2; i++) {
    const ev = await buildRunEvidence({ run: auditRun(i), inventory: { keys: [], projects: [] }, policyText: POLICY, previousManifestSha256: previous, version: "0.1.0" });
    evidence.push(ev);
    previous = ev.manifestSha256;
  }
  const zip = buildEvidenceZip(
    evidence.map((ev) => ({ prefix: ev.prefix, files: Object.fromEntries(ev.files.map((f) => [f.name, f.content])) })),
    { from: "2026-11-01", to: "2026-11-30" },
  );
  pristine = join(dir, "pristine");
  for (const [path, content] of Object.entries(unzipSync(zip))) {
    mkdirSync(join(pristine, path, ".."), { recursive: true });
    writeFileSync(join(pristine, path), content);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh copy of the extracted period ZIP, to tamper with. */
function copy(): string {
  const root = join(dir, `copy-${folders++}`);
  cpSync(pristine, root, { recursive: true });
  return root;
}

async function verify(root: string): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  try {
    return { code: await verifyCommand([root]), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}

function write(root: string, path: string, content: string | Uint8Array): void {
  mkdirSync(join(root, path, ".."), { recursive: true });
  writeFileSync(join(root, path), content);
}

describe("keywarden verify on a folder", () => {
  it("verifies the extracted period ZIP", async () => {
    const result = await verify(copy());
    expect(result.out).toMatch(/^VERIFIED: 2 runs/);
    expect(result.code).toBe(0);
  });

  it.each([
    ["a README at the top", "README.txt", "  README.txt: not verified"],
    ["a hidden file in a run", "runs/2026/11/run_20261109T060000Z_000001/.notes", "  run run_20261109T060000Z_000001, .notes: not listed in the manifest"],
    ["evidence in a hidden folder", "runs/2026/11/.old/findings.csv", "  run .old: runs/2026/11/.old/ holds findings.csv but no manifest.json"],
    ["a hidden file at the top", ".notes", "  .notes: not verified"],
    ["the public key next to the evidence", "evidence-public.pem", "  evidence-public.pem: not verified"],
    ["a second index deeper down", "runs/index.csv", "  runs/index.csv: not verified: only the index at ./ is checked"],
  ])("fails on %s", async (_, path, line) => {
    const root = copy();
    write(root, path, "run_id,findings_total\r\nrun_x,0\r\n");
    const result = await verify(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`\n${line}`);
  });

  it("fails on a file whose name spells another path with backslashes", async () => {
    const root = copy();
    const real = `${evidence[1]!.prefix}findings.csv`;
    const genuine = readFileSync(join(root, real));
    writeFileSync(join(root, real), "tampered\r\n");
    writeFileSync(join(root, real.replaceAll("/", "\\")), genuine);
    const result = await verify(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${real.replaceAll("/", "\\")}: another spelling of ${real}`);
    expect(result.out).toMatch(new RegExp(`findings\\.csv: altered: 10 bytes`));
  });

  it("fails on symbolic links, to a file or to a folder, without following them", async () => {
    const root = copy();
    const elsewhere = join(dir, `elsewhere-${folders}`);
    write(elsewhere, "findings.csv", "outside\r\n");
    symlinkSync(join(elsewhere, "findings.csv"), join(root, "runs/2026/11/extra.csv"));
    symlinkSync(elsewhere, join(root, "runs/2026/12"));
    const result = await verify(root);
    expect(result.code).toBe(1);
    expect(result.out).toContain("  runs/2026/11/extra.csv: a symbolic link: not followed");
    expect(result.out).toContain("  runs/2026/12: a symbolic link: not followed");
  });

  it("skips Finder's and Explorer's metadata files, naming them in a note", async () => {
    const root = copy();
    write(root, ".DS_Store", new Uint8Array([0, 0, 0, 1, 66, 117, 100, 49]));
    write(root, `${evidence[0]!.prefix}.DS_Store`, "x");
    write(root, "runs/Thumbs.db", "x");
    const result = await verify(root);
    expect(result.out).toMatch(/^VERIFIED: 2 runs/);
    expect(result.out).toContain(`  note: ignored file-manager metadata (not evidence): .DS_Store, ${evidence[0]!.prefix}.DS_Store, runs/Thumbs.db\n`);
    expect(result.code).toBe(0);
  });

  it("refuses a folder whose manifests, signatures and index, which verify holds in memory, are over that limit", () => {
    expect(readEvidenceDirectory(pristine, { maxBytesInMemory: 1024 })).toEqual({
      ok: false,
      message: expect.stringMatching(/^the files read whole \(manifest\.json, manifest\.sig, index\.json, index\.csv\) are \d+\.\d KiB, over the limit of 1 KiB together$/),
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
