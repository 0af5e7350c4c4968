import type { ProviderName } from "../config-accounts.js";
import { compileGlobs } from "../util/glob.js";
import type { Policy } from "./schema.js";

/**
 * How many days of usage an account's keys need read for the policy's `unused` rules to decide
 * (the largest `days` of those whose scope may reach the account), or null when none applies: then
 * its last use need not be read at all. For providers that do not list last use (Anthropic).
 */
export function usageDaysNeeded(policy: Policy, account: { name: string; provider: ProviderName }): number | null {
  let days: number | null = null;
  for (const rule of policy.rules) {
    if (rule.kind !== "unused") continue;
    const scope = rule.scope;
    if (scope?.providers && !scope.providers.includes(account.provider)) continue;
    if (scope?.accounts && !compileGlobs(scope.accounts)(account.name)) continue;
    days = Math.max(days ?? 0, rule.days);
  }
  return days;
}
