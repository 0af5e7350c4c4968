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
  /** Distinct keys of the inventory inside the scope of at least one of those rules: each was checked against it. */
  keys_tested: number;
  /** Findings of those rules that no exemption covers. */
  findings: number;
  /** Findings of those rules suppressed by an exemption written in the policy. */
  exempted: number;
  /** Findings of those rules suppressed by a risk accepted in Slack. */
  accepted: number;
  status: ControlStatus;
}
