/** Which finding and action `keywarden revoke` plans, from an audit that saw everything. */
import { allowedActions, whyNoAllowedActions } from "../decide/allowed.js";
import type { ListedKey, RemediationAction } from "../model/remediation.js";
import type { RunFinding } from "../model/run.js";
import type { RemediationPolicy } from "../policy/remediation-schema.js";
import { invokedAs } from "./invoked-as.js";
import type { CliIo } from "./io.js";
import { EXIT_REFUSED, type RevokeOptions } from "./revoke-outcome.js";

/**
 * The finding on the key (the first whose rule the policy's remediation.allowed_rules allow) and the
 * action: the one asked for, else the least destructive that fits; an exit code when there is none.
 */
export function chooseAction(
  options: RevokeOptions,
  io: CliIo,
  fail: (message: string, code?: number) => number,
  audited: { findings: readonly RunFinding[]; keys: readonly ListedKey[]; policy: RemediationPolicy | undefined; policyFile: string },
  idShape: string,
): { finding: RunFinding; action: RemediationAction } | number {
  const { keyId, action: wanted } = options;
  const { keys, policy } = audited;
  if (!keys.some((k) => k.id === keyId)) {
    const byValue = keys.filter((k) => k.redacted_value === keyId);
    const [only] = byValue;
    if (only && byValue.length === 1) return fail(`${keyId} is the redacted value of key ${only.id}: give its id: ${invokedAs(io.env)} revoke ${only.id}`);
    if (byValue.length > 1) return fail(`${keyId} is the redacted value of ${byValue.length} keys (${byValue.map((k) => k.id).join(", ")}): give the id of the one you mean`);
    return fail(`the organization has no key ${keyId}: give a key's id (${idShape}), as ${invokedAs(io.env)} audit shows it with each finding`, EXIT_REFUSED);
  }
  const findings = audited.findings.filter((f) => f.key.id === keyId);
  if (findings.length === 0) return fail(`no finding of policy ${audited.policyFile} is on key ${keyId}: Keywarden revokes only keys a rule flags`, EXIT_REFUSED);
  const candidates = findings.flatMap((finding) =>
    allowedActions(finding, keys, policy)
      .filter((action) => wanted === undefined || action.kind === wanted)
      .map((action) => ({ finding, action })),
  );
  const chosen = candidates[0];
  if (chosen) return chosen;
  const why = findings.map((f) => `${f.rule_id}: ${whyNoAllowedActions(f, keys, policy)}`).join("; ");
  return fail(`no action${wanted ? ` ${wanted}` : ""} the policy allows fits the findings on key ${keyId} (${why})`, EXIT_REFUSED);
}

