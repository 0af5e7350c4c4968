/**
 * The accounts (configured organizations, issue 19) as the outputs show them: Slack, the evidence
 * and the reports group or label by account only when a run names more than one, so that a
 * deployment with the one default account (`openai`) renders exactly as before accounts existed.
 *
 * A run records no list of its accounts: they are read off what it carries — its findings' keys,
 * the accounts its inventory errors name, and the per-account breakdown of its controls (which
 * covers accounts whose keys broke no rule). A key recorded before issue 19 has neither provider
 * nor account: it is OpenAI's, of the account `openai` (model/key-facts.ts).
 */
import type { ProviderName } from "../config-accounts.js";
import { keyAccount, keyProvider } from "../model/key-facts.js";
import type { RunControl } from "../model/controls.js";
import type { RunError, RunFinding } from "../model/run.js";

export type Provider = ProviderName;

/** How a provider is named to people. */
export const PROVIDER_TITLE: Readonly<Record<Provider, string>> = { openai: "OpenAI", anthropic: "Anthropic" };

export interface RunAccount {
  name: string;
  /** null when nothing of the run says (an account whose listing failed before any key was read). */
  provider: Provider | null;
  /** The run's findings of its keys, in the run's order. */
  findings: RunFinding[];
  /** The inventory errors that name it. */
  errors: RunError[];
}

interface AccountSources {
  findings: readonly RunFinding[];
  errors?: readonly RunError[] | undefined;
  controls?: readonly RunControl[] | undefined;
}

/** Every account the run names, by name (code-unit order, the same in every locale). */
export function runAccounts(run: AccountSources): RunAccount[] {
  const accounts = new Map<string, RunAccount>();
  const account = (name: string, provider: Provider | null): RunAccount => {
    let entry = accounts.get(name);
    if (!entry) accounts.set(name, (entry = { name, provider, findings: [], errors: [] }));
    entry.provider ??= provider;
    return entry;
  };
  for (const finding of run.findings) account(keyAccount(finding.key), keyProvider(finding.key)).findings.push(finding);
  for (const error of run.errors ?? []) if (error.account !== undefined) account(error.account, null).errors.push(error);
  for (const control of run.controls ?? []) for (const entry of control.accounts ?? []) account(entry.account, entry.provider);
  return [...accounts.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether the outputs show accounts at all: only when there are several. */
export function showsAccounts(accounts: readonly unknown[]): boolean {
  return accounts.length > 1;
}

/** `openai-eu (OpenAI)`, or the name alone when the provider is not known. */
export function accountTitle(account: { name: string; provider: Provider | null }): string {
  return account.provider ? `${account.name} (${PROVIDER_TITLE[account.provider]})` : account.name;
}
