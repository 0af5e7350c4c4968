import type { KeyKind } from "../model/inventory.js";
import { sha256HexPrefix } from "./sha256-prefix.js";

/**
 * Stable identity of a finding across runs (new / still open / resolved): the rule id and the key,
 * never anything that changes between runs. The first 32 hex characters of
 * SHA-256(`${rule_id}\0${key.kind}\0${key.id}`).
 */
export function findingFingerprint(ruleId: string, keyKind: KeyKind, keyId: string): string {
  return sha256HexPrefix(`${ruleId}\u0000${keyKind}\u0000${keyId}`);
}
