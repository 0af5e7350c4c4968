import { sha256Hex } from "../util/hash.js";

/** One file as the store writes it: its name under the run's prefix, its bytes and their type. */
export interface StoredFile {
  name: string;
  content: Uint8Array;
  contentType: string;
}

/**
 * Evidence in R2 under `runs/<yyyy>/<mm>/<run id>/`. Every put carries the
 * file's SHA-256, which R2 checks against the bytes it received.
 */
export class EvidenceStore {
  constructor(private readonly bucket: R2Bucket) {}

  /**
   * Stores `batches` of files under `prefix`, each batch whole before the next one starts: the caller
   * puts the manifest (and its signature) in the last batch, so a manifest never names a file not yet
   * stored. A file already stored with the same SHA-256 (by an earlier attempt of the step that failed
   * later) is not written again: under an R2 bucket lock on runs/ (docs/deploy.md) that would be an
   * overwrite, which the lock refuses, and the retry could never store the run's evidence.
   */
  async write(prefix: string, batches: readonly (readonly StoredFile[])[]): Promise<void> {
    const put = async (file: StoredFile) => {
      const key = `${prefix}${file.name}`;
      const sha256 = sha256Hex(file.content);
      const stored = await this.bucket.head(key);
      if (stored?.checksums.sha256 && hex(stored.checksums.sha256) === sha256) return;
      await this.bucket.put(key, file.content, { sha256, httpMetadata: { contentType: file.contentType } });
    };
    for (const batch of batches) await Promise.all(batch.map(put));
  }

  /** Deletes every object of a run's evidence (files of an attempt that could not be recorded). */
  async remove(prefix: string): Promise<void> {
    const keys = await this.keys(prefix);
    if (keys.length > 0) await this.bucket.delete(keys);
  }

  /** The files of one run: name → bytes. */
  async readRun(prefix: string): Promise<Record<string, Uint8Array>> {
    const files: Record<string, Uint8Array> = {};
    for (const key of await this.keys(prefix)) {
      const object = await this.bucket.get(key);
      if (object) files[key.slice(prefix.length)] = new Uint8Array(await object.arrayBuffer());
    }
    return files;
  }

  async get(key: string): Promise<R2ObjectBody | null> {
    return this.bucket.get(key);
  }

  private async keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.bucket.list({ prefix, ...(cursor ? { cursor } : {}) });
      keys.push(...page.objects.map((o) => o.key));
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor);
    return keys;
  }
}

function hex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
