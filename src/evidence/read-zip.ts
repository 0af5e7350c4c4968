/**
 * A period ZIP read for verification: every entry of its central directory is
 * accounted for (duplicates, other spellings, unsafe paths, links and files
 * that are not evidence are named, never silently dropped), and only the
 * entries verify checks are inflated, within the limits: declared sizes are
 * checked before anything is inflated, and no entry inflates past its own.
 */
import { checkEntryNames, printableName } from "./entry-names.js";
import { type EvidenceContent, type FileDigest, READ_WHOLE, StreamingDigest, joinChunks } from "./evidence-content.js";
import { type EvidenceTree, type UnverifiedEntry, assembleEvidenceTree, planEvidenceTree, plannedPaths } from "./evidence-tree.js";
import { type ZipEntry, listZipEntries } from "./zip-directory.js";
import { inflateEntry } from "./zip-inflate.js";
import { DEFAULT_ZIP_LIMITS, type ZipLimits, ZipReadError, formatBytes } from "./zip-limits.js";

export interface ReadZipOptions {
  /** Lower (or raise) the decompression limits; the rest keep DEFAULT_ZIP_LIMITS. */
  limits?: Partial<ZipLimits>;
}

export type ZipRead = { ok: true; tree: EvidenceTree } | { ok: false; message: string };

export function readEvidenceZip(bytes: Uint8Array, opts: ReadZipOptions = {}): ZipRead {
  const limits = { ...DEFAULT_ZIP_LIMITS, ...opts.limits };
  try {
    return { ok: true, tree: readTree(bytes, limits) };
  } catch (error) {
    if (error instanceof ZipReadError) return { ok: false, message: error.message };
    throw error;
  }
}

function readTree(bytes: Uint8Array, limits: ZipLimits): EvidenceTree {
  const listing = listZipEntries(bytes, limits);
  const unverified: UnverifiedEntry[] = [...listing.problems];
  const { accepted, problems } = checkEntryNames(listing.entries.map((e) => e.name));
  unverified.push(...problems);

  const files = new Map<string, ZipEntry>();
  listing.entries.forEach((entry, i) => {
    const problem = entryProblem(entry);
    if (problem) unverified.push({ path: printableName(entry.name), message: problem });
    else if (accepted[i] && !entry.name.endsWith("/")) files.set(entry.name, entry);
  });

  const plan = planEvidenceTree([...files.keys()]);
  const planned = plannedPaths(plan).map((path) => ({ path, entry: files.get(path) as ZipEntry, whole: READ_WHOLE.has(basename(path)) }));
  // Inflating never goes past an entry's declared size (inflateEntry), so the declared sizes bound everything read.
  const held = planned.reduce((n, p) => n + (p.whole ? p.entry.size : 0), 0);
  if (held > limits.maxBytesInMemory) {
    throw new ZipReadError(`the files read whole (manifest.json, manifest.sig, index.json, index.csv, period-manifest.json, period-manifest.sig) declare ${formatBytes(held)}, over the limit of ${formatBytes(limits.maxBytesInMemory)} together`);
  }
  const contents = new Map<string, EvidenceContent>();
  for (const { path, entry, whole } of planned) contents.set(path, whole ? readWhole(bytes, entry) : digestEntry(bytes, entry));
  return assembleEvidenceTree(plan, contents, unverified);
}

/** What makes an extractor create something else than the entry verify would read. */
function entryProblem(entry: ZipEntry): string | null {
  if (entry.symlink) return "a symbolic link: extractors create a link, not the file verify would read, so it is not verified";
  if (entry.localName !== null) return `its local header names it ${printableName(entry.localName)}: extractors that read the archive front to back create that file instead, so it is not verified`;
  if (entry.unicodeName !== null) return `an Info-ZIP Unicode Path field renames it ${printableName(entry.unicodeName)} for extractors that honour it, so it is not verified`;
  return null;
}

function readWhole(archive: Uint8Array, entry: ZipEntry): Uint8Array {
  const chunks: Uint8Array[] = [];
  inflateEntry(archive, entry, (chunk) => chunks.push(chunk));
  return joinChunks(chunks);
}

function digestEntry(archive: Uint8Array, entry: ZipEntry): FileDigest {
  const digest = new StreamingDigest();
  inflateEntry(archive, entry, (chunk) => digest.update(chunk));
  return digest.digest();
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}
