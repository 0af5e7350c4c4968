/**
 * The accounts one deployment audits (issue 19), read with the other settings by config.ts:
 * - ACCOUNTS, a JSON array of `{ "name", "provider", "admin_key_secret", "base_url"? }`, lists every
 *   account when set; each admin key is read from the secret it names;
 * - else OPENAI_ADMIN_KEY (+ OPENAI_BASE_URL) is the account `openai` and ANTHROPIC_ADMIN_KEY
 *   (+ ANTHROPIC_BASE_URL) the account `anthropic`; either may be set alone (the other unset or `off`).
 * Problems name the setting (`ACCOUNTS[1].name`, the secret's name), never a value.
 */
import { z } from "zod";
import type { SettingProblem } from "./config-error.js";

export const PROVIDER_NAMES = ["openai", "anthropic"] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** The provider's API root as its SDK takes it. */
export const DEFAULT_BASE_URLS: Readonly<Record<ProviderName, string>> = {
  openai: "https://api.openai.com/v1",
  anthropic: "https://api.anthropic.com",
};

/** The secret that holds each provider's admin key when ACCOUNTS is not set, and its account's name. */
export const DEFAULT_ACCOUNT_SECRETS: Readonly<Record<ProviderName, string>> = {
  openai: "OPENAI_ADMIN_KEY",
  anthropic: "ANTHROPIC_ADMIN_KEY",
};

export interface AccountSettings {
  /** Unique, `[a-z0-9-]`: shown on every finding. */
  name: string;
  provider: ProviderName;
  /** The name of the secret (Worker) or environment variable (CLI) holding the admin key. */
  adminKeySecret: string;
  adminKey: string;
  baseUrl: string;
}

export const ACCOUNT_NAME = /^[a-z0-9][a-z0-9-]*$/;
const SECRET_NAME = /^[A-Z][A-Z0-9_]*$/;

const accountEntry = z.strictObject(
  {
    name: z.string({ error: "must be a string" }).max(63, { error: "must be at most 63 characters" }).regex(ACCOUNT_NAME, { error: "must be lowercase letters, digits and dashes, such as openai-eu" }),
    provider: z.enum(PROVIDER_NAMES, { error: `must be one of ${PROVIDER_NAMES.join(", ")}` }),
    admin_key_secret: z.string({ error: "must be a string" }).regex(SECRET_NAME, { error: "must be the name of a secret, such as OPENAI_EU_ADMIN_KEY" }),
    base_url: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `has an unknown field (${issue.keys.join(", ")}): the fields are name, provider, admin_key_secret, base_url` : "must be an object") },
);

const accountList = z.array(accountEntry, { error: "must be a JSON array of accounts" }).min(1, { error: "lists no account" });

export type AccountEntry = z.output<typeof accountEntry>;

/** ACCOUNTS's entries, or its problems (JSON, then each entry's fields, then unique names). */
export function parseAccountsSetting(text: string): { entries: AccountEntry[] } | { problems: SettingProblem[] } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { problems: [{ setting: "ACCOUNTS", problem: 'is not JSON: give an array such as [{"name":"openai-eu","provider":"openai","admin_key_secret":"OPENAI_EU_ADMIN_KEY"}]' }] };
  }
  const parsed = accountList.safeParse(value);
  if (!parsed.success) {
    return { problems: parsed.error.issues.map((issue) => ({ setting: `ACCOUNTS${issue.path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("")}`, problem: issue.message })) };
  }
  const problems: SettingProblem[] = [];
  const seen = new Map<string, number>();
  parsed.data.forEach((entry, index) => {
    const first = seen.get(entry.name);
    if (first !== undefined) problems.push({ setting: `ACCOUNTS[${index}].name`, problem: `repeats the name of ACCOUNTS[${first}]: every account needs its own name` });
    else seen.set(entry.name, index);
  });
  return problems.length > 0 ? { problems } : { entries: parsed.data };
}

/**
 * The configured account a key (or an action's target) belongs to: the one it names, else the
 * provider's only account (records of a single account name none). Undefined when that is not one
 * configured account: then nothing is listed, called or compared there (unsure means no).
 */
export function accountOf<A extends Pick<AccountSettings, "name" | "provider">>(accounts: readonly A[], provider: ProviderName, name: string | undefined): A | undefined {
  const ofProvider = accounts.filter((account) => account.provider === provider);
  return name === undefined ? (ofProvider.length === 1 ? ofProvider[0] : undefined) : ofProvider.find((account) => account.name === name);
}
