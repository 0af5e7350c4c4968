/**
 * `keywarden verify` on a ZIP: what an auditor extracts must be exactly what was
 * verified, and no archive may make verify inflate without bound.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32, deflateRawSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinChunks } from "../../src/evidence/evidence-content.js";
import { type RunEvidence, readEvidenceZip } from "../../src/evidence/index.js";
import { type VerifyOutput, buildPeriod, runVerify } from "../support/evidence-fixture.js";
import { streamedZip } from "../support/streamed-zip.js";

const MiB = 1024 * 1024;

let dir: string;
let evidence: RunEvidence[];
/** The entries of the period ZIP the Worker serves, in archive order. */
let genuine: [string, Uint8Array][];
/** `runs/2026/11/<second run>/findings.csv` */
let victim: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-verify-zip-"));
  const period = await buildPeriod({ runs: 2 });
  evidence = period.evidence;
  genuine = Object.entries(period.entries);
  victim = `${evidence[1]!.prefix}findings.csv`;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TAMPERED = new TextEncoder().encode("run_id,severity\r\nrun_x,none\r\n");

interface RawEntry {
  name: string;
  data: Uint8Array;
  stored?: boolean;
  /** Deflated bytes to write instead of deflating `data`. */
  deflated?: Uint8Array;
  /** Uncompressed size written in both headers (default: the real one). */
  declaredSize?: number;
  crc?: number;
  /** Name written in the local header, when it should differ from the central directory's. */
  localName?: string;
  /** Unix mode in the external attributes (default: a regular file, 0644). */
  unixMode?: number;
  /** Written as a local entry only: absent from the central directory. */
  hidden?: boolean;
  /** Uncompressed size written in the local header only. */
  localDeclaredSize?: number;
  /** Extra field of the central directory entry. */
  extra?: Uint8Array;
  /** A second central directory entry, under this name, for the same local entry. */
  alsoListedAs?: string;
}

/** A ZIP written byte by byte, so that a test can make every field say what it wants. */
function rawZip(entries: readonly RawEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  let count = 0;
  for (const e of entries) {
    const body = e.stored ? e.data : (e.deflated ?? deflateRawSync(e.data));
    const method = e.stored ? 0 : 8;
    const crc = e.crc ?? crc32(e.data);
    const size = e.declaredSize ?? e.data.length;
    const localName = new TextEncoder().encode(e.localName ?? e.name);
    const local = new DataView(new ArrayBuffer(30));
    local.setUint32(0, 0x04034b50, true);
    local.setUint16(4, 20, true);
    local.setUint16(8, method, true);
    local.setUint32(14, crc, true);
    local.setUint32(18, body.length, true);
    local.setUint32(22, e.localDeclaredSize ?? size, true);
    local.setUint16(26, localName.length, true);
    parts.push(new Uint8Array(local.buffer), localName, body);
    for (const listed of e.hidden ? [] : [e.name, ...(e.alsoListedAs ? [e.alsoListedAs] : [])]) {
      const name = new TextEncoder().encode(listed);
      const extra = e.extra ?? new Uint8Array();
      const header = new DataView(new ArrayBuffer(46));
      header.setUint32(0, 0x02014b50, true);
      header.setUint16(4, (3 << 8) | 20, true);
      header.setUint16(6, 20, true);
      header.setUint16(10, method, true);
      header.setUint32(16, crc, true);
      header.setUint32(20, body.length, true);
      header.setUint32(24, size, true);
      header.setUint16(28, name.length, true);
      header.setUint16(30, extra.length, true);
      header.setUint32(38, ((e.unixMode ?? 0o100644) << 16) >>> 0, true);
      header.setUint32(42, offset, true);
      central.push(new Uint8Array(header.buffer), name, extra);
      count++;
    }
    offset += 30 + localName.length + body.length;
  }
  const centralSize = central.reduce((n, c) => n + c.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, count, true);
  end.setUint16(10, count, true);
  end.setUint32(12, centralSize, true);
  end.setUint32(16, offset, true);
  return joinChunks([...parts, ...central, new Uint8Array(end.buffer)]);
}

const entries = (list: readonly (readonly [string, Uint8Array])[]): RawEntry[] => list.map(([name, data]) => ({ name, data }));
let zips = 0;

/** `keywarden verify` on these bytes, written to a ZIP file of their own. */
async function verifyZip(bytes: Uint8Array, ...argv: string[]): Promise<VerifyOutput> {
  const file = join(dir, `period-${zips++}.zip`);
  writeFileSync(file, bytes);
  return runVerify(file, ...argv);
}

describe("keywarden verify on a ZIP", () => {
  it("verifies a period ZIP from another writer: folder entries, data descriptors", async () => {
    const folders = ["runs/", "runs/2026/", "runs/2026/11/", ...evidence.map((ev) => ev.prefix)].map((name) => ({ name, data: new Uint8Array(), stored: true, unixMode: 0o40755 }));
    const withFolders = await verifyZip(rawZip([...folders, ...entries(genuine)]));
    expect(withFolders.out).toMatch(/^VERIFIED: 2 runs/);
    expect(withFolders.code).toBe(0);
    const streamed = await verifyZip(streamedZip(genuine));
    expect(streamed.out).toMatch(/^VERIFIED: 2 runs/);
    expect(streamed.code).toBe(0);
  });

  it("fails, naming the entry, when a name appears twice, the altered copy first (the one `unzip -n` keeps)", async () => {
    for (const zip of [rawZip([{ name: victim, data: TAMPERED }, ...entries(genuine)]), streamedZip([[victim, TAMPERED], ...genuine])]) {
      const result = await verifyZip(zip);
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/^FAILED: /);
      expect(result.out).toContain(`  ${victim}: appears 2 times in the archive`);
    }
  });

  it.each([
    ["./", (name: string) => `./${name}`],
    ["backslashes", (name: string) => name.replaceAll("/", "\\")],
    ["a doubled slash", (name: string) => name.replace("runs/", "runs//")],
    ["a /./ segment", (name: string) => name.replace("runs/", "runs/./")],
  ])("fails on an entry spelled with %s, another name for an evidence file", async (_, spell) => {
    const alias = spell(victim);
    for (const zip of [rawZip([...entries(genuine), { name: alias, data: TAMPERED }]), rawZip([{ name: alias, data: TAMPERED }, ...entries(genuine)])]) {
      const result = await verifyZip(zip);
      expect(result.code).toBe(1);
      expect(result.out).toContain(`  ${alias}: another spelling of ${victim}`);
    }
  });

  it.each(["../findings.csv", "runs/../../findings.csv", "/etc/cron.d/x", "C:/Users/x.csv", "C:\\Users\\x.csv", "\\\\server\\share\\x"])(
    "fails on %s, which extracts outside the target folder",
    async (name) => {
      const result = await verifyZip(rawZip([...entries(genuine), { name, data: TAMPERED }]));
      expect(result.code).toBe(1);
      expect(result.out).toContain(`  ${name}: `);
      expect(result.out).toMatch(/outside the folder it is extracted to/);
    },
  );

  it.each(["README.txt", ".hidden", "__MACOSX/runs/._findings.csv", "runs/2026/11/notes.txt", `${"runs/2026/11/"}.findings.csv`, "runs/2026/index.json"])(
    "fails on %s, an entry verify does not check",
    async (name) => {
      const result = await verifyZip(rawZip([...entries(genuine), { name, data: TAMPERED }]));
      expect(result.code).toBe(1);
      expect(result.out).toMatch(new RegExp(`\\n  ${name.replaceAll(".", "\\.")}: not verified`));
    },
  );

  it("fails when two names differ only by case (one overwrites the other on Windows and macOS)", async () => {
    const upper = victim.replace("findings.csv", "FINDINGS.csv");
    const result = await verifyZip(rawZip([...entries(genuine), { name: upper, data: TAMPERED }]));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${upper}: the same file as ${victim} where case is ignored`);
  });

  it("prints entry names with their control characters escaped, so a name cannot rewrite the terminal", async () => {
    const name = "README\u001b[2K\rVERIFIED: 2 runs.txt";
    const result = await verifyZip(rawZip([...entries(genuine), { name, data: TAMPERED }]));
    expect(result.code).toBe(1);
    expect(result.out).toContain("  README\\u001b[2K\\u000dVERIFIED: 2 runs.txt: its name holds control characters: not verified");
    expect(result.out).not.toMatch(/[\u001b\r]/);
  });

  it("fails on a symbolic link entry", async () => {
    const result = await verifyZip(rawZip([...entries(genuine).filter((e) => e.name !== victim), { name: victim, data: new TextEncoder().encode("/etc/passwd"), unixMode: 0o120777 }]));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${victim}: a symbolic link`);
  });

  it("fails when an entry's local header names another file than the central directory", async () => {
    const other = `${evidence[1]!.prefix}findings.cs_`;
    const result = await verifyZip(rawZip(entries(genuine).map((e) => (e.name === victim ? { ...e, localName: other } : e))));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${victim}: its local header names it ${other}`);
  });

  it("fails when an Info-ZIP Unicode Path field gives an entry another name", async () => {
    const other = new TextEncoder().encode(`${evidence[1]!.prefix}findings.cs_`);
    const field = new DataView(new ArrayBuffer(9));
    field.setUint16(0, 0x7075, true);
    field.setUint16(2, 5 + other.length, true);
    field.setUint8(4, 1);
    const extra = joinChunks([new Uint8Array(field.buffer), other]);
    const result = await verifyZip(rawZip(entries(genuine).map((e) => (e.name === victim ? { ...e, extra } : e))));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${victim}: an Info-ZIP Unicode Path field renames it ${evidence[1]!.prefix}findings.cs_`);
  });

  it("fails when two central directory entries share one local entry", async () => {
    const other = `${evidence[1]!.prefix}inventory.csv`;
    const result = await verifyZip(rawZip(entries(genuine).filter((e) => e.name !== other).map((e) => (e.name === victim ? { ...e, alsoListedAs: other } : e))));
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  ${other}: its local header names it ${victim}`);
    expect(result.out).toMatch(new RegExp(`\\n  ${other.replaceAll(".", "\\.")}: shares bytes \\d+ to \\d+ with ${victim.replaceAll(".", "\\.")}\\n`));
  });

  it("refuses (exit 2) an entry whose local header declares another size than the central directory", async () => {
    const result = await verifyZip(rawZip(entries(genuine).map((e) => (e.name === victim ? { ...e, localDeclaredSize: 1 } : e))));
    expect(result.code).toBe(2);
    expect(result.err).toContain(`${victim}: its local header declares another size or CRC-32 than the central directory: the archive is damaged`);
  });

  it("fails when the archive holds an entry its central directory does not list", async () => {
    const result = await verifyZip(rawZip([...entries(genuine).slice(0, 3), { name: victim, data: TAMPERED, hidden: true }, ...entries(genuine).slice(3)]));
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/\n  \(archive\): bytes \d+ to \d+ belong to no entry of the central directory/);
  });
});

describe("keywarden verify on a ZIP: decompression limits", () => {
  const zeros = (n: number) => new Uint8Array(n);
  const bomb = (size: number, declaredSize?: number) => rawZip([...entries(genuine).filter((e) => e.name !== victim), { name: victim, data: zeros(size), declaredSize }]);

  it("refuses (exit 2) an entry declaring more than 512 MiB, before inflating anything", async () => {
    const result = await verifyZip(bomb(1000, 600 * MiB));
    expect(result.code).toBe(2);
    expect(result.out).toBe("");
    expect(result.err).toBe(`keywarden verify: ${join(dir, `period-${zips - 1}.zip`)}: ${victim} declares 600 MiB uncompressed, over the limit of 512 MiB per entry\n`);
  });

  it("refuses an archive whose entries declare more than the total limit, or hold too many entries", () => {
    const zip = bomb(3 * MiB);
    const total = readEvidenceZip(zip, { limits: { maxTotalBytes: 2 * MiB } });
    expect(total).toEqual({ ok: false, message: expect.stringMatching(/^the entries declare 3\.\d MiB uncompressed in total, over the limit of 2 MiB per archive/) });
    const count = readEvidenceZip(zip, { limits: { maxEntries: 5 } });
    expect(count).toEqual({ ok: false, message: `the archive holds ${genuine.length} entries, over the limit of 5 entries` });
    expect(readEvidenceZip(zip, { limits: { maxEntryBytes: 2 * MiB } })).toEqual({
      ok: false,
      message: `${victim} declares 3 MiB uncompressed, over the limit of 2 MiB per entry`,
    });
  });

  it("refuses an archive whose manifests, signatures and index, which verify holds in memory, declare more than that limit", () => {
    expect(readEvidenceZip(rawZip(entries(genuine)), { limits: { maxBytesInMemory: 1024 } })).toEqual({
      ok: false,
      message: expect.stringMatching(/^the files read whole \(manifest\.json, manifest\.sig, index\.json, index\.csv, period-manifest\.json, period-manifest\.sig\) declare \d+\.\d KiB, over the limit of 1 KiB together$/),
    });
  });

  it("stops inflating an entry that inflates past its declared size (declared sizes can lie)", async () => {
    const zip = bomb(16 * MiB, 100);
    expect(zip.length).toBeLessThan(64 * 1024);
    const result = await verifyZip(zip);
    expect(result.code).toBe(2);
    expect(result.err).toContain(`${victim} inflates to more than the 100 bytes its header declares`);
  });

  it("refuses (exit 2) a truncated archive, and an entry whose deflated data is corrupt", async () => {
    const zip = rawZip(entries(genuine));
    const truncated = await verifyZip(zip.subarray(0, zip.length - 30));
    expect(truncated.code).toBe(2);
    expect(truncated.err).toContain("no end-of-central-directory record: not a ZIP archive, or truncated");
    // 0xff: a final block of the reserved type 3.
    const corrupt = await verifyZip(rawZip(entries(genuine).map((e) => (e.name === victim ? { ...e, deflated: new Uint8Array([0xff, 0xff]) } : e))));
    expect(corrupt.code).toBe(2);
    expect(corrupt.err).toContain(`${victim} cannot be inflated (invalid block type): the archive is damaged`);
  });

  it("refuses an entry whose CRC-32 does not match its content", async () => {
    const result = await verifyZip(rawZip(entries(genuine).map((e) => (e.name === victim ? { ...e, crc: (crc32(e.data) ^ 1) >>> 0 } : e))));
    expect(result.code).toBe(2);
    expect(result.err).toContain(`${victim}: CRC-32 mismatch`);
  });
});
