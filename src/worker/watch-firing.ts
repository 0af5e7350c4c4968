import type { Config } from "../config.js";
import type { WatchFiring } from "../model/watch.js";
import { parsedBundledPolicy } from "../policy/bundled.js";
import { services } from "../services.js";
import { log } from "../util/log.js";
import { fireWatch } from "../watch/fire.js";
import { storedKnowledge } from "../watch/knowledge.js";
import { slackWatchNotifier } from "../watch/slack-notifier.js";

/**
 * The watch as the hourly housekeeping fires it (WATCH, issue 20): D1 for where each account stands
 * and what was told, the bundled policy of POLICY, Slack when reports are on. Null when WATCH is off.
 */
export async function watchBetweenAudits(env: Env, config: Config): Promise<WatchFiring | null> {
  if (!config.watch) return null;
  const policy = parsedBundledPolicy(config.policy);
  if (!policy) {
    log.error(`keywarden: the watch did not fire: POLICY names no valid bundled policy (${config.policy})`);
    return null;
  }
  const { runs, watches, acceptances } = services(env, config);
  const { firing } = await fireWatch({
    settings: config,
    policy,
    state: watches,
    knowledge: storedKnowledge(runs, watches, acceptances),
    notifier: config.slack ? slackWatchNotifier({ ...config, slack: config.slack }, policy) : null,
    record: (fired, reported) => watches.recordFiring(fired, reported),
    now: () => new Date(),
  });
  log.info(`keywarden: ${summarizeFiring(firing)}`);
  return firing;
}

/** One line for the log: `watch_… : 2 requests, 1 key, 1 finding posted (openai watched)`. */
export function summarizeFiring(firing: WatchFiring): string {
  const accounts = firing.accounts.map((a) => `${a.account} ${a.status}`).join(", ");
  return `${firing.id}: ${firing.requests} request(s), ${firing.keys_seen} key(s) read, ${firing.findings_posted} finding(s) ${firing.delivery === "failed" ? "NOT posted" : "reported"} (${accounts})`;
}
