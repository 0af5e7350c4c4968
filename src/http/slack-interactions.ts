import { Hono } from "hono";
import { z } from "zod";
import { type Config, readConfig } from "../config.js";
import { openAcceptForm, submitAcceptance } from "../decide/accept-flow.js";
import type { Answer, SlackUser } from "../decide/ports.js";
import { approveRemediation, rejectRemediation } from "../decide/revoke-approval.js";
import { openRevokeForm, submitRevoke } from "../decide/revoke-request.js";
import { openReenableForm, submitReenable } from "../decide/reenable.js";
import { services } from "../services.js";
import { ACCEPT_MODAL } from "../slack/accept-modal.js";
import { ACCEPT_RISK_ACTION, findingRefValue, readFindingRef } from "../slack/finding-actions.js";
import { escapeMrkdwn } from "../slack/mrkdwn.js";
import { REENABLE_ACTION, REENABLE_MODAL } from "../slack/reenable-blocks.js";
import { APPROVE_ACTION, FINDING_MENU_ACTION, REJECT_ACTION, REVOKE_MODAL, readMenuChoice } from "../slack/remediation-blocks.js";
import { postToResponseUrl } from "../slack/send.js";
import { log } from "../util/log.js";
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
 * POST /slack/interactions: Accept risk, Revoke… and Re-enable (the clicks, the modals' submissions,
 * Approve and Reject), handed to the use cases of decide/ with their ports from services.ts. Signed, size-capped
 * and honoured once like slash commands; answered within Slack's 3 s, the slower work (views.open,
 * chat.update) after the answer.
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
  const decide = services(c.env, config).decide();
  const payload = parsed.data;
  const user: SlackUser = { id: payload.user.id, name: payload.user.name ?? payload.user.username ?? payload.user.id };

  if (payload.type === "block_actions") {
    const choice = clickedChoice(payload);
    if (!choice) return c.body(null, 200);
    const answer = (work: Promise<Answer>, failure: string) =>
      c.executionCtx.waitUntil(
        work
          .then((result) => (result.message ? ephemeral(config, payload, result.message) : undefined))
          .catch((error) => log.error(`keywarden: ${failure}: ${error instanceof Error ? error.message : String(error)}`)),
      );
    if (choice.kind === "accept_risk") {
      const channel = payload.container?.channel_id;
      const message = channel && payload.message ? { channel, ts: payload.message.ts } : null;
      answer(openAcceptForm(decide, { user, triggerId: payload.trigger_id, ref: readFindingRef(choice.value), message }), "the Accept-risk form could not be opened");
    } else if (choice.kind === "revoke") {
      const target = readFindingRef(choice.value);
      answer(target ? openRevokeForm(decide, user, payload.trigger_id, target) : Promise.resolve({ ok: false, message: UNNAMED_RUN_REVOKE }), REMEDIATION_CLICK_FAILED);
    } else if (choice.kind === "approve") answer(approveRemediation(decide, user, choice.value), REMEDIATION_CLICK_FAILED);
    else if (choice.kind === "reenable") answer(openReenableForm(decide, user, payload.trigger_id, choice.value), REMEDIATION_CLICK_FAILED);
    else answer(rejectRemediation(decide, user, choice.value), REMEDIATION_CLICK_FAILED);
    return c.body(null, 200);
  }

  if (payload.view.callback_id === REVOKE_MODAL || payload.view.callback_id === REENABLE_MODAL) {
    const submit = payload.view.callback_id === REVOKE_MODAL ? submitRevoke : submitReenable;
    const outcome = await submit(decide, user, payload.view.private_metadata, payload.view.state.values);
    if (!outcome.ok) return c.json({ response_action: "errors", errors: outcome.errors });
    c.executionCtx.waitUntil(outcome.after());
    return c.body(null, 200);
  }
  if (payload.view.callback_id !== ACCEPT_MODAL) return c.body(null, 200);
  const outcome = await submitAcceptance(decide, { user, viewId: payload.view.id, ref: readFindingRef(payload.view.private_metadata), values: payload.view.state.values });
  if (!outcome.ok) return c.json({ response_action: "errors", errors: outcome.errors });
  if (outcome.update) c.executionCtx.waitUntil(outcome.update());
  return c.body(null, 200);
});

const REMEDIATION_CLICK_FAILED = "a remediation click failed";

type Click = z.infer<typeof blockActions>;

/**
 * What a click asks for: the Accept-risk button or menu entry, or Revoke… (their value:
 * `<run id>:<fingerprint>`, or a bare fingerprint from a report made before runs were named), or
 * Approve / Reject on a request message, or Re-enable on a carried-out Disable's (the request id).
 */
function clickedChoice(click: Click): { kind: "accept_risk" | "revoke" | "approve" | "reject" | "reenable"; value: string } | null {
  for (const action of click.actions) {
    if (action.action_id === ACCEPT_RISK_ACTION && action.value) return { kind: "accept_risk", value: action.value };
    if (action.action_id === FINDING_MENU_ACTION && action.selected_option) {
      const menu = readMenuChoice(action.selected_option.value);
      if (menu) return { kind: menu.choice, value: menu.ref ? findingRefValue(menu.ref) : menu.fingerprint };
    }
    if (action.action_id === APPROVE_ACTION && action.value) return { kind: "approve", value: action.value };
    if (action.action_id === REJECT_ACTION && action.value) return { kind: "reject", value: action.value };
    if (action.action_id === REENABLE_ACTION && action.value) return { kind: "reenable", value: action.value };
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

/** A menu of a report made before menus named their run: which policy governs it cannot be told. */
const UNNAMED_RUN_REVOKE =
  "This menu is from a Keywarden report made before menus named their run, so which policy governs it cannot be told: use the Revoke… of the latest report. Nothing was requested.";
