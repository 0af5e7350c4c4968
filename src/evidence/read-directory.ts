/**
 * A folder read for verification (Node only: the CLI). Like a ZIP's entries,
 * every file under it is either checked or named as not verified: hidden files
 * and folders included, symbolic links and other non-regular files named, not
 * followed. The one exception is file-manager metadata (`.DS_Store`,
 * `Thumbs.db`, `desktop.ini`), which Finder and Explorer write into any folder
 * opened: skipped, and named in a note.
 */
import { closeSync, type Dirent, openSync, readFileSync, readSync, readdirSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { checkEntryNames } from "./entry-names.js";
import { type EvidenceContent, type FileDigest, READ_WHOLE, StreamingDigest } from "./evidence-content.js";
import { type EvidenceTree, type UnverifiedEntry, assembleEvidenceTree, planEvidenceTree, plannedPaths } from "./evidence-tree.js";
import { compareText } from "./layout.js";
import { DEFAULT_ZIP_LIMITS, type ZipLimits, formatBytes } from "./zip-limits.js";

const FILE_MANAGER_METADATA: ReadonlySet<string> = new Set([".DS_Store", "Thumbs.db", "desktop.ini"]);
const READ_CHUNK = 1024 * 1024;

export type DirectoryRead = { ok: true; tree: EvidenceTree } | { ok: false; message: string };

/** The limit on the files read whole applies here too; other files are hashed in chunks, whatever their size. */
export function readEvidenceDirectory(root: string, limits: Pick<ZipLimits, "maxBytesInMemory"> = DEFAULT_ZIP_LIMITS): DirectoryRead {
  const unverified: UnverifiedEntry[] = [];
  const ignored: string[] = [];
  const files: string[] = [];
  const entries = readdirSync(root, { recursive: true, withFileTypes: true }).map((entry) => ({ entry, path: relative(root, join(entry.parentPath, entry.name)).split(sep).join("/") }));
  for (const { entry, path } of entries.sort((a, b) => compareText(a.path, b.path))) {
    if (entry.isDirectory()) continue;
    if (entry.isFile() && FILE_MANAGER_METADATA.has(entry.name)) ignored.push(path);
    else if (entry.isFile()) files.push(path);
    else unverified.push({ path, message: notAFile(entry) });
  }

  const { accepted, problems } = checkEntryNames(files);
  unverified.push(...problems);
  const plan = planEvidenceTree(files.filter((_, i) => accepted[i]));
  const planned = plannedPaths(plan).map((path) => ({ path, full: join(root, ...path.split("/")), whole: READ_WHOLE.has(path.slice(path.lastIndexOf("/") + 1)) }));
  const held = planned.reduce((n, p) => n + (p.whole ? statSync(p.full).size : 0), 0);
  if (held > limits.maxBytesInMemory) {
    return { ok: false, message: `the files read whole (manifest.json, manifest.sig, index.json, index.csv, period-manifest.json, period-manifest.sig) are ${formatBytes(held)}, over the limit of ${formatBytes(limits.maxBytesInMemory)} together` };
  }
  const contents = new Map<string, EvidenceContent>(planned.map(({ path, full, whole }) => [path, whole ? readFileSync(full) : hashFile(full)]));
  return { ok: true, tree: assembleEvidenceTree(plan, contents, unverified, ignored) };
}

function notAFile(entry: Dirent): string {
  return entry.isSymbolicLink()
    ? "a symbolic link: not followed, so not verified (verify the folder or file it points to instead)"
    : "not a regular file: not verified";
}

function hashFile(path: string): FileDigest {
  const digest = new StreamingDigest();
  const buffer = new Uint8Array(READ_CHUNK);
  const fd = openSync(path, "r");
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) digest.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return digest.digest();
}
