/**
 * Which files of a ZIP or a folder verify checks, decided from their paths
 * alone (before anything is inflated or read): every folder holding a
 * manifest.json is a run, all of whose files are checked; index.json,
 * index.csv, period-manifest.json and period-manifest.sig in the top folder
 * without a run are the period export's own files; the files derived from the
 * runs for people (DERIVED_FILES) are accepted next to them; evidence files in
 * a folder without a manifest are a run whose manifest went missing. Anything
 * else is not verified, and fails verification: what an auditor extracts must
 * be exactly what was verified.
 */
import type { EvidenceContent } from "./evidence-content.js";
import { EVIDENCE_FILE_NAMES, INDEX_CSV, INDEX_JSON, MANIFEST_FILE, PERIOD_MANIFEST_FILE, PERIOD_SIGNATURE_FILE, compareText } from "./layout.js";

/** An entry verify did not check, and why: any makes verification fail. */
export interface UnverifiedEntry {
  path: string;
  message: string;
}

/**
 * Files of a period export derived from its runs for people and spreadsheets: the report
 * (report.html) and the per-control summary (controls-summary.json, .csv). They are not evidence
 * of a run, and verify does not re-render them (it holds only the digests of the runs' data files,
 * and a check against this version's renderer would fail every older export after any change to
 * the page): period-manifest.json fixes their SHA-256, and verify checks that. They are accepted
 * only by these names, only next to the index (the top of the export), once; anywhere else they
 * fail like any other stray file.
 */
export const DERIVED_FILES: ReadonlySet<string> = new Set(["report.html", "controls-summary.json", "controls-summary.csv"]);

/** The files at the top of a period export that verify reads whole or hashes: the index, the period manifest and its signature. */
const EXPORT_FILES: ReadonlySet<string> = new Set([INDEX_JSON, INDEX_CSV, PERIOD_MANIFEST_FILE, PERIOD_SIGNATURE_FILE]);

export interface EvidenceTree {
  /** Directory prefix (`runs/2026/11/run_x/`, or `` for a single run at the root) → its files. */
  runs: Map<string, Record<string, EvidenceContent>>;
  /** index.json of a period export, when there is one. */
  index: Uint8Array | null;
  /** index.csv next to it, when there is one. */
  indexCsv: Uint8Array | null;
  /** The folder holding the index (`` at the top). */
  indexDir: string;
  /** Directories holding evidence files but no manifest.json. */
  orphans: { dir: string; files: string[] }[];
  /** Entries not checked (unsafe or ambiguous names, files that are not evidence, links): each fails verification. */
  unverified: UnverifiedEntry[];
  /** File-manager metadata skipped in a folder (`.DS_Store`, `Thumbs.db`), named in a note. */
  ignored: string[];
  /** Derived files next to the index (DERIVED_FILES), path → digest: checked against the period manifest. */
  derived: Map<string, EvidenceContent>;
  /** period-manifest.json next to the index, when there is one. */
  periodManifest: Uint8Array | null;
  /** period-manifest.sig next to it, when there is one. */
  periodSignature: Uint8Array | null;
}

export interface TreePlan {
  /** Run directory → the names of its files. */
  runs: Map<string, string[]>;
  indexJson: string | null;
  indexCsv: string | null;
  periodManifest: string | null;
  periodSignature: string | null;
  orphans: { dir: string; files: string[] }[];
  unverified: UnverifiedEntry[];
  derived: string[];
}

const NOT_EVIDENCE = "not verified: verify checks only the files of runs (folders holding a manifest.json) and of a period export (index.json, index.csv, period-manifest.json, period-manifest.sig, report.html, controls-summary.*)";

/** Plans the tree of these file paths (canonical, unique, no folders). */
export function planEvidenceTree(paths: readonly string[]): TreePlan {
  const dirs = new Map<string, string[]>();
  for (const path of paths) {
    const slash = path.lastIndexOf("/");
    const dir = path.slice(0, slash + 1);
    const names = dirs.get(dir) ?? [];
    names.push(path.slice(slash + 1));
    dirs.set(dir, names);
  }
  const sorted = [...dirs.keys()].sort(compareText);
  const isExportFile = (name: string) => EXPORT_FILES.has(name);
  const indexDir = sorted
    .filter((dir) => !dirs.get(dir)?.includes(MANIFEST_FILE) && dirs.get(dir)?.some(isExportFile))
    .reduce<string | null>((best, dir) => (best === null || depth(dir) < depth(best) ? dir : best), null);

  const plan: TreePlan = { runs: new Map(), indexJson: null, indexCsv: null, periodManifest: null, periodSignature: null, orphans: [], unverified: [], derived: [] };
  for (const dir of sorted) {
    const names = (dirs.get(dir) ?? []).sort(compareText);
    if (names.includes(MANIFEST_FILE)) {
      plan.runs.set(dir, names);
      continue;
    }
    const orphaned: string[] = [];
    for (const name of names) {
      if (dir === indexDir && name === INDEX_JSON) plan.indexJson = `${dir}${name}`;
      else if (dir === indexDir && name === INDEX_CSV) plan.indexCsv = `${dir}${name}`;
      else if (dir === indexDir && name === PERIOD_MANIFEST_FILE) plan.periodManifest = `${dir}${name}`;
      else if (dir === indexDir && name === PERIOD_SIGNATURE_FILE) plan.periodSignature = `${dir}${name}`;
      else if (isExportFile(name)) plan.unverified.push({ path: `${dir}${name}`, message: `not verified: only the period export's files at ${indexDir || "./"} are checked` });
      else if (dir === indexDir && DERIVED_FILES.has(name)) plan.derived.push(`${dir}${name}`);
      else if (DERIVED_FILES.has(name)) plan.unverified.push({ path: `${dir}${name}`, message: derivedElsewhere(indexDir) });
      else if (EVIDENCE_FILE_NAMES.has(name)) orphaned.push(name);
      else plan.unverified.push({ path: `${dir}${name}`, message: NOT_EVIDENCE });
    }
    if (orphaned.length > 0) plan.orphans.push({ dir, files: orphaned });
  }
  return plan;
}

function derivedElsewhere(indexDir: string | null): string {
  return indexDir === null
    ? "not verified: a file derived from the runs is accepted only next to the period index and manifest (index.json, period-manifest.json), and there is none"
    : `not verified: a file derived from the runs is accepted only next to the period index, at ${indexDir || "./"}`;
}

/** Every path whose content verify needs: the runs' files and the period export's own files. */
export function plannedPaths(plan: TreePlan): string[] {
  const paths = [...plan.runs].flatMap(([dir, names]) => names.map((name) => `${dir}${name}`));
  for (const file of [plan.indexJson, plan.indexCsv, plan.periodManifest, plan.periodSignature]) if (file !== null) paths.push(file);
  return [...paths, ...plan.derived];
}

/** The tree, with the content read for every planned path. */
export function assembleEvidenceTree(plan: TreePlan, contents: ReadonlyMap<string, EvidenceContent>, unverified: readonly UnverifiedEntry[], ignored: readonly string[] = []): EvidenceTree {
  const bytes = (path: string | null) => {
    const content = path === null ? undefined : contents.get(path);
    return content && ArrayBuffer.isView(content) ? content : null;
  };
  const runs = new Map<string, Record<string, EvidenceContent>>();
  for (const [dir, names] of plan.runs) {
    const files: Record<string, EvidenceContent> = {};
    for (const name of names) {
      const content = contents.get(`${dir}${name}`);
      if (content) files[name] = content;
    }
    runs.set(dir, files);
  }
  return {
    runs,
    index: bytes(plan.indexJson),
    indexCsv: bytes(plan.indexCsv),
    indexDir: dirOf(plan.indexJson ?? plan.indexCsv ?? plan.periodManifest ?? plan.periodSignature ?? ""),
    orphans: plan.orphans,
    unverified: [...unverified, ...plan.unverified],
    ignored: [...ignored],
    derived: new Map(plan.derived.flatMap((path) => {
      const content = contents.get(path);
      return content ? [[path, content] as const] : [];
    })),
    periodManifest: bytes(plan.periodManifest),
    periodSignature: bytes(plan.periodSignature),
  };
}

function dirOf(path: string): string {
  return path.slice(0, path.lastIndexOf("/") + 1);
}

function depth(dir: string): number {
  return dir.split("/").length;
}
