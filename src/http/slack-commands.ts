import { Hono } from "hono";
import type { AuditRun } from "../model/run.js";
import { type Config, ConfigError, readConfig } from "../config.js";
import { renderSlackReport } from "../slack/render.js";
import { services } from "../services.js";
import { UnknownPolicyError, startRun } from "../worker/trigger.js";
import { jsonError, misconfigured } from "./errors.js";
import { type SlackRequestEnv, slackBodyLimit, verifiedSlackRequest } from "./slack-request.js";
import { echoedCommand, helpText, parseCommandText, parseSlashCommandBody } from "./slash-command-text.js";
import { log } from "../util/log.js";

const ephemeral = (text: string, blocks?: unknown[]) => ({ response_type: "ephemeral" as const, text, ...(blocks ? { blocks } : {}) });

/**
 * POST /slack/commands: `/keywarden run [policy] | status | last | help`.
 * Every request is verified (v0 signature over the raw body, 5-minute window)
 * before anything is parsed; the answer comes within Slack's 3 seconds because
 * the run itself is a Workflow that reports back to the response_url.
 */
export const slackCommands = new Hono<SlackRequestEnv>();

slackCommands.post("/", slackBodyLimit, verifiedSlackRequest, async (c) => {
  let config: Config;
  try {
    config = readConfig(c.env);
  } catch (error) {
    if (error instanceof ConfigError) return misconfigured(c, error);
    throw error;
  }

  const parsed = parseSlashCommandBody(c.get("slackBody"), { responseUrlPrefix: config.slackResponseUrlPrefix });
  if (!parsed.ok && parsed.ssl_check) return c.body(null, 200);
  if (!parsed.ok) {
    if (parsed.fields.includes("response_url")) log.error("keywarden: refused a signed slash command whose response_url is outside SLACK_RESPONSE_URL_PREFIX");
    return jsonError(c, 400, "invalid_request", parsed.error, { field: parsed.fields.join(", ") });
  }
  const { payload } = parsed;
  const command = echoedCommand(payload.command);
  const action = parseCommandText(payload.text ?? "");
  const history = services(c.env, config).runs;

  // Starting a run and reading findings (key names, owners) are for the allowed users only.
  if ((action.action === "run" || action.action === "last") && config.slackAllowedUsers.length > 0 && !config.slackAllowedUsers.includes(payload.user_id)) {
    return jsonError(c, 403, "forbidden", "this Slack user may not start Keywarden runs or read their findings (SLACK_ALLOWED_USERS)");
  }

  switch (action.action) {
    case "run": {
      try {
        const result = await startRun(c.env, {
          trigger: "slack",
          ...(action.policy ? { policy: action.policy } : {}),
          response_url: payload.response_url,
          requested_by: payload.user_id,
        });
        return c.json(
          ephemeral(
            result.started
              ? `Started audit run \`${result.id}\`. I will answer here when it ends; the report goes to the Keywarden channel.`
              : `Run \`${result.id}\` is already in progress; not starting another. Use \`${command} status\` to follow it.`,
          ),
        );
      } catch (error) {
        if (error instanceof UnknownPolicyError) return c.json(ephemeral(`:warning: ${error.message}`));
        throw error;
      }
    }
    case "status": {
      const running = await history.active();
      if (running) return c.json(ephemeral(`Run \`${running.id}\` is in progress (started ${running.started_at}).`));
      const last = await history.latest("any");
      if (!last) return c.json(ephemeral(`No run yet. Start one with \`${command} run\`.`));
      const run = await history.get(last.id);
      return c.json(ephemeral(`No run in progress. Last run \`${last.id}\`: ${run?.status} (finished ${last.finished_at}).`));
    }
    case "last": {
      const last = await history.latest("complete");
      const run = last ? await history.get(last.id) : null;
      if (!run || !last) return c.json(ephemeral(`No complete run yet. Start one with \`${command} run\`.`));
      const { main } = renderSlackReport(run as AuditRun, { channel: config.slack?.channel ?? "" });
      // An older complete run must not read as the current state when newer runs saw less.
      const newest = await history.latest("any");
      const warning =
        newest && newest.id !== last.id ? `:warning: The newest run \`${newest.id}\` is *${newest.status}*; below is the last complete run.\n` : "";
      return c.json(ephemeral(`${warning}${main.text}`, warning ? [{ type: "section", text: { type: "mrkdwn", text: warning.trim() } }, ...main.blocks] : main.blocks));
    }
    case "help":
      return c.json(ephemeral(helpText(payload.command)));
    case "unknown":
      return c.json(ephemeral(`I did not understand that.\n${helpText(payload.command)}`));
  }
});
