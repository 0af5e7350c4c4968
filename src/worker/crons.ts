/**
 * The two crons of wrangler.toml's `[triggers]`: the scheduled handler tells them apart by their
 * expression, so this one must stay as it is there (test/unit/crons.test.ts checks; spacing aside).
 * Any other expression (the audit's, however you schedule it) starts an audit.
 */

/** Hourly, at 17 past: settles remediation requests; never audits. */
export const HOUSEKEEPING_CRON = "17 * * * *";

/** Whether a scheduled event's cron is the housekeeping one, however its fields are spaced. */
export function isHousekeepingCron(cron: string): boolean {
  return cron.trim().split(/\s+/).join(" ") === HOUSEKEEPING_CRON;
}
