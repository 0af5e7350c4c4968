/**
 * What a step body answers: its result, or why it should be tried again (a failure that may pass),
 * with what the next attempt must know (`carry`: stored durably as part of this attempt's result).
 * Which failures earn another attempt is the retry policy of src/util/retry.ts.
 */
export type StepOutcome<T> = { done: T } | { retry: string; carry?: unknown };

export interface AttemptInfo {
  /** 1-based. */
  attempt: number;
  /** No attempt comes after this one: the body must accept what it has and record it. */
  last: boolean;
  /** What the previous attempt carried over, if anything. */
  carried?: unknown;
}
