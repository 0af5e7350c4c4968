/**
 * The index of a period ZIP is not evidence (neither hashed nor signed), but an
 * auditor reads it first: every entry must say what the runs' manifests say,
 * and index.csv must be the same table as index.json.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unzipSync, zipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { AuditRun } from "../../src/audit/types.js";
import { verifyCommand } from "../../src/cli/verify-command.js";
import { type RunEvidence, buildEvidenceZip, buildRunEvidence } from "../../src/report/evidence/index.js";
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
    counts: { admin_keys: 0, projects: 0, archived_projects: 0, project_keys: 2, users: 0, api_requests: 3, findings: { critical: 1, high: i, medium: 0, low: 0, info: 0, total: 1 + i } },
    findings: [],
    exemptions: [],
    exemption_notices: [],
    errors: [],
  };
}

let dir: string;
let evidence: RunEvidence[];
let entries: Record<string, Uint8Array>;
let zips = 0;
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const utf8 = (s: string) => new TextEncoder().encode(s);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-verify-index-"));
  evidence = [];
  let previous: string | null = null;
  for (let i = 0; i < 3; i++) {
    const ev = await buildRunEvidence({ run: auditRun(i), inventory: { keys: [], projects: [] }, policyText: POLICY, previousManifestSha256: previous, version: "0.1.0" });
    evidence.push(ev);
    previous = ev.manifestSha256;
  }
  const zip = buildEvidenceZip(
    evidence.map((ev) => ({ prefix: ev.prefix, files: Object.fromEntries(ev.files.map((f) => [f.name, f.content])) })),
    { from: "2026-11-01", to: "2026-11-30" },
  );
  entries = unzipSync(zip);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function verify(target: string): Promise<{ code: number; out: string }> {
  let out = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  try {
    return { code: await verifyCommand([target]), out };
  } finally {
    vi.restoreAllMocks();
  }
}

async function verifyEntries(changed: Record<string, Uint8Array>): Promise<{ code: number; out: string }> {
  const file = join(dir, `period-${zips++}.zip`);
  writeFileSync(file, zipSync({ ...entries, ...changed }));
  return verify(file);
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
    for (const [path, content] of Object.entries(entries)) {
      mkdirSync(join(root, "evidence-2026-11", path, ".."), { recursive: true });
      writeFileSync(join(root, "evidence-2026-11", path), content);
    }
    const result = await verify(root);
    expect(result.out).toMatch(/^VERIFIED: 3 runs/);
    expect(result.code).toBe(0);

    cpSync(join(root, "evidence-2026-11"), join(dir, "moved"), { recursive: true });
    rmSync(join(dir, "moved", "runs"), { recursive: true });
    cpSync(join(root, "evidence-2026-11", "runs"), join(dir, "moved", "elsewhere", "runs"), { recursive: true });
    const moved = await verify(join(dir, "moved"));
    expect(moved.code).toBe(1);
    expect(moved.out).toContain(`  run ${evidence[0]!.manifest.run.id}, index.json: its entry differs from the run's manifest in prefix`);
  });
});
