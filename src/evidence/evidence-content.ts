/**
 * What verify holds of each file: the bytes of the few it parses (manifests,
 * signatures, the index), only the SHA-256 and size of the others, hashed as
 * they stream, so that a year of evidence does not have to fit in memory.
 */
import { type Hash, createHash } from "node:crypto";
import { sha256Hex } from "../util/hash.js";
import { INDEX_CSV, INDEX_JSON, MANIFEST_FILE, PERIOD_MANIFEST_FILE, PERIOD_SIGNATURE_FILE, SIGNATURE_FILE } from "./layout.js";

export interface FileDigest {
  size: number;
  sha256: string;
}

export type EvidenceContent = Uint8Array | FileDigest;

/** File names verify reads whole; every other file is hashed as it streams. */
export const READ_WHOLE: ReadonlySet<string> = new Set([MANIFEST_FILE, SIGNATURE_FILE, INDEX_JSON, INDEX_CSV, PERIOD_MANIFEST_FILE, PERIOD_SIGNATURE_FILE]);

export function isBytes(content: EvidenceContent): content is Uint8Array {
  return ArrayBuffer.isView(content);
}

export function digestOf(content: EvidenceContent): FileDigest {
  return isBytes(content) ? { size: content.length, sha256: sha256Hex(content) } : content;
}

/** A SHA-256 and byte count fed chunk by chunk. */
export class StreamingDigest {
  private readonly hash: Hash = createHash("sha256");
  private size = 0;

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
    this.size += chunk.length;
  }

  digest(): FileDigest {
    return { size: this.size, sha256: this.hash.digest("hex") };
  }
}

/** Chunks joined into one array. */
export function joinChunks(chunks: readonly Uint8Array[]): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
