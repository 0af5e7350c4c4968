import type { AccountSettings, ProviderName } from "../config.js";

/**
 * The configured account a key (or an action's target) belongs to: the one it names, else the
 * provider's only account (records of a single account name none). Undefined when that is not one
 * configured account: then nothing is listed, called or compared there (unsure means no).
 */
export function accountOf(accounts: readonly AccountSettings[], provider: ProviderName, name: string | undefined): AccountSettings | undefined {
  const ofProvider = accounts.filter((account) => account.provider === provider);
  return name === undefined ? (ofProvider.length === 1 ? ofProvider[0] : undefined) : ofProvider.find((account) => account.name === name);
}
