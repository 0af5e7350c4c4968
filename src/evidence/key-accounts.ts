/**
 * The provider and account (issue 19) of a key an evidence table names by id only: an exemption,
 * an accepted risk, a remediation. Taken from the run's inventory and findings; a key they do not
 * hold (deleted, never seen) is of the run's account when the run names exactly one, else unknown
 * (null: an empty cell). A key id two accounts share is unknown too, never guessed.
 */
import type { KeyRecord } from "../model/inventory.js";
import type { AuditRun } from "../model/run.js";
import { keyAccount, keyProvider } from "../model/key-facts.js";
import type { Provider } from "../report/accounts.js";

export interface KeyAccount {
  provider: Provider | null;
  account: string | null;
}

export type KeyAccountOf = (keyId: string | null | undefined) => KeyAccount;

const UNKNOWN: KeyAccount = { provider: null, account: null };

/** Nothing known: what a table built without the run's keys shows. */
export const unknownAccount: KeyAccountOf = () => UNKNOWN;

export function keyAccountLookup(run: Pick<AuditRun, "findings" | "errors">, keys: readonly Pick<KeyRecord, "id" | "provider" | "account">[]): KeyAccountOf {
  const byId = new Map<string, KeyAccount>();
  const accounts = new Map<string, Provider | null>();
  const add = (key: Pick<KeyRecord, "id" | "provider" | "account">) => {
    const seen: KeyAccount = { provider: keyProvider(key), account: keyAccount(key) };
    accounts.set(seen.account as string, seen.provider);
    const known = byId.get(key.id);
    byId.set(key.id, known === undefined || (known.account === seen.account && known.provider === seen.provider) ? seen : UNKNOWN);
  };
  for (const key of keys) add(key);
  for (const finding of run.findings) add(finding.key);
  for (const error of run.errors) if (error.account !== undefined && !accounts.has(error.account)) accounts.set(error.account, null);
  const [only] = accounts.size === 1 ? [...accounts] : [];
  const fallback: KeyAccount = only ? { account: only[0], provider: only[1] } : UNKNOWN;
  return (keyId) => (keyId === null || keyId === undefined ? UNKNOWN : (byId.get(keyId) ?? fallback));
}
