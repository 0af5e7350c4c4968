import { CONNECTIVES, OPERATORS } from "./condition/schema.js";
import { RULE_MODULES } from "./registry.js";
import { ruleBaseShape } from "./rule-base.js";
import { allowSchema } from "./rules/owner-allowlist.js";
import { exemptionSchema, ownerSchema, policySchema } from "./schema.js";
import { scopeSchema } from "./scope.js";

/** Every field name a policy may use anywhere; unknown fields are checked against it for a "did you mean". */
export function knownFieldNames(): string[] {
  return [
    ...new Set([
      ...Object.keys(policySchema.shape),
      "kind",
      ...Object.keys(ruleBaseShape),
      ...RULE_MODULES.flatMap((module) => Object.keys(module.options.shape)),
      ...Object.keys(scopeSchema.shape),
      ...Object.keys(allowSchema.shape),
      ...CONNECTIVES,
      ...OPERATORS,
      ...Object.keys(exemptionSchema.shape),
      ...Object.keys(ownerSchema.shape),
    ]),
  ];
}

/** The closest known name, if it is close enough to be a typo ("serverity" → "severity"). */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  // Up to 2 edits for long names, fewer for short ones ("foo" is not a typo of "not").
  let bestDistance = Math.min(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
