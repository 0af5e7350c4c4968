import type { RunEvidence } from "../report/evidence/index.js";
import { sha256Hex } from "../util/hash.js";

/**
 * Evidence in R2 under `runs/<yyyy>/<mm>/<run id>/`. Every put carries the
 * file's SHA-256, which R2 checks against the bytes it received.
 */
export class EvidenceStore {
  constructor(private readonly bucket: R2Bucket) {}

  async write(evidence: RunEvidence): Promise<void> {
    await Promise.all(
      evidence.files.map((file) =>
        this.bucket.put(`${evidence.prefix}${file.name}`, file.content, {
          sha256: sha256Hex(file.content),
          httpMetadata: { contentType: file.contentType },
        }),
      ),
    );
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
