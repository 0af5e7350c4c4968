import type { WatchAccountState } from "../store/watch-log.js";
import type { WatchStateStore } from "./ports.js";

/**
 * Where each account's watch stands, in memory: what `keywarden watch` keeps (nothing beyond one
 * firing), and what tests and the benchmark use for the Worker's D1 (a firing after another sees
 * where the last one stopped). `writes` lists what was stored, in order.
 */
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

