/**
 * What is wrong with the settings, all of it at once, each problem with its fix for where the Worker
 * runs: `.dev.vars` under `wrangler dev`, `wrangler secret put` or `[vars]` when deployed, and both
 * when it cannot tell. Problems name the setting, never its value.
 */

/** Settings stored as secrets (`wrangler secret put`); every other setting is a var of wrangler.toml. */
export const SECRET_SETTINGS = ["OPENAI_ADMIN_KEY", "ANTHROPIC_ADMIN_KEY", "AUDIT_API_TOKEN", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "EVIDENCE_SIGNING_KEY"] as const;

export interface SettingProblem {
  /** The setting's name, e.g. OPENAI_BASE_URL. */
  setting: string;
  /** What is wrong with it, e.g. "must be an http(s) URL". */
  problem: string;
  /** A secret that is not one of SECRET_SETTINGS: one ACCOUNTS names, which wrangler.toml must declare too. */
  secret?: boolean;
}

/** Where the settings are read, as far as the edge can tell: `wrangler dev` on this machine, deployed, unknown (a cron, a Workflow), or the CLI's environment. */
export type SettingsPlace = "local" | "deployed" | "unknown" | "cli";

export class ConfigError extends Error {
  /** Each problem as a sentence with its fix: `OPENAI_BASE_URL must be an http(s) URL — fix: …`. */
  readonly problems: string[];

  constructor(
    readonly issues: readonly SettingProblem[],
    readonly place: SettingsPlace = "unknown",
  ) {
    const problems = issues.map((issue) => describeSettingProblem(issue, place));
    super(`invalid configuration (${problems.length} ${problems.length === 1 ? "problem" : "problems"}): ${problems.join("; ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }

  /** The same problems, with the fix for `place`. */
  at(place: SettingsPlace): ConfigError {
    return place === this.place ? this : new ConfigError(this.issues, place);
  }
}

export function describeSettingProblem({ setting, problem, secret }: SettingProblem, place: SettingsPlace): string {
  return `${setting} ${problem} — fix: ${fixFor(setting, place, secret === true)}`;
}

function fixFor(setting: string, place: SettingsPlace, accountSecret: boolean): string {
  const secret = accountSecret || (SECRET_SETTINGS as readonly string[]).includes(setting);
  const declare = accountSecret ? ` and list ${setting} in wrangler.toml [secrets] required (wrangler dev loads no other name from .dev.vars)` : "";
  const local = secret ? `put ${setting}=… in .dev.vars${declare}, then restart wrangler dev` : `set ${setting} in .dev.vars (or wrangler.toml [vars]), then restart wrangler dev`;
  const deployed = secret ? `npx wrangler secret put ${setting}` : `set ${setting} in wrangler.toml [vars], then npx wrangler deploy`;
  if (place === "cli") return `export ${setting}=… in the shell that runs keywarden`;
  if (place === "local") return local;
  if (place === "deployed") return deployed;
  return `under wrangler dev, ${local}; deployed, ${deployed}`;
}
