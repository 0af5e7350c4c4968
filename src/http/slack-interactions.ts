import type { WebClient } from "@slack/web-api";
import { Hono } from "hono";
import { z } from "zod";
import type { RunFinding } from "../model/run.js";
import { type Config, readConfig } from "../config.js";
import { DEFAULT_MAX_ACCEPTANCE_DAYS } from "../policy/schema.js";
import { type Severity, severityRank } from "../model/severity.js";
import { ACCEPT_RISK_ACTION, type FindingRef, findingRefValue, readFindingRef } from "../slack/finding-actions.js";
import { escapeMrkdwn } from "../slack/mrkdwn.js";
import { APPROVE_ACTION, FINDING_MENU_ACTION, REJECT_ACTION, REVOKE_MODAL, readMenuChoice } from "../slack/remediation-blocks.js";
import { createSlackClient, postToResponseUrl } from "../slack/send.js";
import { AcceptanceStore } from "../store/acceptances.js";
import { RunHistory } from "../store/run-history.js";
import {
  ACCEPT_MODAL,
  type AcceptancePolicy,
  REASON_BLOCK,
  acceptanceModal,
  type OwnerInSlack,
  mayAccept,
  ownerInSlack,
  readAcceptanceForm,
} from "../decide/accept-risk.js";
import { log } from "../util/log.js";
import { parsedBundledPolicy } from "../policy/bundled.js";
import { showAcceptance } from "../decide/acceptance-update.js";
import { type Answer, approveRemediation, openRevokeModal, rejectRemediation, submitRevoke } from "../decide/remediation.js";
import { redact } from "../util/redact.js";
import { jsonError } from "./errors.js";
import { type SlackRequestEnv, slackBodyLimit, verifiedSlackRequest } from "./slack-request.js";

const slackUser = z.object({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() });

const blockActions = z.object({
  type: z.literal("block_actions"),
  user: slackUser,
  trigger_id: z.string().min(1),
  actions: z.array(z.object({ action_id: z.string(), value: z.string().optional(), selected_option: z.object({ value: z.string() }).nullish() })).min(1),
  container: z.object({ channel_id: z.string().optional(), message_ts: z.string().optional() }).optional(),
  message: z.object({ ts: z.string(), text: z.string().optional(), blocks: z.array(z.unknown()).optional() }).optional(),
  response_url: z.string().optional(),
});

const viewSubmission = z.object({
  type: z.literal("view_submission"),
  user: slackUser,
  view: z.object({
    id: z.string().min(1),
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({
      values: z.record(
        z.string(),
        z.record(
          z.string(),
          z.object({
            value: z.string().nullish(),
            selected_date: z.string().nullish(),
            selected_option: z.object({ value: z.string() }).nullish(),
            selected_options: z.array(z.object({ value: z.string() })).nullish(),
          }),
        ),
      ),
    }),
  }),
});

const interaction = z.discriminatedUnion("type", [blockActions, viewSubmission]);

/**
 * POST /slack/interactions: the Accept-risk button and its modal. Signed, size-capped and honoured
 * once like slash commands; answered within Slack's 3 s, the slower work (views.open, chat.update)
 * after the answer.
 */
export const slackInteractions = new Hono<SlackRequestEnv>();

slackInteractions.post("/", slackBodyLimit, verifiedSlackRequest, async (c) => {
  const form = new URLSearchParams(c.get("slackBody"));
  let json: unknown;
  try {
    json = JSON.parse(form.get("payload") ?? "");
  } catch {
    return jsonError(c, 400, "invalid_request", "the body has no JSON `payload` field", { field: "payload" });
  }
  const parsed = interaction.safeParse(json);
  // Interactions Keywarden does not offer (other types, other buttons) are acknowledged and ignored.
  if (!parsed.success) return c.body(null, 200);
  const config = readConfig(c.env);
  const payload = parsed.data;

  if (payload.type === "block_actions") {
    const choice = clickedChoice(payload);
    if (!choice) return c.body(null, 200);
    const user = { id: payload.user.id, name: payload.user.name ?? payload.user.username ?? payload.user.id };
    const answer = (work: Promise<Answer>) =>
      c.executionCtx.waitUntil(
        work
          .then((result) => (result.message ? ephemeral(config, payload, result.message) : undefined))
          .catch((error) => log.error(`keywarden: a remediation click failed: ${error instanceof Error ? error.message : String(error)}`)),
      );
    if (choice.kind === "accept_risk") c.executionCtx.waitUntil(openAcceptModal(c.env, config, payload, choice.value));
    else if (choice.kind === "revoke") {
      const target = readFindingRef(choice.value);
      answer(target ? openRevokeModal(c.env, config, user, payload.trigger_id, target) : Promise.resolve({ ok: false, message: UNNAMED_RUN_REVOKE }));
    }
    else if (choice.kind === "approve") answer(approveRemediation(c.env, config, user, choice.value));
    else answer(rejectRemediation(c.env, config, user, choice.value));
    return c.body(null, 200);
  }

  if (payload.view.callback_id === REVOKE_MODAL) {
    const user = { id: payload.user.id, name: payload.user.name ?? payload.user.username ?? payload.user.id };
    const outcome = await submitRevoke(c.env, config, user, payload.view.private_metadata, payload.view.state.values);
    if (!outcome.ok) return c.json({ response_action: "errors", errors: outcome.errors });
    c.executionCtx.waitUntil(outcome.after());
    return c.body(null, 200);
  }
  if (payload.view.callback_id !== ACCEPT_MODAL) return c.body(null, 200);
  const outcome = await submitAcceptance(c.env, config, payload, new Date());
  if (!outcome.ok) return c.json({ response_action: "errors", errors: outcome.errors });
  if (outcome.update) c.executionCtx.waitUntil(outcome.update());
  return c.body(null, 200);
});

type Click = z.infer<typeof blockActions>;

/**
 * What a click asks for: the Accept-risk button or menu entry, or Revoke… (their value:
 * `<run id>:<fingerprint>`, or a bare fingerprint from a report made before runs were named), or
 * Approve / Reject on a request message (the request id).
 */
function clickedChoice(click: Click): { kind: "accept_risk" | "revoke" | "approve" | "reject"; value: string } | null {
  for (const action of click.actions) {
    if (action.action_id === ACCEPT_RISK_ACTION && action.value) return { kind: "accept_risk", value: action.value };
    if (action.action_id === FINDING_MENU_ACTION && action.selected_option) {
      const menu = readMenuChoice(action.selected_option.value);
      if (menu) return { kind: menu.choice, value: menu.ref ? findingRefValue(menu.ref) : menu.fingerprint };
    }
    if (action.action_id === APPROVE_ACTION && action.value) return { kind: "approve", value: action.value };
    if (action.action_id === REJECT_ACTION && action.value) return { kind: "reject", value: action.value };
  }
  return null;
}

/** A reply only the clicking user sees, through the click's response_url (when it is Slack's). */
async function ephemeral(config: Config, click: Click, text: string): Promise<void> {
  if (click.response_url?.startsWith(config.slackResponseUrlPrefix)) {
    // Refusals quote key, project and account names: shown as text, never as links or mentions.
    await postToResponseUrl(click.response_url, { response_type: "ephemeral", replace_original: false, text: escapeMrkdwn(text) }, { secrets: config.secrets });
  } else {
    log.error("keywarden: a reply to a click could not be sent: no response_url under SLACK_RESPONSE_URL_PREFIX");
  }
}
type Submission = z.infer<typeof viewSubmission>;

function acceptancePolicy(config: Config, policyName: string): AcceptancePolicy {
  const policy = parsedBundledPolicy(policyName);
  return { allowedUsers: config.slackAllowedUsers, approvers: policy?.approvers ?? [], maxAcceptanceDays: policy?.max_acceptance_days ?? DEFAULT_MAX_ACCEPTANCE_DAYS };
}

/** A button of a report made before buttons named their run: which policy governs it cannot be told. */
const UNNAMED_RUN =
  "This button is from a Keywarden report made before buttons named their run, so which policy governs it cannot be told: use the Accept-risk button of the latest report. Nothing was stored.";
const UNNAMED_RUN_REVOKE =
  "This menu is from a Keywarden report made before menus named their run, so which policy governs it cannot be told: use the Revoke… of the latest report. Nothing was requested.";
const NO_RECORD = "Keywarden has no record of this finding in the run of this report. Nothing was stored.";

/**
 * The finding as the clicked report's run recorded it, with that run's policy: the run, not the
 * newest one, decides who may accept, for how long, and under which policy it is stored.
 */
async function clickedFinding(env: Env, value: string): Promise<{ ref: FindingRef; finding: RunFinding; policy_name: string } | { refusal: string }> {
  const ref = readFindingRef(value);
  if (!ref) return { refusal: UNNAMED_RUN };
  const found = await new RunHistory(env.DB).findingOfRun(ref.runId, ref.fingerprint);
  if (!found) return { refusal: NO_RECORD };
  return { ref, finding: { ...found.finding, severity: severityNow(found.finding, found.policy_name) }, policy_name: found.policy_name };
}

/**
 * The finding's severity for the rules of accepting it: as the run recorded it, or higher when its
 * policy rates the rule higher now. An acceptance exempts the rule on the key from the next run on,
 * so an owner must not accept, from an older report, a finding the policy has since made critical.
 */
function severityNow(finding: RunFinding, policyName: string): Severity {
  const current = parsedBundledPolicy(policyName)?.rules.find((rule) => rule.id === finding.rule_id)?.severity;
  return current !== undefined && severityRank(current) > severityRank(finding.severity) ? current : finding.severity;
}

/** The owner of a critical finding's key, asked of Slack now; other findings do not need it. */
async function ownerIfCritical(client: WebClient | null, finding: RunFinding): Promise<OwnerInSlack | undefined> {
  if (finding.severity !== "critical") return { kind: "none" };
  if (!client) return { kind: "unknown", cause: "lookup-failed", why: "Slack cannot be asked while SLACK_BOT_TOKEN is off" };
  return ownerInSlack(client, finding);
}

/** Checks the clicking user and opens the modal at once (the trigger id is valid for 3 s); a refusal is ephemeral. */
async function openAcceptModal(env: Env, config: Config, click: Click, value: string): Promise<void> {
  const refuse = (text: string) => ephemeral(config, click, text);
  try {
    if (!config.slack) return void (await refuse("Keywarden cannot open the form: SLACK_BOT_TOKEN is off."));
    const found = await clickedFinding(env, value);
    if ("refusal" in found) return void (await refuse(found.refusal));
    const client = createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets });
    const policy = acceptancePolicy(config, found.policy_name);
    const allowed = mayAccept(click.user.id, found.finding, policy, await ownerIfCritical(client, found.finding));
    if (!allowed.ok) return void (await refuse(allowed.message));
    const opened = await client.views.open({ trigger_id: click.trigger_id, view: acceptanceModal(found.finding, found.ref.runId, policy.maxAcceptanceDays, new Date()) as never });
    const channel = click.container?.channel_id;
    if (opened.view?.id && channel && click.message) {
      await new AcceptanceStore(env.DB).savePrompt({
        view_id: opened.view.id,
        fingerprint: found.ref.fingerprint,
        channel,
        message_ts: click.message.ts,
        // The clicked message's content is not kept: what is shown after the decision is rebuilt from stored state.
        message_json: "{}",
        opened_by: click.user.id,
        opened_at: new Date().toISOString(),
      });
    }
  } catch (error) {
    log.error(`keywarden: the Accept-risk form could not be opened: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The modal's submission: checked again from scratch (the form is not trusted, nor what was checked
 * when it opened: the owner is asked of Slack again), stored as an acceptance under the policy of the
 * run the form was opened from, and the message the button was on updated to show it.
 */
async function submitAcceptance(
  env: Env,
  config: Config,
  submission: Submission,
  now: Date,
): Promise<{ ok: true; update?: () => Promise<void> } | { ok: false; errors: Record<string, string> }> {
  const found = await clickedFinding(env, submission.view.private_metadata);
  if ("refusal" in found) return { ok: false, errors: { [REASON_BLOCK]: found.refusal } };
  const { fingerprint } = found.ref;
  const policy = acceptancePolicy(config, found.policy_name);
  const form = readAcceptanceForm(submission.view.state.values, now, policy.maxAcceptanceDays);
  if (!form.ok) return form;
  const client = config.slack ? createSlackClient({ token: config.slack.botToken, apiUrl: config.slack.apiUrl, secrets: config.secrets }) : null;
  const allowed = mayAccept(submission.user.id, found.finding, policy, await ownerIfCritical(client, found.finding));
  if (!allowed.ok) return { ok: false, errors: { [REASON_BLOCK]: allowed.message } };

  const acceptance = {
    id: `acc_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`,
    policy_name: found.policy_name,
    rule_id: found.finding.rule_id,
    key_id: found.finding.key.id,
    fingerprint,
    severity: found.finding.severity,
    // Stored redacted: a secret may be typed into the form, and what is stored is shown in Slack, the API and the evidence.
    reason: redact(form.input.reason, config.secrets),
    expires: form.input.expires,
    ticket: form.input.ticket === null ? null : redact(form.input.ticket, config.secrets),
    accepted_by_id: submission.user.id,
    accepted_by_name: redact(submission.user.name ?? submission.user.username ?? submission.user.id, config.secrets),
    // Stamped when written, not when the request came in: the owner lookup above may take a while, and a
    // run's evidence lists the decisions stamped before its start, so an earlier stamp could miss every run.
    accepted_at: new Date().toISOString(),
  };
  const store = new AcceptanceStore(env.DB);
  await store.add(acceptance);
  log.info(`keywarden: ${acceptance.id}: ${acceptance.accepted_by_id} accepted ${acceptance.rule_id} on ${acceptance.key_id} until ${acceptance.expires}`);
  const prompt = await store.prompt(submission.view.id);
  if (!prompt || !client) return { ok: true };
  return {
    ok: true,
    update: async () => {
      try {
        await showAcceptance(env, config, client, prompt, found.ref.runId, found.finding, acceptance, now);
      } catch (error) {
        log.error(`keywarden: ${acceptance.id}: the message could not be updated: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
  };
}
