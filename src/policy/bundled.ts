import { type PolicySource, checkPolicy } from "./check.js";
import type { SettingProblem } from "../config.js";
import type { Policy } from "./schema.js";
import { BUNDLED_POLICIES } from "../generated/policies.js";

/** The policies deployed with the Worker, by name (`default` is policies/default.yaml). */
export function bundledPolicy(name: string): PolicySource | undefined {
  const entry = Object.hasOwn(BUNDLED_POLICIES, name) ? BUNDLED_POLICIES[name] : undefined;
  return entry ? { name, file: entry.file, text: entry.text } : undefined;
}

/** A bundled policy, parsed and validated; undefined when there is none by that name or it is invalid. */
export function parsedBundledPolicy(name: string): Policy | undefined {
  const source = bundledPolicy(name);
  const checked = source ? checkPolicy(source) : undefined;
  return checked?.ok ? checked.policy : undefined;
}

export function bundledPolicyNames(): string[] {
  return Object.keys(BUNDLED_POLICIES).sort();
}

/** POLICY names a policy this deployment does not bundle: a settings problem, not a request's. */
export function configuredPolicyProblem(policy: string): SettingProblem | null {
  return bundledPolicy(policy) ? null : { setting: "POLICY", problem: `names no bundled policy ("${policy}" is not in policies/; available: ${bundledPolicyNames().join(", ")})` };
}
