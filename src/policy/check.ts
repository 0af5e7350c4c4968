import type { AuditRun } from "../model/run.js";
import { sha256Hex } from "../util/hash.js";
import { loadPolicy } from "./load.js";
import { formatPolicyError } from "./policy-error.js";
import type { Policy } from "./schema.js";

/** A policy's text and where it came from, before it is parsed. */
export interface PolicySource {
  name: string;
  /** Where the text came from, for error messages (`policies/default.yaml`). */
  file: string;
  text: string;
}

export type CheckedPolicy =
  | { ok: true; policy: Policy; ref: AuditRun["policy"] }
  | { ok: false; ref: AuditRun["policy"]; details: string[] };

/** A run's stage 0: the policy is validated before any API call. */
export function checkPolicy(source: PolicySource): CheckedPolicy {
  const loaded = loadPolicy(source.text, source.file);
  const ref = { name: source.name, file: source.file, sha256: sha256Hex(source.text) };
  if (!loaded.ok) return { ok: false, ref, details: loaded.errors.map(formatPolicyError) };
  return { ok: true, policy: loaded.policy, ref: { ...ref, name: loaded.policy.name } };
}
