/** One thing `keywarden verify` found wrong, as every check (files, chain, signatures, index, period manifest) reports it. */
export interface VerifyProblem {
  run?: string;
  file?: string;
  message: string;
}
