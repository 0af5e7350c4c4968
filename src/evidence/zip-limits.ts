/**
 * How much a ZIP may make verify inflate. Figures measured on the simulator's
 * 20,020-key organization (`src/sim/generate.ts`, 1,000 projects × 20 keys):
 * one run's evidence is 38.6 MB uncompressed, its largest file findings.json
 * 15.8 MB, the run's ZIP 4.8 MB. A year of weekly runs is then ≈ 2.0 GB
 * uncompressed in ≈ 250 MB of ZIP. Verify hashes files as they inflate and holds
 * only manifests, signatures and the index whole, so memory stays small (a
 * 500 MiB entry of zeros: 235 MB resident); the limits bound the work a crafted
 * archive can demand: inflating, CRC-32 and SHA-256 run at ≈ 7 s per GiB.
 */
export interface ZipLimits {
  /**
   * Entries in the central directory. 65,535 is the most a plain ZIP can count (ZIP64 is refused);
   * a year of hourly runs is 8,760 × 7 files ≈ 61,000, and 65,000 entries are listed in half a second.
   */
  maxEntries: number;
  /** Uncompressed bytes of one entry: 32× the largest file of a 20,000-key organization. */
  maxEntryBytes: number;
  /** Uncompressed bytes of every entry together: 4× a year of weekly runs of a 20,000-key organization, a minute of work at most. */
  maxTotalBytes: number;
  /**
   * Bytes of the files read whole (manifest.json, manifest.sig, index.json, index.csv), together:
   * a run's manifest and signature are under 2 KB, the index of a year of hourly runs about 9 MB.
   */
  maxBytesInMemory: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const DEFAULT_ZIP_LIMITS: Readonly<ZipLimits> = {
  maxEntries: 65_535,
  maxEntryBytes: 512 * MiB,
  maxTotalBytes: 8 * GiB,
  maxBytesInMemory: 256 * MiB,
};

/** A failure to read the archive (exit 2), as opposed to evidence that does not verify. */
export class ZipReadError extends Error {}

/** `512 MiB`, `3.1 MiB`, `100 bytes`. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [
    ["GiB", GiB],
    ["MiB", MiB],
    ["KiB", 1024],
  ] as const) {
    if (n >= size) {
      const value = n / size;
      return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
    }
  }
  return `${n} bytes`;
}
