/**
 * Accept risk from Slack: the button opens a form for the finding as the clicked report's run
 * recorded it; its submission is checked again from scratch and stored as an acceptance under that
 * run's policy, then shown where the button was. The rules are in ./accept-risk.ts.
 */
import type { NewAcceptance } from "../model/acceptance.js";
import type { RunFinding } from "../model/run.js";
import { type Severity, severityRank } from "../model/severity.js";
import { DEFAULT_MAX_ACCEPTANCE_DAYS } from "../policy/schema.js";
import { log } from "../util/log.js";
import { redact } from "../util/redact.js";
import { type AcceptancePolicy, mayAccept, readAcceptanceForm } from "./accept-risk.js";
import { showAcceptance } from "./acceptance-update.js";
import { REASON_BLOCK, type ViewValues } from "./form.js";
import type { Answer, DecideDeps, FindingRef, OwnerInSlack, SlackUser } from "./ports.js";

/** A button of a report made before buttons named their run: which policy governs it cannot be told. */
const UNNAMED_RUN =
  "This button is from a Keywarden report made before buttons named their run, so which policy governs it cannot be told: use the Accept-risk button of the latest report. Nothing was stored.";
const NO_RECORD = "Keywarden has no record of this finding in the run of this report. Nothing was stored.";

function acceptancePolicy(deps: DecideDeps, policyName: string): AcceptancePolicy {
  const policy = deps.policies(policyName);
  return { allowedUsers: deps.settings.slackAllowedUsers, approvers: policy?.approvers ?? [], maxAcceptanceDays: policy?.max_acceptance_days ?? DEFAULT_MAX_ACCEPTANCE_DAYS };
}

/**
 * The finding as the clicked report's run recorded it, with that run's policy: the run, not the
 * newest one, decides who may accept, for how long, and under which policy it is stored.
 */
async function clickedFinding(deps: DecideDeps, ref: FindingRef | null): Promise<{ ref: FindingRef; finding: RunFinding; policy_name: string } | { refusal: string }> {
  if (!ref) return { refusal: UNNAMED_RUN };
  const found = await deps.runs.findingOfRun(ref.runId, ref.fingerprint);
  if (!found) return { refusal: NO_RECORD };
  return { ref, finding: { ...found.finding, severity: severityNow(deps, found.finding, found.policy_name) }, policy_name: found.policy_name };
}

/**
 * The finding's severity for the rules of accepting it: as the run recorded it, or higher when its
 * policy rates the rule higher now. An acceptance exempts the rule on the key from the next run on,
 * so an owner must not accept, from an older report, a finding the policy has since made critical.
 */
function severityNow(deps: DecideDeps, finding: RunFinding, policyName: string): Severity {
  const current = deps.policies(policyName)?.rules.find((rule) => rule.id === finding.rule_id)?.severity;
  return current !== undefined && severityRank(current) > severityRank(finding.severity) ? current : finding.severity;
}

/** The owner of a critical finding's key, asked of Slack now; other findings do not need it. */
async function ownerIfCritical(deps: DecideDeps, finding: RunFinding): Promise<OwnerInSlack | undefined> {
  if (finding.severity !== "critical") return { kind: "none" };
  if (!deps.notifier) return { kind: "unknown", cause: "lookup-failed", why: "Slack cannot be asked while SLACK_BOT_TOKEN is off" };
  return deps.notifier.ownerInSlack(finding);
}

/** The clicked button: which finding, and the message it is on (to show the acceptance there). */
export interface AcceptClick {
  user: SlackUser;
  triggerId: string;
  /** null for a button of a report made before buttons named their run. */
  ref: FindingRef | null;
  message: { channel: string; ts: string } | null;
}

/** Checks the clicking user and opens the form at once (the trigger id is valid for 3 s); a refusal is for an ephemeral answer. */
export async function openAcceptForm(deps: DecideDeps, click: AcceptClick): Promise<Answer> {
  const { notifier } = deps;
  if (!notifier) return { ok: false, message: "Keywarden cannot open the form: SLACK_BOT_TOKEN is off." };
  const found = await clickedFinding(deps, click.ref);
  if ("refusal" in found) return { ok: false, message: found.refusal };
  const policy = acceptancePolicy(deps, found.policy_name);
  const allowed = mayAccept(click.user.id, found.finding, policy, await ownerIfCritical(deps, found.finding));
  if (!allowed.ok) return allowed;
  const viewId = await notifier.openAcceptForm(click.triggerId, { finding: found.finding, runId: found.ref.runId, maxDays: policy.maxAcceptanceDays, now: deps.clock.now() });
  if (viewId && click.message) {
    await deps.acceptances.savePrompt({
      view_id: viewId,
      fingerprint: found.ref.fingerprint,
      channel: click.message.channel,
      message_ts: click.message.ts,
      // The clicked message's content is not kept: what is shown after the decision is rebuilt from stored state.
      message_json: "{}",
      opened_by: click.user.id,
      opened_at: deps.clock.now().toISOString(),
    });
  }
  return { ok: true };
}

/** The submitted form. */
export interface AcceptSubmission {
  user: { id: string; name: string };
  viewId: string;
  ref: FindingRef | null;
  values: ViewValues;
}

/**
 * The form's submission: checked again from scratch (the form is not trusted, nor what was checked
 * when it opened: the owner is asked of Slack again), stored as an acceptance under the policy of the
 * run the form was opened from, and the message the button was on updated to show it.
 */
export async function submitAcceptance(
  deps: DecideDeps,
  submission: AcceptSubmission,
): Promise<{ ok: true; update?: () => Promise<void> } | { ok: false; errors: Record<string, string> }> {
  const now = deps.clock.now();
  const found = await clickedFinding(deps, submission.ref);
  if ("refusal" in found) return { ok: false, errors: { [REASON_BLOCK]: found.refusal } };
  const policy = acceptancePolicy(deps, found.policy_name);
  const form = readAcceptanceForm(submission.values, now, policy.maxAcceptanceDays);
  if (!form.ok) return form;
  const allowed = mayAccept(submission.user.id, found.finding, policy, await ownerIfCritical(deps, found.finding));
  if (!allowed.ok) return { ok: false, errors: { [REASON_BLOCK]: allowed.message } };

  const { secrets } = deps.settings;
  const acceptance: NewAcceptance = {
    id: `acc_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
    policy_name: found.policy_name,
    rule_id: found.finding.rule_id,
    key_id: found.finding.key.id,
    fingerprint: found.ref.fingerprint,
    severity: found.finding.severity,
    // Stored redacted: a secret may be typed into the form, and what is stored is shown in Slack, the API and the evidence.
    reason: redact(form.input.reason, secrets),
    expires: form.input.expires,
    ticket: form.input.ticket === null ? null : redact(form.input.ticket, secrets),
    accepted_by_id: submission.user.id,
    accepted_by_name: redact(submission.user.name, secrets),
    // Stamped when written, not when the request came in: the owner lookup above may take a while, and a
    // run's evidence lists the decisions stamped before its start, so an earlier stamp could miss every run.
    accepted_at: deps.clock.now().toISOString(),
  };
  await deps.acceptances.add(acceptance);
  log.info(`keywarden: ${acceptance.id}: ${acceptance.accepted_by_id} accepted ${acceptance.rule_id} on ${acceptance.key_id} until ${acceptance.expires}`);
  const prompt = await deps.acceptances.prompt(submission.viewId);
  if (!prompt || !deps.notifier) return { ok: true };
  return {
    ok: true,
    update: async () => {
      try {
        await showAcceptance(deps, prompt, found.ref.runId, found.finding, acceptance, now);
      } catch (error) {
        log.error(`keywarden: ${acceptance.id}: the message could not be updated: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
