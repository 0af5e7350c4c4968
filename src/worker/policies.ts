import type { PolicySource } from "../audit/run.js";
import { BUNDLED_POLICIES } from "../generated/policies.js";

/** The policies deployed with the Worker, by name (`default` is policies/default.yaml). */
export function bundledPolicy(name: string): PolicySource | undefined {
  const entry = Object.hasOwn(BUNDLED_POLICIES, name) ? BUNDLED_POLICIES[name] : undefined;
  return entry ? { name, file: entry.file, text: entry.text } : undefined;
}

export function bundledPolicyNames(): string[] {
  return Object.keys(BUNDLED_POLICIES).sort();
}
