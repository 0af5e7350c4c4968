import type { RuleModule } from "./rule-module.js";
import { keyAge } from "./rules/key-age.js";
import { match } from "./rules/match.js";
import { ownerAllowlist } from "./rules/owner-allowlist.js";
import { serviceAccountRole } from "./rules/service-account-role.js";
import { unused } from "./rules/unused.js";

/** Every rule kind. A new kind is one module in rules/ and one entry here. */
export const RULE_MODULES = [unused, keyAge, ownerAllowlist, serviceAccountRole, match] as const;

export type RuleKind = (typeof RULE_MODULES)[number]["kind"];
export const RULE_KINDS = RULE_MODULES.map((module) => module.kind) as readonly RuleKind[];

const byKind = new Map<string, RuleModule>(RULE_MODULES.map((module) => [module.kind, module as unknown as RuleModule]));

export function ruleModule(kind: RuleKind): RuleModule {
  const module = byKind.get(kind);
  if (!module) throw new Error(`no rule module for kind "${kind}"`);
  return module;
}

/**
 * What to do about a finding: its rule's own `remediation:` when the policy gave one, else the
 * default of its kind. A kind this version does not know (a run recorded by another version) gets
 * the generic advice of `match` rules.
 */
export function remediationFor(finding: { rule_kind: string; remediation?: string | undefined }): string {
  return finding.remediation ?? (byKind.get(finding.rule_kind) ?? match).remediation;
}
