import { describeSettingProblem } from "../config-error.js";
import { ConfigError, type Config, type SettingsPlace, readConfig } from "../config.js";
import { MIGRATE_COMMAND, missingMigrations } from "../store/schema.js";
import { services } from "../services.js";
import { KEYWARDEN_VERSION } from "../version.js";
import { configuredPolicyProblem } from "../policy/bundled.js";

const DAY_MS = 86_400_000;
const DEFAULT_STALE_AFTER_DAYS = 8;

export interface Readiness {
  ok: boolean;
  service: "keywarden";
  version: string;
  /** Each problem by name (a setting, the schema, the last run); never a value. */
  problems: string[];
  last_complete_run: { id: string; finished_at: string } | null;
  stale: boolean;
  stale_after_days: number;
  features: { slack_reports: boolean; slash_commands: boolean; evidence_signing: boolean } | null;
  /**
   * The hourly watch (WATCH): on or off, and each account whose audit log it cannot read (off in the
   * organization, or refused): the weekly audit alone finds its new keys. A detail, never a problem.
   */
  watch: { on: boolean; audit_log_unavailable: { account: string; reason: string; since: string }[] } | null;
}

/**
 * What an uptime monitor needs to know: can the Worker run (settings valid, D1 migrated), and has an
 * audit completed recently enough. Nothing secret: setting names, a run id and times.
 */
export async function readiness(env: Env, now: Date, place: SettingsPlace = "unknown"): Promise<Readiness> {
  const problems: string[] = [];
  let config: Config | undefined;
  try {
    config = readConfig(env, place);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems.map((problem) => `setting ${problem}`));
  }
  const policyProblem = config ? configuredPolicyProblem(config.policy) : null;
  if (policyProblem) problems.push(`setting ${describeSettingProblem(policyProblem, place)}`);
  const staleAfterDays = config?.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;

  let lastComplete: Readiness["last_complete_run"] = null;
  let watch: Readiness["watch"] = null;
  let schemaReady = false;
  try {
    const missing = await missingMigrations(env.DB);
    if (missing.length > 0) problems.push(`database: D1 is not migrated (missing ${missing.join(", ")}): run ${MIGRATE_COMMAND}`);
    schemaReady = missing.length === 0;
  } catch (error) {
    problems.push(`database: D1 could not be read (${error instanceof Error ? error.name : "error"})`);
  }
  if (schemaReady) {
    const { runs, watches } = services(env);
    const row = await runs.latest("complete");
    if (row?.finished_at) lastComplete = { id: row.id, finished_at: row.finished_at };
    if (config) watch = { on: config.watch, audit_log_unavailable: config.watch ? await watches.unavailableAuditLogs() : [] };
  }

  const stale = !lastComplete || now.getTime() - Date.parse(lastComplete.finished_at) > staleAfterDays * DAY_MS;
  if (schemaReady && stale) {
    problems.push(
      lastComplete
        ? `stale: the last complete run finished ${lastComplete.finished_at}, more than ${staleAfterDays} days ago (STALE_AFTER_DAYS)`
        : "stale: no run has completed yet (POST /runs starts one)",
    );
  }
  return {
    ok: problems.length === 0,
    service: "keywarden",
    version: KEYWARDEN_VERSION,
    problems,
    last_complete_run: lastComplete,
    stale,
    stale_after_days: staleAfterDays,
    features: config
      ? { slack_reports: config.slack !== undefined, slash_commands: config.slackSigningSecret !== undefined, evidence_signing: config.evidenceSigningKey !== undefined }
      : null,
    watch,
  };
}
