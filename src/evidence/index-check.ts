/**
 * The period index against the runs present. The index is not evidence of a run
 * (the period manifest fixes its bytes), but it is what an auditor reads first: each entry must say
 * exactly what Keywarden derives from the run's manifest, in chain order, and
 * index.csv must be the same table. Only `period` and `runs_without_evidence`
 * cannot be derived from the runs: each run without evidence fails, but for a
 * run recorded as failed before it could write any (a note).
 */
import { z } from "zod";
import { MANIFEST_FILE, SIGNATURE_FILE } from "./layout.js";
import { type IndexEntry, indexCsv, indexEntries } from "./period-index.js";
import type { VerifyProblem } from "./verify-problem.js";
import { failedBeforeEvidence } from "./without-evidence.js";

/** A run present, in chain order. */
export interface IndexedRun {
  id: string;
  prefix: string;
  manifestBytes: Uint8Array;
  sha256: string;
  signed: boolean;
}

export interface IndexFiles {
  json: Uint8Array | null;
  csv: Uint8Array | null;
  /** The folder holding the index: run prefixes in the index are relative to it. */
  dir: string;
}

const indexSchema = z.object({
  runs: z.array(z.looseObject({ id: z.string(), manifest_sha256: z.string().nullable() })),
  runs_without_evidence: z.array(z.object({ id: z.string(), status: z.string(), reason: z.string(), failed_before_evidence: z.boolean().optional() })).optional(),
});

export function checkIndex(index: IndexFiles, runs: readonly IndexedRun[], notes: string[] = []): VerifyProblem[] {
  const expected = new Map(runs.map((run) => [run.id, expectedEntry(run, index.dir)]));
  if (!index.json) return index.csv ? checkCsv(index.csv, [...expected.values()]) : [];
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(index.json));
  } catch {
    return [{ file: "index.json", message: "not valid JSON" }];
  }
  const parsed = indexSchema.safeParse(value);
  if (!parsed.success) return [{ file: "index.json", message: "not a Keywarden evidence index" }];
  const listed = (value as { runs: Record<string, unknown>[] }).runs;

  const problems: VerifyProblem[] = [];
  const present = new Map(runs.map((r) => [r.id, r]));
  parsed.data.runs.forEach((entry, i) => {
    const run = present.get(entry.id);
    if (!run) problems.push({ run: entry.id, file: "index.json", message: "listed in the index, but its evidence is missing" });
    else if (entry.manifest_sha256 !== run.sha256) {
      problems.push({ run: entry.id, file: "index.json", message: `the index lists manifest ${entry.manifest_sha256}, but manifest.json hashes to ${run.sha256}` });
    } else {
      const differing = differingFields(listed[i] ?? {}, expected.get(entry.id) as IndexEntry);
      if (differing.length > 0) problems.push({ run: entry.id, file: "index.json", message: `its entry differs from the run's manifest in ${differing.join(", ")}` });
    }
  });
  const listedIds = new Set(parsed.data.runs.map((e) => e.id));
  for (const run of runs) {
    if (!listedIds.has(run.id)) problems.push({ run: run.id, file: "index.json", message: "present, but not listed in the index" });
  }
  const order = parsed.data.runs.map((e) => e.id).filter((id) => present.has(id));
  if (order.join("\n") !== runs.map((r) => r.id).filter((id) => listedIds.has(id)).join("\n")) {
    problems.push({ file: "index.json", message: "lists the runs out of chain order (by start time)" });
  }
  // A run of the period that left no evidence is a gap in the record, unless it failed before it could write any.
  for (const gap of parsed.data.runs_without_evidence ?? []) {
    if (failedBeforeEvidence(gap)) {
      notes.push(`run ${gap.id} failed before it could write evidence (recorded so, not a gap): ${gap.reason}`);
      continue;
    }
    const said = gap.failed_before_evidence === true ? `, recorded as failed before evidence although it is ${gap.status}` : "";
    problems.push({ run: gap.id, file: "index.json", message: `run ${gap.id} (${gap.status}) has no stored evidence${said}: ${gap.reason}` });
  }
  // index.csv is the table of index.json, entries of missing runs (already failures) as listed.
  if (index.csv) problems.push(...checkCsv(index.csv, listed.map((entry) => expected.get(String(entry.id)) ?? (entry as unknown as IndexEntry))));
  return problems;
}

/** What Keywarden writes in the index for this run. */
function expectedEntry(run: IndexedRun, indexDir: string): IndexEntry {
  const files: Record<string, Uint8Array> = { [MANIFEST_FILE]: run.manifestBytes };
  if (run.signed) files[SIGNATURE_FILE] = new Uint8Array();
  const prefix = run.prefix.startsWith(indexDir) ? run.prefix.slice(indexDir.length) : run.prefix;
  return indexEntries([{ prefix, files }])[0] as IndexEntry;
}

function differingFields(listed: Record<string, unknown>, expected: IndexEntry): string[] {
  const fields = new Set([...Object.keys(expected), ...Object.keys(listed)]);
  return [...fields].filter((field) => JSON.stringify(listed[field]) !== JSON.stringify((expected as unknown as Record<string, unknown>)[field]));
}

function checkCsv(csv: Uint8Array, entries: readonly IndexEntry[]): VerifyProblem[] {
  const actual = new TextDecoder().decode(csv).split("\r\n");
  const wanted = indexCsv(entries).split("\r\n");
  const line = wanted.findIndex((expectedLine, i) => actual[i] !== expectedLine);
  if (line < 0 && actual.length === wanted.length) return [];
  const at = line < 0 ? wanted.length : line;
  return [{ file: "index.csv", message: `line ${at + 1} differs from the index of the runs present: ${JSON.stringify(actual[at] ?? "(end of file)")}, expected ${JSON.stringify(wanted[at] ?? "(end of file)")}` }];
}
