import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Keywarden's own directory — the clone, or node_modules/keywarden when installed — where
 * `policies/` is: the first directory above this module (src/cli/ or dist/) with a package.json.
 */
export function keywardenRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find Keywarden's package.json above ${from}`);
  }
}

/** The directory a policy name (POLICY, default `default`) is looked up in. */
export function policiesDir(): string {
  return join(keywardenRoot(), "policies");
}
