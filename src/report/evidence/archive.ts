/**
 * The period export (one ZIP: every run's files under its prefix, plus
 * index.json and index.csv) and the reverse: any set of paths, from a ZIP or a
 * directory walk, grouped into runs for verification.
 */
import { type Zippable, unzipSync, zipSync } from "fflate";
import { INDEX_CSV, INDEX_JSON, MANIFEST_FILE, compareText } from "./layout.js";
import { indexCsv, indexEntries, indexJson } from "./period-index.js";

export interface StoredRun {
  /** `runs/<yyyy>/<mm>/<run id>/` */
  prefix: string;
  /** File name → bytes, exactly as stored. */
  files: Record<string, Uint8Array>;
}

export interface EvidenceTree {
  /** Directory prefix (`runs/2026/11/run_x/`, or `` for a single run at the root) → its files. */
  runs: Map<string, Record<string, Uint8Array>>;
  /** index.json of a period export, when there is one. */
  index: Uint8Array | null;
  /** Directories holding files but no manifest.json. */
  orphans: { dir: string; files: string[] }[];
}

// fflate stamps entries with the local-time fields of this date: built from local fields, it is the same everywhere.
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

/** A run of the period that has no stored evidence: listed in the index, so the gap is visible. */
export interface RunWithoutEvidence {
  id: string;
  started_at: string;
  status: string;
  reason: string;
}

export function buildEvidenceZip(runs: readonly StoredRun[], period: { from: string; to: string }, withoutEvidence: readonly RunWithoutEvidence[] = []): Uint8Array {
  const entries = indexEntries(runs);
  const files: Record<string, Uint8Array> = {};
  for (const run of runs) {
    for (const [name, content] of Object.entries(run.files)) files[`${run.prefix}${name}`] = content;
  }
  files[INDEX_JSON] = new TextEncoder().encode(indexJson(entries, period, withoutEvidence));
  files[INDEX_CSV] = new TextEncoder().encode(indexCsv(entries));
  const zippable: Zippable = {};
  for (const path of Object.keys(files).sort(compareText)) zippable[path] = files[path] as Uint8Array;
  return zipSync(zippable, { level: 6, mtime: FIXED_MTIME });
}

export type ZipRead = { ok: true; tree: EvidenceTree } | { ok: false; message: string };

export function readEvidenceZip(bytes: Uint8Array): ZipRead {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (error) {
    return { ok: false, message: `not a readable ZIP archive (${(error as Error).message})` };
  }
  return { ok: true, tree: groupEvidencePaths(entries) };
}

/**
 * Every directory holding a manifest.json is a run; index.json found outside
 * any run is the period index; hidden files (`.DS_Store`, `__MACOSX/`) are ignored.
 */
export function groupEvidencePaths(entries: Record<string, Uint8Array>): EvidenceTree {
  const dirs = new Map<string, Record<string, Uint8Array>>();
  for (const [rawPath, content] of Object.entries(entries)) {
    const path = rawPath.replaceAll("\\", "/").replace(/^(\.\/|\/)+/, "");
    if (path === "" || path.endsWith("/")) continue;
    const parts = path.split("/");
    if (parts.some((p) => p.startsWith(".") || p === "__MACOSX")) continue;
    const slash = path.lastIndexOf("/");
    const dir = path.slice(0, slash + 1);
    const name = path.slice(slash + 1);
    const files = dirs.get(dir) ?? {};
    files[name] = content;
    dirs.set(dir, files);
  }

  const tree: EvidenceTree = { runs: new Map(), index: null, orphans: [] };
  let indexDepth = Infinity;
  for (const dir of [...dirs.keys()].sort(compareText)) {
    const files = dirs.get(dir) ?? {};
    if (files[MANIFEST_FILE]) {
      tree.runs.set(dir, files);
      continue;
    }
    const rest = Object.keys(files).filter((name) => name !== INDEX_JSON && name !== INDEX_CSV);
    const depth = dir.split("/").length;
    const index = files[INDEX_JSON];
    if (index && depth < indexDepth) {
      tree.index = index;
      indexDepth = depth;
    }
    if (rest.length > 0) tree.orphans.push({ dir, files: rest.sort(compareText) });
  }
  return tree;
}
