/**
 * The accounts' settings as the CLI reads them from its environment (issue 19): ACCOUNTS and every
 * variable it names (each `admin_key_secret` is the name of an environment variable here), or
 * OPENAI_ADMIN_KEY and ANTHROPIC_ADMIN_KEY with their API roots. No dependency: `keywarden --help`
 * loads this to know what to redact.
 */

const ACCOUNT_SETTINGS = ["OPENAI_ADMIN_KEY", "OPENAI_BASE_URL", "ANTHROPIC_ADMIN_KEY", "ANTHROPIC_BASE_URL", "ACCOUNTS"] as const;

/** The settings `keywarden audit` reads: the accounts' and POLICY (a laptop's other variables are not its business). */
export function accountSettingsOf(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const names = [...ACCOUNT_SETTINGS, "POLICY", ...namedVariables(env.ACCOUNTS)];
  return Object.fromEntries(names.map((name) => [name, env[name]]));
}

/** Every admin key the environment holds for an account, to redact from whatever the CLI prints. */
export function adminKeysOf(env: Record<string, string | undefined>): (string | undefined)[] {
  return ["OPENAI_ADMIN_KEY", "ANTHROPIC_ADMIN_KEY", ...namedVariables(env.ACCOUNTS)].map((name) => env[name]);
}

/** The variables ACCOUNTS names, read loosely (readConfig says what is wrong with it). */
function namedVariables(accounts: string | undefined): string[] {
  try {
    const list: unknown = JSON.parse(accounts ?? "[]");
    if (!Array.isArray(list)) return [];
    return list.map((entry) => (entry as { admin_key_secret?: unknown } | null)?.admin_key_secret).filter((name): name is string => typeof name === "string" && /^[A-Z][A-Z0-9_]*$/.test(name));
  } catch {
    return [];
  }
}
