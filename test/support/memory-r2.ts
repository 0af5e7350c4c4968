/**
 * An R2Bucket for Node tests: the subset Keywarden's stores use (put, get, head, list, delete), in memory.
 * Like R2, head() has the object's SHA-256 in `checksums` only when its put gave one.
 */
export interface MemoryR2 {
  bucket: R2Bucket;
  objects: Map<string, Uint8Array>;
  /** Makes every put (or get) of a key matching the pattern fail, as an unreachable R2 would. */
  failOn(operation: "put" | "get" | null, pattern?: RegExp): void;
}

export function memoryR2(): MemoryR2 {
  const objects = new Map<string, Uint8Array>();
  const sha256s = new Map<string, string>();
  let failing: { operation: "put" | "get"; pattern: RegExp } | null = null;
  const check = (operation: "put" | "get", key: string) => {
    if (failing?.operation === operation && failing.pattern.test(key)) throw new Error(`R2 ${operation} failed (injected) for ${key}`);
  };
  const bucket = {
    async put(key: string, value: string | Uint8Array | ArrayBuffer, options: { sha256?: string } = {}) {
      check("put", key);
      objects.set(key, typeof value === "string" ? new TextEncoder().encode(value) : new Uint8Array(value));
      if (options.sha256) sha256s.set(key, options.sha256);
      else sha256s.delete(key);
      return { key };
    },
    async head(key: string) {
      check("get", key);
      const bytes = objects.get(key);
      if (!bytes) return null;
      const sha256 = sha256s.get(key);
      return { key, size: bytes.length, checksums: sha256 ? { sha256: Uint8Array.from(sha256.match(/../g) ?? [], (h) => Number.parseInt(h, 16)).buffer } : {} };
    },
    async get(key: string) {
      check("get", key);
      const bytes = objects.get(key);
      if (!bytes) return null;
      return {
        key,
        size: bytes.length,
        text: async () => new TextDecoder().decode(bytes),
        json: async () => JSON.parse(new TextDecoder().decode(bytes)),
        arrayBuffer: async () => bytes.slice().buffer,
      };
    },
    async list(options: { prefix?: string } = {}) {
      const keys = [...objects.keys()].filter((k) => k.startsWith(options.prefix ?? "")).sort();
      return { objects: keys.map((key) => ({ key, size: objects.get(key)?.length ?? 0 })), truncated: false, delimitedPrefixes: [] };
    },
    async delete(keys: string | string[]) {
      for (const key of Array.isArray(keys) ? keys : [keys]) {
        objects.delete(key);
        sha256s.delete(key);
      }
    },
  };
  return {
    bucket: bucket as unknown as R2Bucket,
    objects,
    failOn: (operation, pattern = /./) => void (failing = operation ? { operation, pattern } : null),
  };
}
