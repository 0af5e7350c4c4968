/**
 * The parts of a run's evidence files that the report reads, parsed tolerantly: fields the report
 * does not use may be added or absent, and a field it uses but the file lacks reads as "not
 * recorded". A file that does not fit at all is named in the report, never guessed at.
 */
import { z } from "zod";

const text = z.string();
const maybeText = z.string().nullish().transform((v) => v ?? null);
const count = z.number().int().nonnegative();

/** exemptions.json (views.ts exemptionsDocument): every exemption in force during the run. */
export const exemptionsFileSchema = z.looseObject({
  exemptions: z.array(
    z.looseObject({
      rule_id: text,
      key_id: text,
      status: maybeText,
      reason: maybeText,
      expires: maybeText,
      source: z.string().nullish().transform((v) => v ?? "policy"),
      approved_by: maybeText,
      accepted_by: z.looseObject({ id: maybeText, name: maybeText }).nullish().transform((v) => v ?? null),
      accepted_at: maybeText,
      ticket: maybeText,
      acceptance_id: maybeText,
    }),
  ),
});
export type ExemptionEntry = z.infer<typeof exemptionsFileSchema>["exemptions"][number];

/** A control account by account (runs of several accounts, issue 19); absent in the others. */
const controlAccounts = z
  .array(
    z.looseObject({
      account: text,
      provider: maybeText,
      keys_tested: count.nullish().transform((v) => v ?? null),
      findings: count.nullish().transform((v) => v ?? null),
      exempted: count.nullish().transform((v) => v ?? null),
      accepted: count.nullish().transform((v) => v ?? null),
      status: text,
    }),
  )
  .nullish()
  .catch(null)
  .transform((v) => v ?? null);

/** controls.json: per control of the catalogue, what the run's rules found. */
export const controlsFileSchema = z.looseObject({
  status: maybeText,
  controls: z.array(
    z.looseObject({
      framework: text,
      control_id: text,
      title: maybeText,
      rules: z.array(text).nullish().transform((v) => v ?? []),
      keys_tested: count.nullish().transform((v) => v ?? null),
      findings: count.nullish().transform((v) => v ?? null),
      exempted: count.nullish().transform((v) => v ?? null),
      accepted: count.nullish().transform((v) => v ?? null),
      status: text,
      accounts: controlAccounts,
    }),
  ),
});
export type ControlEntry = z.infer<typeof controlsFileSchema>["controls"][number];

/** remediations.json (../evidence/remediations.ts): the revokes decided since the previous run, with who requested and approved them. */
export const remediationsFileSchema = z.looseObject({
  remediations: z.array(
    z.looseObject({
      id: text,
      action: maybeText,
      summary: maybeText,
      rule_id: maybeText,
      key_id: maybeText,
      /** Slack user id, and the name Slack gave (absent in the first format). */
      requested_by: maybeText,
      requested_by_name: maybeText,
      requested_at: maybeText,
      reason: maybeText,
      approvals: z
        .array(z.looseObject({ by: text, name: maybeText, at: maybeText }))
        .nullish()
        .transform((v) => v ?? []),
      /** `on`, or `dry-run`: described, not executed. */
      mode: maybeText,
      status: maybeText,
      outcome: maybeText,
      executed_at: maybeText,
    }),
  ),
});
export type RemediationEntry = z.infer<typeof remediationsFileSchema>["remediations"][number];

const named = z.looseObject({ id: maybeText, name: maybeText }).nullish().transform((v) => v ?? null);

/** acceptances.json (../evidence/acceptances.ts): the decisions on accepted risks since the previous run (absent in the first formats). */
export const acceptancesFileSchema = z.looseObject({
  events: z.array(
    z.looseObject({
      at: maybeText,
      event: text,
      acceptance_id: maybeText,
      by: named,
      via: maybeText,
      revoke_reason: maybeText,
      rule_id: maybeText,
      key_id: maybeText,
      reason: maybeText,
      expires: maybeText,
    }),
  ),
});
export type AcceptanceDecisionEntry = z.infer<typeof acceptancesFileSchema>["events"][number];

/** findings.json (views.ts findingsDocument): the run's open findings, worst first. */
export const findingsFileSchema = z.looseObject({
  findings: z.array(
    z.looseObject({
      severity: text,
      rule_id: text,
      sentence: maybeText,
      key: z.looseObject({
        id: text,
        name: maybeText,
        kind: maybeText,
        // The enrichment's (absent in the first format).
        created_by: z.looseObject({ display: text }).nullish().catch(null),
        requests_30d: z.number().nullish().catch(null),
        spend_30d_usd: z.number().nullish().catch(null),
        // Whose key it is (issue 19): absent before accounts existed, when every key was OpenAI's, of the account `openai`.
        provider: z.string().nullish().catch(null),
        account: z.string().nullish().catch(null),
      }),
      project: named,
      owner: z.looseObject({ type: maybeText, name: maybeText, email: maybeText }).nullish().transform((v) => v ?? null),
    }),
  ),
});
export type FindingEntry = z.infer<typeof findingsFileSchema>["findings"][number];
