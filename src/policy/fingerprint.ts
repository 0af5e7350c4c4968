import type { KeyKind } from "../model/inventory.js";
import { DEFAULT_ACCOUNT } from "../model/key-facts.js";
import { sha256HexPrefix } from "./sha256-prefix.js";

/**
 * Stable identity of a finding across runs (new / still open / resolved): the rule id, the key and
 * the account it was listed from, never anything that changes between runs. The first 32 hex
 * characters of SHA-256(`${rule_id}\0${key.kind}\0${key.id}`), with `\0${account}` appended for
 * every account but the default `openai`: so two organizations never share a lifecycle, while the
 * findings of a deployment that predates accounts keep their fingerprints (and their history).
 */
export function findingFingerprint(ruleId: string, keyKind: KeyKind, keyId: string, account: string = DEFAULT_ACCOUNT): string {
  const key = `${ruleId}\u0000${keyKind}\u0000${keyId}`;
  return sha256HexPrefix(account === DEFAULT_ACCOUNT ? key : `${key}\u0000${account}`);
}
