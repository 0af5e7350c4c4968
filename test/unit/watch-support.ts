/** Shared setup of the watch's Node tests: in-memory state and knowledge, a notifier that records, and a firing against a simulator. */
import type { AccountSettings } from "../../src/config.js";
import type { RunFinding } from "../../src/model/run.js";
import type { AcceptedExemption } from "../../src/policy/index.js";
import { parsedBundledPolicy } from "../../src/policy/bundled.js";
import { fireWatch } from "../../src/watch/fire.js";
import { MemoryWatchState } from "../../src/watch/memory-state.js";
import type { WatchDeps, WatchNotifier } from "../../src/watch/ports.js";

export { MemoryWatchState };

/** Slack as a list of what was said. */
export function recordingNotifier(): WatchNotifier & { posts: { firingId: string; findings: RunFinding[] }[]; notices: string[]; owners: string[][] } {
  const posts: { firingId: string; findings: RunFinding[] }[] = [];
  const notices: string[] = [];
  const owners: string[][] = [];
  return {
    posts,
    notices,
    owners,
    async postFindings(firingId, findings) {
      posts.push({ firingId, findings: [...findings] });
    },
    async postNotice(text) {
      notices.push(text);
    },
    async tellOwners(_firingId, _policy, findings) {
      owners.push(findings.map((f) => f.fingerprint));
    },
  };
}

export interface Knowledge {
  lastRun: string | null;
  told: Set<string>;
  accepted: AcceptedExemption[];
}

const policy = parsedBundledPolicy("default");
if (!policy) throw new Error("the default policy does not parse");

/** One firing at `now` over `accounts`, the last complete run having started at `knowledge.lastRun`. */
export function fire(input: { accounts: AccountSettings[]; state: MemoryWatchState; knowledge: Knowledge; notifier: WatchNotifier | null; now: Date; record?: WatchDeps["record"] }) {
  const deps: WatchDeps = {
    settings: { accounts: input.accounts, policy: "default", enrich: ["audit_log"], subrequestsPerStep: 45, secrets: input.accounts.map((a) => a.adminKey) },
    policy: policy as NonNullable<typeof policy>,
    state: input.state,
    knowledge: {
      lastCompleteRunStart: async () => input.knowledge.lastRun,
      told: async () => new Set(input.knowledge.told),
      accepted: async () => input.knowledge.accepted,
    },
    notifier: input.notifier,
    ...(input.record ? { record: input.record } : {}),
    now: () => input.now,
    session: { timeoutMs: 5_000, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1_000, budgetMs: 10_000 } },
  };
  return fireWatch(deps);
}
