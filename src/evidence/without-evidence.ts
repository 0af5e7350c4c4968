/** The runs of a period that have no stored evidence, and which of them are a known state rather than a gap. */

/** A run of the period that has no stored evidence: listed in the index, so the gap is visible. */
export interface RunWithoutEvidence {
  id: string;
  started_at: string;
  status: string;
  reason: string;
  /**
   * Its record says it failed before it could write evidence (it could not start: a broken
   * setting): a known state, which verify names in a note. Absent or false: a gap, which fails verify.
   */
  failed_before_evidence?: boolean;
}

/** Failed before it could write evidence, as recorded: only a failed run can be (a complete or incomplete one wrote, or lost, its evidence). */
export function failedBeforeEvidence(gap: Pick<RunWithoutEvidence, "status" | "failed_before_evidence">): boolean {
  return gap.failed_before_evidence === true && gap.status === "failed";
}
