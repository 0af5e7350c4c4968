/**
 * The Worker's bundled policies in workerd tests: the shipped ones (src/generated/policies.ts) plus
 * test-only policies that set what default.yaml leaves at its defaults (approvers, max_acceptance_days,
 * remediation). vitest.config.ts resolves the
 * Worker's import of the generated bundle to this module for the worker project only, so a deployment
 * never bundles these.
 */
import { BUNDLED_POLICIES as SHIPPED } from "../../src/generated/policies.js";

/** Its approver is allowed by this policy alone (not in SLACK_ALLOWED_USERS); acceptances last at most 30 days; unused keys are critical. */
export const ACCEPT_TEST_POLICY = "accept-test";
export const ACCEPT_TEST_APPROVER = "U0APPROVER1";

const acceptTest = `version: 1
name: ${ACCEPT_TEST_POLICY}
description: Workerd tests of accepting risks under a policy other than default.
approvers: [${ACCEPT_TEST_APPROVER}]
max_acceptance_days: 30
rules:
  - id: unused-90d
    kind: unused
    days: 90
    severity: critical
`;

/** Unused keys are findings, as in default, but its remediation: section allows deleting service accounts only. */
export const REVOKE_TEST_POLICY = "revoke-test";

const revokeTest = `version: 1
name: ${REVOKE_TEST_POLICY}
description: Workerd tests of revoking from the report of a policy other than default.
rules:
  - id: unused-90d
    kind: unused
    days: 90
    severity: high
remediation:
  actions: [delete_service_account]
`;

export const BUNDLED_POLICIES: Record<string, { file: string; text: string }> = {
  ...SHIPPED,
  [ACCEPT_TEST_POLICY]: { file: "test/worker/test-policies.ts", text: acceptTest },
  [REVOKE_TEST_POLICY]: { file: "test/worker/test-policies.ts", text: revokeTest },
};
