/**
 * The structure of a ZIP, read without trusting it: every entry of the central
 * directory (a name may appear twice; fflate's unzip would silently keep one),
 * the name its local header gives it, and the bytes no entry accounts for.
 * Plain ZIP only (one disk, no ZIP64, no encryption, stored or deflated), which
 * is what Keywarden writes. Declared sizes are checked against the limits here,
 * before anything is inflated.
 */
import { printableName } from "./entry-names.js";
import { type ZipLimits, ZipReadError, formatBytes } from "./zip-limits.js";

export interface ZipEntry {
  /** The name in the central directory, which most extractors use. */
  name: string;
  method: 0 | 8;
  crc32: number;
  compressedSize: number;
  /** Declared uncompressed size. */
  size: number;
  /** Where the compressed bytes start. */
  dataOffset: number;
  /** A Unix symbolic link (external attributes): extractors create a link, not a file. */
  symlink: boolean;
  /** The local header's name, when it differs: what extractors reading the archive front to back create. */
  localName: string | null;
  /** The name of an Info-ZIP Unicode Path field, when it differs: what extractors honouring it create. */
  unicodeName: string | null;
}

/** Bytes of the archive that extractors may read differently from the central directory. */
export interface LayoutProblem {
  path: string;
  message: string;
}

export interface ZipListing {
  entries: ZipEntry[];
  problems: LayoutProblem[];
}

const END = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const ZIP64_LOCATOR = 0x07064b50;
const UNICODE_PATH = 0x7075;
const UTF8_FLAG = 0x800;
const DESCRIPTOR_FLAG = 0x8;
const UNIX = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

const ZIP64 = "a ZIP64 archive, which Keywarden never writes: extract it and verify the folder";
const damaged = (what: string) => new ZipReadError(`${what}: the archive is damaged`);

/** Every central-directory entry, in order. Throws ZipReadError when the archive cannot be read or declares more than the limits. */
export function listZipEntries(bytes: Uint8Array, limits: ZipLimits): ZipListing {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);

  const end = findEnd(bytes, view);
  const count = u16(end + 10);
  const centralSize = u32(end + 12);
  const centralOffset = u32(end + 16);
  if ((end >= 20 && u32(end - 20) === ZIP64_LOCATOR) || count === 0xffff || centralSize === 0xffffffff || centralOffset === 0xffffffff) throw new ZipReadError(ZIP64);
  if (u16(end + 4) !== 0 || u16(end + 6) !== 0 || u16(end + 8) !== count) throw new ZipReadError("an archive split over several disks: not supported");
  if (count > limits.maxEntries) throw new ZipReadError(`the archive holds ${count} entries, over the limit of ${limits.maxEntries} entries`);
  if (centralOffset + centralSize !== end) throw damaged(`the central directory (${centralSize} bytes at offset ${centralOffset}) does not end where the end record starts (offset ${end})`);

  const entries: (ZipEntry & { localOffset: number })[] = [];
  let total = 0;
  let at = centralOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || u32(at) !== CENTRAL) throw damaged(`entry ${i + 1} of ${count} of the central directory is unreadable`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const next = at + 46 + nameLength + extraLength + u16(at + 32);
    if (next > end) throw damaged(`entry ${i + 1} of ${count} of the central directory runs past its end`);
    const name = decodeName(bytes.subarray(at + 46, at + 46 + nameLength), flags);
    const shown = printableName(name);
    const compressedSize = u32(at + 20);
    const size = u32(at + 24);
    const localOffset = u32(at + 42);
    if (flags & 1) throw new ZipReadError(`${shown} is encrypted, which Keywarden never does`);
    if (method !== 0 && method !== 8) throw new ZipReadError(`${shown} uses compression method ${method}; only stored (0) and deflated (8) are read`);
    if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) throw new ZipReadError(ZIP64);
    if (size > limits.maxEntryBytes) {
      throw new ZipReadError(`${shown} declares ${formatBytes(size)} uncompressed, over the limit of ${formatBytes(limits.maxEntryBytes)} per entry`);
    }
    total += size;
    const unicodeName = unicodePathName(bytes.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength));
    const external = u32(at + 38);
    entries.push({
      name,
      method,
      crc32: u32(at + 16),
      compressedSize,
      size,
      dataOffset: 0,
      symlink: u16(at + 4) >> 8 === UNIX && ((external >>> 16) & S_IFMT) === S_IFLNK,
      localName: null,
      unicodeName: unicodeName !== null && unicodeName !== name ? unicodeName : null,
      localOffset,
    });
    at = next;
  }
  if (at !== end) throw damaged(`the central directory holds more than the ${count} entries the end record counts`);
  if (total > limits.maxTotalBytes) {
    throw new ZipReadError(`the entries declare ${formatBytes(total)} uncompressed in total, over the limit of ${formatBytes(limits.maxTotalBytes)} per archive: verify a shorter period`);
  }

  const spans: { from: number; to: number; name: string }[] = [];
  for (const entry of entries) spans.push(readLocalHeader(bytes, view, entry, centralOffset));
  return { entries: entries.map(({ localOffset: _, ...entry }) => entry), problems: unaccountedBytes(spans, centralOffset) };
}

/** The end record: the last one whose comment runs exactly to the end of the file. */
function findEnd(bytes: Uint8Array, view: DataView): number {
  for (let at = bytes.length - 22; at >= Math.max(0, bytes.length - 22 - 0xffff); at--) {
    if (view.getUint32(at, true) === END && at + 22 + view.getUint16(at + 20, true) === bytes.length) return at;
  }
  throw new ZipReadError("no end-of-central-directory record: not a ZIP archive, or truncated");
}

/** Fills in the entry's data offset and local name; returns the bytes its local record spans. */
function readLocalHeader(bytes: Uint8Array, view: DataView, entry: ZipEntry & { localOffset: number }, centralOffset: number): { from: number; to: number; name: string } {
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const at = entry.localOffset;
  const shown = printableName(entry.name);
  if (at + 30 > centralOffset || u32(at) !== LOCAL) throw damaged(`${shown}: no local header at offset ${at}`);
  const flags = u16(at + 6);
  const nameLength = u16(at + 26);
  const extraLength = u16(at + 28);
  entry.dataOffset = at + 30 + nameLength + extraLength;
  const localName = decodeName(bytes.subarray(at + 30, at + 30 + nameLength), flags);
  if (localName !== entry.name) entry.localName = localName;
  const localUnicode = unicodePathName(bytes.subarray(at + 30 + nameLength, entry.dataOffset));
  if (localUnicode !== null && localUnicode !== entry.name) entry.unicodeName ??= localUnicode;
  if (u16(at + 8) !== entry.method) throw damaged(`${shown}: its local header gives another compression method than the central directory`);
  const declares = (p: number) => u32(p) === entry.crc32 && u32(p + 4) === entry.compressedSize && u32(p + 8) === entry.size;
  let to = entry.dataOffset + entry.compressedSize;
  if (flags & DESCRIPTOR_FLAG) {
    const signed = to + 4 <= centralOffset && u32(to) === DESCRIPTOR;
    const fields = signed ? to + 4 : to;
    if (fields + 12 > centralOffset || !declares(fields)) throw damaged(`${shown}: its data descriptor disagrees with the central directory`);
    to = fields + 12;
  } else if (!declares(at + 14)) {
    throw damaged(`${shown}: its local header declares another size or CRC-32 than the central directory`);
  }
  if (to > centralOffset) throw damaged(`${shown}: its data runs into the central directory`);
  return { from: at, to, name: entry.name };
}

/** Bytes before the central directory that belong to no entry, or to two: extractors reading front to back would see other files. */
function unaccountedBytes(spans: { from: number; to: number; name: string }[], centralOffset: number): LayoutProblem[] {
  const problems: LayoutProblem[] = [];
  const stray = (from: number, to: number) =>
    problems.push({ path: "(archive)", message: `bytes ${from} to ${to - 1} belong to no entry of the central directory: a hidden entry, or data some extractors read as one` });
  let cursor = 0;
  let previous: { from: number; name: string } | null = null;
  for (const span of [...spans].sort((a, b) => a.from - b.from || a.to - b.to)) {
    if (span.from > cursor) stray(cursor, span.from);
    else if (previous && span.from < cursor) {
      problems.push({ path: printableName(span.name), message: `shares bytes ${span.from} to ${Math.min(cursor, span.to) - 1} with ${printableName(previous.name)}` });
    }
    cursor = Math.max(cursor, span.to);
    previous = span;
  }
  if (cursor < centralOffset) stray(cursor, centralOffset);
  return problems;
}

/** UTF-8 when the entry says so, else each byte as one character (bytes above 0x7f never occur in evidence names). */
function decodeName(raw: Uint8Array, flags: number): string {
  return flags & UTF8_FLAG ? new TextDecoder().decode(raw) : String.fromCharCode(...raw);
}

/** The name of an Info-ZIP Unicode Path extra field (0x7075: version, CRC-32 of the header name, UTF-8 name), if any. */
function unicodePathName(extra: Uint8Array): string | null {
  const view = new DataView(extra.buffer, extra.byteOffset, extra.byteLength);
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === UNICODE_PATH && length >= 5 && at + 4 + length <= extra.length) return new TextDecoder().decode(extra.subarray(at + 9, at + 4 + length));
    at += 4 + length;
  }
  return null;
}
