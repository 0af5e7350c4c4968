import { z } from "zod";
import { DEFAULT_RESPONSE_URL_PREFIX } from "../config.js";
import { POLICY_NAME } from "../config.js";
import { escapeMrkdwn } from "../slack/mrkdwn.js";

const MAX_POLICY_NAME = 64;


/**
 * The fields of Slack's slash-command form payload that Keywarden uses. Keywarden POSTs the report
 * to `response_url`, so it must start with `responseUrlPrefix` (Slack's hooks host by default; the
 * fake Slack's address in tests): a signed request must not be able to send the report elsewhere.
 */
export function slashCommandSchema(opts: { responseUrlPrefix?: string } = {}) {
  const prefix = opts.responseUrlPrefix ?? DEFAULT_RESPONSE_URL_PREFIX;
  return z.object({
    command: z.string().min(1),
    text: z.string().default(""),
    user_id: z.string().min(1),
    channel_id: z.string().min(1),
    team_id: z.string().min(1),
    response_url: z.url({ protocol: /^https?$/ }).refine((url) => url.startsWith(prefix), { error: "is outside SLACK_RESPONSE_URL_PREFIX" }),
  });
}

export type SlashCommandPayload = z.infer<ReturnType<typeof slashCommandSchema>>;

export type ParsedSlashCommandBody =
  | { ok: true; payload: SlashCommandPayload }
  /** Slack's `ssl_check=1` probe: answer 200 and do nothing. */
  | { ok: false; ssl_check: true }
  | { ok: false; ssl_check: false; error: string; fields: string[] };

/** Parses the (already signature-verified) raw form body. */
export function parseSlashCommandBody(rawBody: string, opts: { responseUrlPrefix?: string } = {}): ParsedSlashCommandBody {
  const form = new URLSearchParams(rawBody);
  if (form.get("ssl_check") === "1") return { ok: false, ssl_check: true };
  const result = slashCommandSchema(opts).safeParse(Object.fromEntries(form));
  if (result.success) return { ok: true, payload: result.data };
  const fields = [...new Set(result.error.issues.map((issue) => issue.path.join(".") || "(body)"))];
  return { ok: false, ssl_check: false, error: `invalid slash command payload: ${fields.join(", ")}`, fields };
}

export type CommandAction =
  | { action: "run"; policy?: string }
  | { action: "status" }
  | { action: "last" }
  | { action: "help" }
  | { action: "unknown"; text: string };

/** `run [policy]`, `status`, `last`, `help`; an empty text is `help`; anything else is `unknown`. */
export function parseCommandText(text: string): CommandAction {
  const words = text.trim().split(/\s+/).filter((w) => w.length > 0);
  const [verb, ...args] = words;
  if (verb === undefined) return { action: "help" };
  switch (verb.toLowerCase()) {
    case "run": {
      if (args.length === 0) return { action: "run" };
      const [policy] = args;
      if (args.length === 1 && policy !== undefined && policy.length <= MAX_POLICY_NAME && POLICY_NAME.test(policy)) return { action: "run", policy };
      break;
    }
    case "status":
    case "last":
    case "help":
      if (args.length === 0) return { action: verb.toLowerCase() as "status" | "last" | "help" };
      break;
  }
  return { action: "unknown", text: text.trim() };
}

/**
 * The payload's command (e.g. "/keywarden") as it may be echoed in mrkdwn: no markup, no spaces, no backticks.
 * Cut before escaping: cut after, `&gt;` could lose its `;` and leave a bare `&`.
 */
export function echoedCommand(command: string): string {
  return escapeMrkdwn([...command.replace(/[`\s]/g, "")].slice(0, 64).join(""));
}

/** Slack mrkdwn. `command` is the payload's command (e.g. "/keywarden"). */
export function helpText(command = "/keywarden"): string {
  command = echoedCommand(command);
  return [
    "*Keywarden* audits the API keys of the OpenAI organization against a policy.",
    `• \`${command} run [policy]\` — start an audit now (the default policy unless one is named, e.g. \`${command} run default\`); the report is posted in the Keywarden channel`,
    `• \`${command} status\` — whether a run is in progress`,
    `• \`${command} last\` — the result of the last run`,
    `• \`${command} help\` — this help`,
  ].join("\n");
}
