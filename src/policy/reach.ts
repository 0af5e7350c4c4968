import type { KeyRecord } from "../model/inventory.js";
import { isActiveKey } from "../model/key-facts.js";
import { ruleModule } from "./registry.js";
import type { Rule } from "./schema.js";
import { compileScope } from "./scope.js";

/**
 * Which keys a rule checks: those in its scope that are active (model/key-facts.ts), or of every
 * status for a rule that asks for them (a `match` naming `status`). The others are inventory. What
 * the evaluator checks, and what a control assessment should count as tested.
 */
export function compileReach(rule: Rule): (key: KeyRecord) => boolean {
  const inScope = compileScope(rule.scope);
  if (ruleModule(rule.kind).checksEveryStatus?.(rule)) return inScope;
  return (key) => isActiveKey(key) && inScope(key);
}
