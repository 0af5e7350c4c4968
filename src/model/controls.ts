/**
 * How one control fared in one run (`AuditRun.controls`, controls.json):
 * - fail: a rule mapped to it has a finding no exemption covers (whether or not the run saw everything);
 * - pass: a rule maps to it, the run was complete and none of its rules has a finding;
 * - incomplete: it would pass, but the run could not see every key: never read as a pass;
 * - not_tested: no rule of the policy maps to it, or the run failed.
 */
export type ControlStatus = "pass" | "fail" | "incomplete" | "not_tested";

export interface RunControl {
  /** A framework id of the catalogue (soc2, iso27001, nist80053, cis, pcidss). */
  framework: string;
  control_id: string;
  title: string;
  /** Ids of the policy's rules mapped to the control, in policy order. */
  rules: string[];
  /** Distinct keys of the inventory at least one of those rules checked (in its scope and, unless it asks for every status, active). */
  keys_tested: number;
  /** Findings of those rules that no exemption covers. */
  findings: number;
  /** Findings of those rules suppressed by an exemption written in the policy. */
  exempted: number;
  /** Findings of those rules suppressed by a risk accepted in Slack. */
  accepted: number;
  status: ControlStatus;
  /**
   * The same, account by account (issue 19): only in runs of more than one account, absent otherwise
   * (and in runs recorded before accounts existed). The figures above are over every account.
   */
  accounts?: RunControlAccount[];
}

/** How one account's keys fared against a control: `status` as above, read for that account alone. */
export interface RunControlAccount {
  account: string;
  /** null when nothing of the run says (an account whose listing failed before any key was read). */
  provider: "openai" | "anthropic" | null;
  keys_tested: number;
  findings: number;
  exempted: number;
  accepted: number;
  status: ControlStatus;
}
