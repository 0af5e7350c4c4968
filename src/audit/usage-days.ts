import type { AccountRef } from "../providers/index.js";
import type { Policy } from "../policy/index.js";
import { compileGlobs } from "../util/glob.js";

/**
 * How many days of usage an account's keys need read for the policy's `unused` rules (the largest
 * `days` of those whose scope may reach the account), or null when none applies: then a provider
 * that lists no last use (Anthropic) reads no usage at all. The same as the judge's
 * `usageDaysNeeded` (src/policy/usage-days.ts, issue 19); scopes by provider and account are read
 * when the policy schema has them.
 */
export function usageDaysFor(policy: Policy, account: AccountRef): number | null {
  let days: number | null = null;
  for (const rule of policy.rules) {
    if (rule.kind !== "unused") continue;
    const scope = rule.scope as { providers?: readonly string[]; accounts?: readonly string[] } | undefined;
    if (scope?.providers && !scope.providers.includes(account.provider)) continue;
    if (scope?.accounts && !compileGlobs(scope.accounts)(account.name)) continue;
    days = Math.max(days ?? 0, rule.days);
  }
  return days;
}
