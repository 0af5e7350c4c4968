/**
 * The two crons of wrangler.toml's `[triggers]`: the scheduled handler tells them apart by their
 * expression, so this one must stay exactly as it is there (test/unit/crons.test.ts checks).
 * Any other expression (the weekly audit, however you schedule it) starts an audit.
 */

/** Hourly, at 17 past: settles remediation requests; never audits. */
export const HOUSEKEEPING_CRON = "17 * * * *";
