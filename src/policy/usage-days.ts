import type { ProviderName } from "../config-accounts.js";
import { LONGEST_USAGE_DAYS } from "../model/last-use.js";
import { compileGlobs } from "../util/glob.js";
import { lastUseNeeds, usageDaysFor } from "./condition/last-use-worlds.js";
import type { Policy } from "./schema.js";

/**
 * How many days of usage an account's keys need read for the policy to decide their last use, or
 * null when no rule whose scope may reach the account asks: then it need not be read at all. For
 * providers that do not list last use (Anthropic). An `unused` rule needs its `days`; a `match` rule
 * on `last_used_at` its longest `older-than` / `newer-than`, or, for `absent` or a text comparison,
 * the whole history the provider keeps (LONGEST_USAGE_DAYS). The largest of them.
 */
export function usageDaysNeeded(policy: Policy, account: { name: string; provider: ProviderName }): number | null {
  let days: number | null = null;
  for (const rule of policy.rules) {
    const ruleDays = rule.kind === "unused" ? rule.days : rule.kind === "match" ? matchDays(rule.where) : null;
    if (ruleDays === null) continue;
    const scope = rule.scope;
    if (scope?.providers && !scope.providers.includes(account.provider)) continue;
    if (scope?.accounts && !compileGlobs(scope.accounts)(account.name)) continue;
    days = Math.max(days ?? 0, ruleDays);
  }
  return days;
}

function matchDays(where: Parameters<typeof lastUseNeeds>[0]): number | null {
  const needs = lastUseNeeds(where);
  return needs === null ? null : usageDaysFor(needs, LONGEST_USAGE_DAYS);
}
