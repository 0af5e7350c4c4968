import { z } from "zod";
import { POLICY_NAME } from "./policy/name.js";

/**
 * Worker settings, read from `env` once per invocation. The names are a contract
 * (README, wrangler.toml, tests). Errors name the setting, never its value.
 */
const optionalSecret = z.string().min(1).optional();

const configSchema = z.object({
  OPENAI_ADMIN_KEY: z.string({ error: "is not set (wrangler secret put OPENAI_ADMIN_KEY)" }).min(1, { error: "is empty" }),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("https://api.openai.com/v1"),
  POLICY: z.string().regex(POLICY_NAME, { error: "must be a policy name such as default" }).default("default"),
  AUDIT_API_TOKEN: optionalSecret,
  SLACK_BOT_TOKEN: optionalSecret,
  SLACK_SIGNING_SECRET: optionalSecret,
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("https://slack.com/api/"),
  SLACK_CHANNEL: z.string().min(1).optional(),
  SLACK_ALLOWED_USERS: z.string().optional(),
  EVIDENCE_SIGNING_KEY: optionalSecret,
  AUDIT_SUBREQUESTS_PER_STEP: z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(10, { error: "must be at least 10" })
    .max(10_000, { error: "must be at most 10000" })
    .default(45),
});

export interface Config {
  openaiAdminKey: string;
  openaiBaseUrl: string;
  policy: string;
  auditApiToken: string | undefined;
  slack: { botToken: string; channel: string; apiUrl: string } | undefined;
  slackSigningSecret: string | undefined;
  slackAllowedUsers: string[];
  evidenceSigningKey: string | undefined;
  /** Most Admin API requests one Workflow step may make (Workers Free allows 50 subrequests per invocation). */
  subrequestsPerStep: number;
  /** Every configured secret, for redaction. */
  secrets: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

/** `env` is the Worker's Env or process.env: any object whose properties are the settings. */
export function readConfig(env: object): Config {
  const settings = env as Record<string, unknown>;
  const input = Object.fromEntries(Object.keys(configSchema.shape).map((name) => [name, emptyToUndefined(settings[name])]));
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    // zod messages never echo the input; the path is the setting's name.
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  const c = parsed.data;
  const slackHalf = [c.SLACK_BOT_TOKEN, c.SLACK_CHANNEL].filter(Boolean).length === 1;
  if (slackHalf) throw new ConfigError(["SLACK_BOT_TOKEN and SLACK_CHANNEL must be set together"]);
  return {
    openaiAdminKey: c.OPENAI_ADMIN_KEY,
    openaiBaseUrl: c.OPENAI_BASE_URL,
    policy: c.POLICY,
    auditApiToken: c.AUDIT_API_TOKEN,
    slack: c.SLACK_BOT_TOKEN && c.SLACK_CHANNEL ? { botToken: c.SLACK_BOT_TOKEN, channel: c.SLACK_CHANNEL, apiUrl: c.SLACK_API_URL } : undefined,
    slackSigningSecret: c.SLACK_SIGNING_SECRET,
    slackAllowedUsers: (c.SLACK_ALLOWED_USERS ?? "").split(/[\s,]+/).filter(Boolean),
    evidenceSigningKey: c.EVIDENCE_SIGNING_KEY,
    subrequestsPerStep: c.AUDIT_SUBREQUESTS_PER_STEP,
    secrets: [c.OPENAI_ADMIN_KEY, c.AUDIT_API_TOKEN, c.SLACK_BOT_TOKEN, c.SLACK_SIGNING_SECRET, c.EVIDENCE_SIGNING_KEY].filter(
      (s): s is string => typeof s === "string",
    ),
  };
}

function emptyToUndefined(value: unknown): unknown {
  return value === "" ? undefined : value;
}
