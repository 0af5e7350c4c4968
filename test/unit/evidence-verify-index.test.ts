/**
 * The index of a period ZIP is not evidence of a run (the period manifest fixes its bytes), but an
 * auditor reads it first: every entry must say what the runs' manifests say,
 * and index.csv must be the same table as index.json.
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunEvidence } from "../../src/evidence/index.js";
import { buildPeriod, extractEntries, runVerify, weeklyAuditRun } from "../support/evidence-fixture.js";

let dir: string;
let evidence: RunEvidence[];
let entries: Record<string, Uint8Array>;
let zips = 0;
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const utf8 = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-verify-index-"));
  // Runs with findings and keys, so that the index has counts to contradict.
  const auditRun = (i: number) => {
    const run = weeklyAuditRun(i);
    return { ...run, counts: { ...run.counts, project_keys: 2, findings: { critical: 1, high: i, medium: 0, low: 0, info: 0, total: 1 + i } } };
  };
  ({ evidence, entries } = await buildPeriod({ runs: 3, auditRun }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verifyEntries(changed: Record<string, Uint8Array>) {
  const file = join(dir, `period-${zips++}.zip`);
  writeFileSync(file, zipSync({ ...entries, ...changed }));
  return runVerify(file);
}

describe("keywarden verify on a period's index", () => {
  it("fails when index.csv says other than the runs (a findings count lowered)", async () => {
    const id = evidence[2]!.manifest.run.id;
    const csv = text(entries["index.csv"]);
    const line = csv.split("\r\n").findIndex((l) => l.startsWith(`${id},`));
    const edited = csv.replace(new RegExp(`^(${id},[^,]*,[^,]*,[^,]*,[^,]*,[^,]*,)3,`, "m"), "$10,");
    expect(edited).not.toBe(csv);
    const result = await verifyEntries({ "index.csv": utf8(edited) });
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  index.csv: line ${line + 1} differs from the index of the runs present`);
  });

  it("fails when an entry of index.json says other than its run's manifest", async () => {
    const index = JSON.parse(text(entries["index.json"]));
    index.runs[1].status = "complete, reviewed";
    index.runs[1].findings.critical = 0;
    const result = await verifyEntries({ "index.json": utf8(`${JSON.stringify(index, null, 2)}\n`) });
    expect(result.code).toBe(1);
    expect(result.out).toContain(`  run ${evidence[1]!.manifest.run.id}, index.json: its entry differs from the run's manifest in status, findings`);
  });

  it("fails when index.json lists the runs out of chain order", async () => {
    const index = JSON.parse(text(entries["index.json"]));
    index.runs.reverse();
    const result = await verifyEntries({ "index.json": utf8(`${JSON.stringify(index, null, 2)}\n`) });
    expect(result.code).toBe(1);
    expect(result.out).toContain("  index.json: lists the runs out of chain order");
  });

  it("verifies the extracted period inside another folder: prefixes are relative to the index", async () => {
    const root = join(dir, "auditor");
    extractEntries(join(root, "evidence-2026-11"), entries);
    const result = await runVerify(root);
    expect(result.out).toMatch(/^VERIFIED: 3 runs/);
    expect(result.code).toBe(0);

    cpSync(join(root, "evidence-2026-11"), join(dir, "moved"), { recursive: true });
    rmSync(join(dir, "moved", "runs"), { recursive: true });
    cpSync(join(root, "evidence-2026-11", "runs"), join(dir, "moved", "elsewhere", "runs"), { recursive: true });
    const moved = await runVerify(join(dir, "moved"));
    expect(moved.code).toBe(1);
    expect(moved.out).toContain(`  run ${evidence[0]!.manifest.run.id}, index.json: its entry differs from the run's manifest in prefix`);
  });
});
