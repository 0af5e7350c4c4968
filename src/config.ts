import { z } from "zod";
import { ConfigError, SECRET_SETTINGS, type SettingProblem, type SettingsPlace } from "./config-error.js";
import { readEnrichSettings } from "./enrichment/settings.js";
import type { EnrichSource } from "./model/enrichment.js";
import { POLICY_NAME } from "./policy/name.js";
import { type RemediationSettings, readRemediationSettings } from "./decide/settings.js";
import { signingKeyProblem } from "./evidence/signing.js";

export { ConfigError, type SettingProblem, type SettingsPlace } from "./config-error.js";

/**
 * Worker settings, read from `env` once per invocation. The names are a contract
 * (README, wrangler.toml, tests). Errors name the setting, never its value.
 */
const optionalSecret = z.string().min(1).optional();
/**
 * Every secret is listed in wrangler.toml's `[secrets] required` (so `wrangler dev` loads it from
 * .dev.vars and `wrangler deploy` checks it is set); a feature's secret set to this word turns it off.
 */
export const SECRET_OFF = "off";
/** Where Slack's response_urls live. */
export const DEFAULT_RESPONSE_URL_PREFIX = "https://hooks.slack.com/";
const OPTIONAL_SECRETS = ["AUDIT_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "EVIDENCE_SIGNING_KEY"] as const;

/** The values `.dev.vars.example` ships with: a copy not filled in must not start, least of all with a token every reader knows. */
const PLACEHOLDER_ADMIN_KEY = "sk-admin-...";
const PLACEHOLDER_API_TOKEN = "change-me-to-a-long-random-string";

const configSchema = z.object({
  OPENAI_ADMIN_KEY: z
    .string({ error: "is not set" })
    .min(1, { error: "is empty" })
    .refine((value) => value !== PLACEHOLDER_ADMIN_KEY, { error: "is the placeholder of .dev.vars.example: put an Admin API key there" })
    // An HTTP header cannot carry it, and the SDK's failure would read as "could not be reached".
    .refine((value) => /^[\x21-\x7e]+$/.test(value), { error: "holds a space or a character that is not printable ASCII, which no Admin API key does (the README's sk-admin-… placeholder copied as it is?)" }),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("https://api.openai.com/v1"),
  POLICY: z.string().regex(POLICY_NAME, { error: "must be a policy name such as default" }).default("default"),
  AUDIT_API_TOKEN: optionalSecret.refine((value) => value !== PLACEHOLDER_API_TOKEN, {
    error: "is the placeholder of .dev.vars.example: put a long random value there (openssl rand -hex 32)",
  }),
  SLACK_BOT_TOKEN: optionalSecret,
  SLACK_SIGNING_SECRET: optionalSecret,
  SLACK_API_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).default("https://slack.com/api/"),
  SLACK_CHANNEL: z.string().min(1).optional(),
  SLACK_RESPONSE_URL_PREFIX: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .refine((url) => url.endsWith("/"), { error: "must end with / (so that https://hooks.slack.com does not also match https://hooks.slack.com.example)" })
    .default(DEFAULT_RESPONSE_URL_PREFIX),
  SLACK_ALLOWED_USERS: z.string().optional(),
  EVIDENCE_SIGNING_KEY: optionalSecret.superRefine((value, ctx) => {
    const problem = value === undefined ? null : signingKeyProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: `${problem} (or off for unsigned evidence)` });
  }),
  AUDIT_SUBREQUESTS_PER_STEP: z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(10, { error: "must be at least 10" })
    .max(10_000, { error: "must be at most 10000" })
    .default(45),
  SLACK_NOTIFY_OWNERS: z.enum(["true", "false"], { error: "must be true or false" }).default("false"),
  SLACK_OWNER_MESSAGES_MAX: z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(1, { error: "must be at least 1" })
    .max(1000, { error: "must be at most 1000" })
    .default(50),
  STALE_AFTER_DAYS: z.coerce
    .number({ error: "must be a whole number of days" })
    .int({ error: "must be a whole number of days" })
    .min(1, { error: "must be at least 1" })
    .max(366, { error: "must be at most 366" })
    .default(8),
});

export interface Config {
  openaiAdminKey: string;
  openaiBaseUrl: string;
  policy: string;
  auditApiToken: string | undefined;
  slack: { botToken: string; channel: string; apiUrl: string } | undefined;
  slackSigningSecret: string | undefined;
  slackAllowedUsers: string[];
  /** A slash command's response_url must start with this; Keywarden posts nowhere else. */
  slackResponseUrlPrefix: string;
  evidenceSigningKey: string | undefined;
  /** Most Admin API requests one Workflow step may make (Workers Free allows 50 subrequests per invocation). */
  subrequestsPerStep: number;
  /** After the channel report, each owner gets one message with their new findings (opt-in). */
  notifyOwners: boolean;
  /** Most owner messages one run sends; the others are listed in the channel report's thread. */
  ownerMessagesMax: number;
  /** /healthz answers 503 when no run completed within this many days. */
  staleAfterDays: number;
  /** REMEDIATION, REMEDIATION_APPROVALS, REMEDIATION_MAX_PER_DAY (../remediation/settings.ts). */
  remediation: RemediationSettings;
  /** ENRICH: the enrichment sources a run asks for (../enrichment/settings.ts). */
  enrich: EnrichSource[];
  /** Every configured secret, for redaction. */
  secrets: string[];
}

/**
 * `env` is the Worker's Env or process.env: any object whose properties are the settings. Every
 * problem of every setting is reported in one ConfigError, with the fix for `place`.
 */
export function readConfig(env: object, place: SettingsPlace = "unknown"): Config {
  const settings = env as Record<string, unknown>;
  const input = Object.fromEntries(Object.keys(configSchema.shape).map((name) => [name, unsetToUndefined(name, settings[name])]));
  const parsed = configSchema.safeParse(input);
  // zod messages never echo the input; the path is the setting's name.
  const problems: SettingProblem[] = parsed.success ? [] : parsed.error.issues.map((issue) => ({ setting: issue.path.join("."), problem: issue.message }));
  if (input.SLACK_BOT_TOKEN && !input.SLACK_CHANNEL) {
    problems.push({ setting: "SLACK_CHANNEL", problem: `is empty while SLACK_BOT_TOKEN is set: give the report channel's id (or set SLACK_BOT_TOKEN to ${SECRET_OFF} for no reports)` });
  }
  if (input.SLACK_CHANNEL && !input.SLACK_BOT_TOKEN) {
    problems.push({ setting: "SLACK_BOT_TOKEN", problem: "is not set while SLACK_CHANNEL is: give the Slack app's bot token (or leave SLACK_CHANNEL empty for no reports)" });
  }
  const remediation = settingsOrProblems(() => readRemediationSettings(env), problems);
  const enrich = settingsOrProblems(() => readEnrichSettings(env), problems);
  if (!parsed.success || !remediation || !enrich || problems.length > 0) throw new ConfigError(problems, place);
  const c = parsed.data;
  return {
    openaiAdminKey: c.OPENAI_ADMIN_KEY,
    openaiBaseUrl: c.OPENAI_BASE_URL,
    policy: c.POLICY,
    auditApiToken: c.AUDIT_API_TOKEN,
    slack: c.SLACK_BOT_TOKEN && c.SLACK_CHANNEL ? { botToken: c.SLACK_BOT_TOKEN, channel: c.SLACK_CHANNEL, apiUrl: c.SLACK_API_URL } : undefined,
    slackSigningSecret: c.SLACK_SIGNING_SECRET,
    slackAllowedUsers: (c.SLACK_ALLOWED_USERS ?? "").split(/[\s,]+/).filter(Boolean),
    slackResponseUrlPrefix: c.SLACK_RESPONSE_URL_PREFIX,
    evidenceSigningKey: c.EVIDENCE_SIGNING_KEY,
    subrequestsPerStep: c.AUDIT_SUBREQUESTS_PER_STEP,
    staleAfterDays: c.STALE_AFTER_DAYS,
    notifyOwners: c.SLACK_NOTIFY_OWNERS === "true",
    ownerMessagesMax: c.SLACK_OWNER_MESSAGES_MAX,
    remediation,
    enrich,
    secrets: secretValues(c),
  };
}

/**
 * The bearer token of the HTTP API, or undefined while the API is disabled: AUDIT_API_TOKEN unset,
 * `off`, or the placeholder of .dev.vars.example (which every reader of the repository knows).
 */
export function usableApiToken(env: object): string | undefined {
  const token = (env as Record<string, unknown>).AUDIT_API_TOKEN;
  if (typeof token !== "string" || token === "" || token === SECRET_OFF || token === PLACEHOLDER_API_TOKEN) return undefined;
  return token;
}

/** What `read` gives, or null with its problems added to `problems`. */
function settingsOrProblems<T>(read: () => T, problems: SettingProblem[]): T | null {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.issues);
    return null;
  }
}

/** Every secret value present in `env`, valid or not: what must be redacted even when the configuration is broken. */
export function secretValues(env: object): string[] {
  const settings = env as Record<string, unknown>;
  return SECRET_SETTINGS.map((name) => settings[name]).filter((v): v is string => typeof v === "string" && v !== "" && v !== SECRET_OFF);
}

/**
 * The channel-report settings alone, when they are valid: a run that cannot start because of another
 * setting can still be reported to Slack.
 */
export function readSlackReportSettings(env: object): Config["slack"] {
  const settings = env as Record<string, unknown>;
  const slackSchema = configSchema.pick({ SLACK_BOT_TOKEN: true, SLACK_CHANNEL: true, SLACK_API_URL: true });
  const parsed = slackSchema.safeParse(Object.fromEntries(Object.keys(slackSchema.shape).map((name) => [name, unsetToUndefined(name, settings[name])])));
  if (!parsed.success || !parsed.data.SLACK_BOT_TOKEN || !parsed.data.SLACK_CHANNEL) return undefined;
  return { botToken: parsed.data.SLACK_BOT_TOKEN, channel: parsed.data.SLACK_CHANNEL, apiUrl: parsed.data.SLACK_API_URL };
}

/** An empty var (wrangler.toml's `""`) is unset, and so is an optional secret set to `off`. */
function unsetToUndefined(name: string, value: unknown): unknown {
  if (value === "") return undefined;
  if (value === SECRET_OFF && (OPTIONAL_SECRETS as readonly string[]).includes(name)) return undefined;
  return value;
}
