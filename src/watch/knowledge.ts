import { toAcceptedExemption } from "../store/acceptances.js";
import type { AcceptanceStore } from "../store/acceptances.js";
import type { RunHistory } from "../store/run-history.js";
import type { WatchLog } from "../store/watch-log.js";
import type { WatchKnowledge } from "./ports.js";

/**
 * What the Worker's D1 tells a firing: from when changes count (the last complete run's start), what
 * was told already (the findings open since the last run, and those a firing reported since that run
 * started: the run after a firing lists its findings itself), and the risks accepted in Slack.
 */
export function storedKnowledge(runs: RunHistory, firings: WatchLog, acceptances: AcceptanceStore): WatchKnowledge {
  return {
    async lastCompleteRunStart() {
      return (await runs.latest("complete"))?.started_at ?? null;
    },
    async told(policy, since) {
      const open = await runs.openFindings(policy);
      return new Set([...open.keys(), ...(await firings.reportedSince(since))]);
    },
    async accepted(policy) {
      return (await acceptances.forPolicy(policy)).map(toAcceptedExemption);
    },
  };
}
