/**
 * Inflates one ZIP entry as a stream, never past the size its header declares
 * (declared sizes can lie), and checks the declared size and CRC-32 at the end:
 * what verify hashes is then byte for byte what an extractor writes.
 */
import { Inflate } from "fflate";
import { printableName } from "./entry-names.js";
import type { ZipEntry } from "./zip-directory.js";
import { ZipReadError } from "./zip-limits.js";

/** Compressed bytes per push: at deflate's maximum ratio (1032:1) one push yields at most ~16.5 MB. */
const PUSH_BYTES = 16 * 1024;

/** Hands the entry's content to `sink` chunk by chunk. Throws ZipReadError. */
export function inflateEntry(archive: Uint8Array, entry: ZipEntry, sink: (chunk: Uint8Array) => void): void {
  const data = archive.subarray(entry.dataOffset, entry.dataOffset + entry.compressedSize);
  const shown = printableName(entry.name);
  let produced = 0;
  let crc = CRC_START;
  const take = (chunk: Uint8Array) => {
    produced += chunk.length;
    if (produced > entry.size) throw new ZipReadError(`${shown} inflates to more than the ${entry.size} bytes its header declares: the archive is damaged or crafted`);
    crc = crcUpdate(crc, chunk);
    sink(chunk);
  };
  if (entry.method === 0) {
    for (let at = 0; at < data.length; at += PUSH_BYTES) take(data.subarray(at, at + PUSH_BYTES));
  } else {
    const inflater = new Inflate((chunk) => take(chunk));
    try {
      if (data.length === 0) inflater.push(data, true);
      for (let at = 0; at < data.length; at += PUSH_BYTES) inflater.push(data.subarray(at, at + PUSH_BYTES), at + PUSH_BYTES >= data.length);
    } catch (error) {
      if (error instanceof ZipReadError) throw error;
      throw new ZipReadError(`${shown} cannot be inflated (${(error as Error).message}): the archive is damaged`);
    }
  }
  if (produced !== entry.size) throw new ZipReadError(`${shown} holds ${produced} bytes, but its header declares ${entry.size}: the archive is damaged`);
  const actual = crcDigest(crc);
  if (actual !== entry.crc32) throw new ZipReadError(`${shown}: CRC-32 mismatch (${hex(actual)} computed, ${hex(entry.crc32)} declared): the archive is damaged`);
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();
const CRC_START = 0xffffffff;

function crcUpdate(crc: number, chunk: Uint8Array): number {
  let c = crc;
  for (let i = 0; i < chunk.length; i++) c = (CRC_TABLE[(c ^ (chunk[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return c;
}

function crcDigest(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0;
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}
