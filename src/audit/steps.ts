/**
 * The bodies of the audit Workflow's steps, by stage: plain functions of what they touch (context.ts),
 * tested in Node. The Workflow (src/worker/workflow.ts) only says which step runs when, and how often
 * it may be tried (the retry policy of src/util/retry.ts).
 */
export type { AuditContext, AuditParams, PolicyProblem, RecordedOutcome, SliceResult } from "./context.js";
export type { AttemptInfo, StepOutcome } from "./step-outcome.js";
export { evaluateAndRecord, inventorySlice, policyProblem, recordFailure, recordInvalidPolicy } from "./inventory-steps.js";
export { enrichSlice, recordEnrichmentFailure } from "./enrichment-steps.js";
export { recordEvidenceFailure, releaseAndCleanUp, storeEvidence } from "./evidence-steps.js";
export { answerCommand, recordDelivery, reportToSlack } from "./slack-steps.js";
export { type OwnerMessagesOutcome, listOwnersInReport, ownerSummaryText, tellOwners } from "./owner-steps.js";
