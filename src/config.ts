// Over 250 lines on purpose: every setting is here, in one schema (issue 18); accounts in config-accounts.ts.
import { z } from "zod";
import { ConfigError, SECRET_SETTINGS, type SettingProblem, type SettingsPlace } from "./config-error.js";
import { type AccountSettings, DEFAULT_ACCOUNT_SECRETS, DEFAULT_BASE_URLS, PROVIDER_NAMES, parseAccountsSetting } from "./config-accounts.js";
import { ENRICH_SOURCES, type EnrichSource } from "./model/enrichment.js";
import { signingKeyProblem } from "./util/ed25519-key-text.js";

export { ConfigError, type SettingProblem, type SettingsPlace } from "./config-error.js";
export { type AccountSettings, type ProviderName, PROVIDER_NAMES, accountOf } from "./config-accounts.js";

/**
 * Every setting of the Worker and the CLI, in one zod schema, read from `env` once per invocation;
 * every problem of every setting is reported at once. The names are a contract (README,
 * wrangler.toml, tests). Errors name the setting, never its value. One rule for empty values: a
 * var that is empty or blank (wrangler.toml's `""`) is unset and takes its default, and so is an
 * optional secret set to `off`; ENRICH alone reads an empty list as "none", as documented.
 */
const optionalSecret = z.string().min(1).optional();
/**
 * Every secret is listed in wrangler.toml's `[secrets] required` (so `wrangler dev` loads it from
 * .dev.vars and `wrangler deploy` checks it is set); a feature's secret set to this word turns it off.
 */
export const SECRET_OFF = "off";
/** Where Slack's response_urls live. */
export const DEFAULT_RESPONSE_URL_PREFIX = "https://hooks.slack.com/";
const OPTIONAL_SECRETS = ["OPENAI_ADMIN_KEY", "ANTHROPIC_ADMIN_KEY", "AUDIT_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "EVIDENCE_SIGNING_KEY"] as const;

/** The values `.dev.vars.example` ships with: a copy not filled in must not start, least of all with a token every reader knows. */
const PLACEHOLDER_ADMIN_KEY = "sk-admin-...";
const PLACEHOLDER_API_TOKEN = "change-me-to-a-long-random-string";

/** A policy's name: the file `policies/<name>.yaml`, the POLICY setting, `POST /runs {"policy"}`, `/keywarden run <name>`. */
export const POLICY_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * REMEDIATION: `off` (default: every request is refused), `dry-run` (every guard applies exactly as
 * with `on`, but the call is only described, never made) or `on`. REMEDIATION_APPROVALS: how many
 * people must agree, the requester included: 2 by default; 1 (the requester alone) only when set
 * explicitly; at most 5. REMEDIATION_MAX_PER_DAY: the most actions executed per UTC day (default 5).
 */
export const REMEDIATION_MODES = ["off", "dry-run", "on"] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];
export const DEFAULT_REMEDIATION_APPROVALS = 2;
export const MAX_REMEDIATION_APPROVALS = 5;
export const DEFAULT_REMEDIATION_MAX_PER_DAY = 5;
export const MAX_REMEDIATION_PER_DAY = 100;

export interface RemediationSettings {
  mode: RemediationMode;
  /** People who must agree, the requester included (1 = the requester alone). */
  approvals: number;
  /** Most actions executed per UTC day, across all requests. */
  maxPerDay: number;
}

export const DEFAULT_REMEDIATION_SETTINGS: RemediationSettings = {
  mode: "off",
  approvals: DEFAULT_REMEDIATION_APPROVALS,
  maxPerDay: DEFAULT_REMEDIATION_MAX_PER_DAY,
};

const httpUrl = () => z.url({ protocol: /^https?$/, error: "must be an http(s) URL" });

const wholeNumber = (min: number, max: number, unit = "") =>
  z.coerce
    .number({ error: `must be a whole number${unit}` })
    .int({ error: `must be a whole number${unit}` })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

/**
 * ENRICH: unset, all sources; a comma-separated list of audit_log, usage, costs (any order, repeats
 * ignored); `off` or an empty list (`""`, `" , "`): none, and a run makes no enrichment request.
 */
const enrichSetting = z
  .string({ error: "must be a comma-separated list of audit_log, usage, costs, or off" })
  .optional()
  .transform((value, ctx): EnrichSource[] => {
    if (value === undefined) return [...ENRICH_SOURCES];
    if (value.trim().toLowerCase() === "off") return [];
    const items = value
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== "");
    const chosen = new Set<string>();
    items.forEach((item, index) => {
      if ((ENRICH_SOURCES as readonly string[]).includes(item)) chosen.add(item);
      else ctx.addIssue({ code: "custom", message: `item ${index + 1} is not a source: use audit_log, usage, costs (comma-separated), or off` });
    });
    return ENRICH_SOURCES.filter((source) => chosen.has(source));
  });

/** What is wrong with an admin key as a setting holds it, or null. */
function adminKeyProblem(value: string): string | null {
  if (value === PLACEHOLDER_ADMIN_KEY) return "is the placeholder of .dev.vars.example: put an Admin API key there";
  // An HTTP header cannot carry it, and the SDK's failure would read as "could not be reached".
  if (!/^[\x21-\x7e]+$/.test(value)) return "holds a space or a character that is not printable ASCII, which no Admin API key does (the README's sk-admin-… placeholder copied as it is?)";
  return null;
}

const adminKeySecret = optionalSecret.superRefine((value, ctx) => {
  const problem = value === undefined ? null : adminKeyProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const configSchema = z.object({
  OPENAI_ADMIN_KEY: adminKeySecret,
  OPENAI_BASE_URL: httpUrl().default(DEFAULT_BASE_URLS.openai),
  ANTHROPIC_ADMIN_KEY: adminKeySecret,
  ANTHROPIC_BASE_URL: httpUrl().default(DEFAULT_BASE_URLS.anthropic),
  ACCOUNTS: z.string().optional(),
  POLICY: z.string().regex(POLICY_NAME, { error: "must be a policy name such as default" }).default("default"),
  AUDIT_API_TOKEN: optionalSecret.refine((value) => value !== PLACEHOLDER_API_TOKEN, {
    error: "is the placeholder of .dev.vars.example: put a long random value there (openssl rand -hex 32)",
  }),
  SLACK_BOT_TOKEN: optionalSecret,
  SLACK_SIGNING_SECRET: optionalSecret,
  SLACK_API_URL: httpUrl().default("https://slack.com/api/"),
  SLACK_CHANNEL: z.string().min(1).optional(),
  SLACK_RESPONSE_URL_PREFIX: httpUrl()
    .refine((url) => url.endsWith("/"), { error: "must end with / (so that https://hooks.slack.com does not also match https://hooks.slack.com.example)" })
    .default(DEFAULT_RESPONSE_URL_PREFIX),
  SLACK_ALLOWED_USERS: z.string().optional(),
  EVIDENCE_SIGNING_KEY: optionalSecret.superRefine((value, ctx) => {
    const problem = value === undefined ? null : signingKeyProblem(value);
    if (problem) ctx.addIssue({ code: "custom", message: `${problem} (or off for unsigned evidence)` });
  }),
  AUDIT_SUBREQUESTS_PER_STEP: wholeNumber(10, 10_000).default(45),
  SLACK_NOTIFY_OWNERS: z.enum(["true", "false"], { error: "must be true or false" }).default("false"),
  SLACK_OWNER_MESSAGES_MAX: wholeNumber(1, 1000).default(50),
  STALE_AFTER_DAYS: wholeNumber(1, 366, " of days").default(8),
  REMEDIATION: z.enum(REMEDIATION_MODES, { error: `must be one of ${REMEDIATION_MODES.join(", ")}` }).default("off"),
  REMEDIATION_APPROVALS: wholeNumber(1, MAX_REMEDIATION_APPROVALS).default(DEFAULT_REMEDIATION_APPROVALS),
  REMEDIATION_MAX_PER_DAY: wholeNumber(1, MAX_REMEDIATION_PER_DAY).default(DEFAULT_REMEDIATION_MAX_PER_DAY),
  ENRICH: enrichSetting,
  WATCH: z.enum(["on", "off"], { error: "must be on or off" }).optional(),
});

type SettingName = keyof typeof configSchema.shape;

export interface Config {
  /** Every account a run audits, in the order configured (ACCOUNTS, else openai then anthropic). */
  accounts: AccountSettings[];
  /**
   * The first OpenAI account's admin key and API root ("" and OPENAI_BASE_URL's default when none is
   * configured): what the revoke flow (src/decide, src/services.ts) still acts with until it takes
   * accounts. The run reads `accounts`.
   */
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
  /** REMEDIATION, REMEDIATION_APPROVALS, REMEDIATION_MAX_PER_DAY. */
  remediation: RemediationSettings;
  /** ENRICH: the enrichment sources a run asks for. */
  enrich: EnrichSource[];
  /** WATCH: the hourly housekeeping also watches for new and changed keys (issue 20); on by default when Slack reports are. */
  watch: boolean;
  /** Every configured secret, for redaction. */
  secrets: string[];
}

/**
 * `env` is the Worker's Env or process.env: any object whose properties are the settings. Every
 * problem of every setting is reported in one ConfigError, with the fix for `place`.
 */
export function readConfig(env: object, place: SettingsPlace = "unknown"): Config {
  const input = settingsInput(env, Object.keys(configSchema.shape) as SettingName[]);
  const parsed = configSchema.safeParse(input);
  const problems: SettingProblem[] = parsed.success ? [] : problemsOf(parsed.error);
  if (input.SLACK_BOT_TOKEN && !input.SLACK_CHANNEL) {
    problems.push({ setting: "SLACK_CHANNEL", problem: `is empty while SLACK_BOT_TOKEN is set: give the report channel's id (or set SLACK_BOT_TOKEN to ${SECRET_OFF} for no reports)` });
  }
  if (input.SLACK_CHANNEL && !input.SLACK_BOT_TOKEN) {
    problems.push({ setting: "SLACK_BOT_TOKEN", problem: "is not set while SLACK_CHANNEL is: give the Slack app's bot token (or leave SLACK_CHANNEL empty for no reports)" });
  }
  const accounts = accountsOf(env, input, parsed.success ? parsed.data : null, problems);
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems, place);
  const c = parsed.data;
  const openai = accounts.find((account) => account.provider === "openai");
  return {
    accounts,
    openaiAdminKey: openai?.adminKey ?? "",
    openaiBaseUrl: openai?.baseUrl ?? c.OPENAI_BASE_URL,
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
    remediation: { mode: c.REMEDIATION, approvals: c.REMEDIATION_APPROVALS, maxPerDay: c.REMEDIATION_MAX_PER_DAY },
    enrich: c.ENRICH,
    watch: c.WATCH === undefined ? c.SLACK_BOT_TOKEN !== undefined && c.SLACK_CHANNEL !== undefined : c.WATCH === "on",
    secrets: [...new Set([...secretValues(c), ...accounts.map((account) => account.adminKey)])],
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

/** The accounts of ACCOUNTS, else of OPENAI_ADMIN_KEY and ANTHROPIC_ADMIN_KEY; their problems go to `problems`. */
function accountsOf(env: object, input: Record<string, unknown>, c: z.output<typeof configSchema> | null, problems: SettingProblem[]): AccountSettings[] {
  const accounts: AccountSettings[] = [];
  if (typeof input.ACCOUNTS === "string") {
    const listed = parseAccountsSetting(input.ACCOUNTS);
    if ("problems" in listed) {
      problems.push(...listed.problems);
      return [];
    }
    const settings = env as Record<string, unknown>;
    listed.entries.forEach((entry, index) => {
      const value = settings[entry.admin_key_secret];
      const key = typeof value === "string" && value !== "" && value !== SECRET_OFF ? value : undefined;
      const problem = key === undefined ? `is not set: ACCOUNTS[${index}] (${entry.name}) reads its admin key from it` : adminKeyProblem(key);
      if (problem) problems.push({ setting: entry.admin_key_secret, problem, secret: true });
      else accounts.push({ name: entry.name, provider: entry.provider, adminKeySecret: entry.admin_key_secret, adminKey: key as string, baseUrl: entry.base_url ?? DEFAULT_BASE_URLS[entry.provider] });
    });
  } else {
    for (const provider of PROVIDER_NAMES) {
      const secret = DEFAULT_ACCOUNT_SECRETS[provider];
      const key = input[secret];
      const baseUrl = c ? { openai: c.OPENAI_BASE_URL, anthropic: c.ANTHROPIC_BASE_URL }[provider] : DEFAULT_BASE_URLS[provider];
      if (typeof key === "string") accounts.push({ name: provider, provider, adminKeySecret: secret, adminKey: key, baseUrl });
    }
    if (accounts.length === 0) {
      problems.push({ setting: "OPENAI_ADMIN_KEY", problem: "is not set" });
    }
  }
  return accounts;
}

/** REMEDIATION* alone, for a reader that needs no other setting. Throws ConfigError naming them. */
export function readRemediationSettings(env: object): RemediationSettings {
  const c = readSome(env, ["REMEDIATION", "REMEDIATION_APPROVALS", "REMEDIATION_MAX_PER_DAY"]);
  return { mode: c.REMEDIATION, approvals: c.REMEDIATION_APPROVALS, maxPerDay: c.REMEDIATION_MAX_PER_DAY };
}

/** ENRICH alone (the CLI and the Workflow's enrichment step need no other setting). Throws ConfigError naming it. */
export function readEnrichSettings(env: object): EnrichSource[] {
  return readSome(env, ["ENRICH"]).ENRICH;
}

/** Some settings, read and checked by the one schema, with the same empty-value rule. */
function readSome<const N extends SettingName>(env: object, names: readonly N[]): Pick<z.output<typeof configSchema>, N> {
  const mask: Partial<Record<SettingName, true>> = Object.fromEntries(names.map((name) => [name, true]));
  const parsed = configSchema.pick(mask).safeParse(settingsInput(env, names));
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error));
  // pick() with a mask built at run time loses the keys' types; the mask holds exactly `names`.
  return parsed.data as Pick<z.output<typeof configSchema>, N>;
}

// zod messages never echo the input; the path is the setting's name.
function problemsOf(error: z.ZodError): SettingProblem[] {
  return error.issues.map((issue) => ({ setting: issue.path.join(".") || "settings", problem: issue.message }));
}

function settingsInput(env: object, names: readonly SettingName[]): Record<string, unknown> {
  const settings = env as Record<string, unknown>;
  return Object.fromEntries(names.map((name) => [name, unsetToUndefined(name, settings[name])]));
}

/** Every secret value present in `env`, valid or not: what must be redacted even when the configuration is broken. */
export function secretValues(env: object): string[] {
  const settings = env as Record<string, unknown>;
  const names = [...SECRET_SETTINGS, ...accountSecretNames(settings.ACCOUNTS)];
  return names.map((name) => settings[name]).filter((v): v is string => typeof v === "string" && v !== "" && v !== SECRET_OFF);
}

/** The secrets ACCOUNTS names, read loosely: whatever it names is redacted, even when ACCOUNTS is broken. */
function accountSecretNames(accounts: unknown): string[] {
  if (typeof accounts !== "string") return [];
  try {
    const list: unknown = JSON.parse(accounts);
    if (!Array.isArray(list)) return [];
    return list.map((entry) => (entry as { admin_key_secret?: unknown } | null)?.admin_key_secret).filter((name): name is string => typeof name === "string" && name !== "");
  } catch {
    return [];
  }
}

/**
 * The channel-report settings alone, when they are valid: a run that cannot start because of another
 * setting can still be reported to Slack.
 */
export function readSlackReportSettings(env: object): Config["slack"] {
  let slack: Pick<z.output<typeof configSchema>, "SLACK_BOT_TOKEN" | "SLACK_CHANNEL" | "SLACK_API_URL">;
  try {
    slack = readSome(env, ["SLACK_BOT_TOKEN", "SLACK_CHANNEL", "SLACK_API_URL"]);
  } catch {
    return undefined;
  }
  if (!slack.SLACK_BOT_TOKEN || !slack.SLACK_CHANNEL) return undefined;
  return { botToken: slack.SLACK_BOT_TOKEN, channel: slack.SLACK_CHANNEL, apiUrl: slack.SLACK_API_URL };
}

/**
 * The one empty-value rule: a var that is empty or blank is unset (ENRICH excepted: there an empty
 * list means none); vars are read trimmed; secrets as they are (a stray space in a key is named by
 * its check, not hidden), and an optional secret set to `off` is unset.
 */
function unsetToUndefined(name: SettingName, value: unknown): unknown {
  if (typeof value !== "string") return value;
  if ((SECRET_SETTINGS as readonly string[]).includes(name)) {
    if (value === "") return undefined;
    if (value === SECRET_OFF && (OPTIONAL_SECRETS as readonly string[]).includes(name)) return undefined;
    return value;
  }
  if (name === "ENRICH") return value;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}
