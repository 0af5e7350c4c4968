import { type Config, readConfig } from "../config.js";
import { expireStaleRequests } from "../decide/revoke-execution.js";
import { services } from "../services.js";
import { log } from "../util/log.js";
import { watchBetweenAudits } from "./watch-firing.js";

/**
 * The hourly housekeeping cron: a remediation request nobody decided within 24 hours is expired and
 * its Slack message says so (no Approve button left on it), and an execution a lost isolate left
 * is finished as unconfirmed, within the hour rather than at the next click or run. Whatever
 * REMEDIATION says: requests made before it was turned off expire too. Then, with WATCH on, the watch
 * fires: new and changed keys are judged and their new findings told at once (./watch-firing.ts).
 */
export async function houseKeep(env: Env, now: Date): Promise<void> {
  let config: Config;
  try {
    config = readConfig(env);
  } catch (error) {
    // Said in the log, then thrown on: Cloudflare's cron history shows the invocation failed. The
    // error names the settings, never their values.
    log.error(`keywarden: housekeeping could not start: ${error instanceof Error ? error.message : String(error)}`);
    throw error;
  }
  const settled = await expireStaleRequests(services(env, config).decide(), now);
  if (settled > 0) log.info(`keywarden: housekeeping settled ${settled} remediation request${settled === 1 ? "" : "s"}`);
  await watchBetweenAudits(env, config);
}
