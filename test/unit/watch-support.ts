/** Shared setup of the watch's Node tests: in-memory state and knowledge, a notifier that records, and a firing against a simulator. */
import type { AccountSettings } from "../../src/config.js";
import type { RunFinding } from "../../src/model/run.js";
import type { AcceptedExemption } from "../../src/policy/index.js";
import { parsedBundledPolicy } from "../../src/policy/bundled.js";
import type { WatchAccountState } from "../../src/store/watch-log.js";
import { fireWatch } from "../../src/watch/fire.js";
import type { WatchDeps, WatchNotifier, WatchStateStore } from "../../src/watch/ports.js";

/** The Worker's D1 of the watch, in memory: a firing after another sees where the last one stopped. */
export class MemoryWatchState implements WatchStateStore {
  readonly states = new Map<string, WatchAccountState>();
  readonly lists = new Map<string, Map<string, string>>();
  readonly writes: string[] = [];

  private state(account: string): WatchAccountState {
    return this.states.get(account) ?? { cursor: null, auditLogUnavailable: null, unavailableSince: null, listedAt: null };
  }
  async accountState(account: string) {
    return structuredClone(this.state(account));
  }
  async saveCursor(account: string, cursor: { at: number; ids: string[] }) {
    this.writes.push(`cursor ${account}`);
    this.states.set(account, { ...this.state(account), cursor: structuredClone(cursor) });
  }
  async markAuditLogUnavailable(account: string, reason: string, at: string) {
    const was = this.state(account).auditLogUnavailable;
    if (was === null) this.states.set(account, { ...this.state(account), auditLogUnavailable: reason, unavailableSince: at });
    return was === null;
  }
  async markAuditLogAvailable(account: string) {
    this.states.set(account, { ...this.state(account), auditLogUnavailable: null, unavailableSince: null });
  }
  async keyList(account: string) {
    return this.state(account).listedAt === null ? null : new Map(this.lists.get(account));
  }
  async saveKeyList(account: string, change: { upsert: readonly [string, string][]; remove: readonly string[] }, at: string) {
    this.writes.push(`list ${account} +${change.upsert.length} -${change.remove.length}`);
    const list = this.lists.get(account) ?? new Map<string, string>();
    for (const [id, digest] of change.upsert) list.set(id, digest);
    for (const id of change.remove) list.delete(id);
    this.lists.set(account, list);
    this.states.set(account, { ...this.state(account), listedAt: at });
  }
}

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
export function fire(input: { accounts: AccountSettings[]; state: MemoryWatchState; knowledge: Knowledge; notifier: WatchNotifier | null; now: Date }) {
  const deps: WatchDeps = {
    settings: { accounts: input.accounts, policy: "default", enrich: ["audit_log"], secrets: input.accounts.map((a) => a.adminKey) },
    policy: policy as NonNullable<typeof policy>,
    state: input.state,
    knowledge: {
      lastCompleteRunStart: async () => input.knowledge.lastRun,
      told: async () => new Set(input.knowledge.told),
      accepted: async () => input.knowledge.accepted,
    },
    notifier: input.notifier,
    now: () => input.now,
    session: { timeoutMs: 5_000, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1_000, budgetMs: 10_000 } },
  };
  return fireWatch(deps);
}
