import type { AuditCursor, ChangedKey, ChangedServiceAccount, KeyChanges } from "../providers/openai/watch-events.js";

/**
 * Which of the changes an OpenAI audit log named one firing judges, when there are more than it may
 * read (issue 20 review): the keys created most recently first, then the keys updated, then the
 * service accounts, newest first, up to the limit. The rest is held back: the cursor stops before the
 * first event of the oldest change held back, and remembers what was judged since (`judged`), so the
 * next firing judges the rest and not the same again. This cannot stall: each firing judges up to
 * the limit of what is left, the cursor never stands before the last complete run's start (the run
 * judged everything before it), and when more events pile up than a firing reads, only the newest
 * are read and the cursor moves past the others (`truncated`: the weekly audit judges them).
 */
export interface Selection {
  keys: Map<string, ChangedKey>;
  serviceAccounts: ChangedServiceAccount[];
  /** Changes not judged by this firing (neither now nor by an earlier one since the cursor). */
  heldBack: number;
  /** Where the watch stands once this firing's findings are told. */
  cursor: AuditCursor;
}

type Change = { ref: string; first: number; last: number; createdAt: number | null } & ({ key: [string, ChangedKey] } | { account: ChangedServiceAccount });

export function selectChanges(changes: KeyChanges, from: AuditCursor, limit: number): Selection {
  const all: Change[] = [
    ...[...changes.keys].map(([id, key]): Change => ({ ref: `key:${id}`, first: key.first, last: key.last, createdAt: key.createdAt, key: [id, key] })),
    ...changes.serviceAccounts.map((account): Change => ({ ref: `service_account:${account.project.id}:${account.id}`, first: account.first, last: account.last, createdAt: null, account })),
  ];
  const earlier = from.judged ?? {};
  const judgedBefore = (c: Change) => (earlier[c.ref] ?? -1) >= c.last;
  const order = (c: Change) => (c.createdAt !== null ? 0 : "key" in c ? 1 : 2);
  const pending = all.filter((c) => !judgedBefore(c)).sort((a, b) => order(a) - order(b) || (b.createdAt ?? b.last) - (a.createdAt ?? a.last));
  const now = pending.slice(0, limit);
  const held = pending.slice(limit);
  const keys = new Map(now.flatMap((c) => ("key" in c ? [c.key] : [])));
  const serviceAccounts = now.flatMap((c) => ("account" in c ? [c.account] : []));
  if (held.length === 0) return { keys, serviceAccounts, heldBack: 0, cursor: changes.cursor };
  const at = Math.min(...held.map((c) => c.first));
  const judged = Object.fromEntries([...all.filter(judgedBefore), ...now].filter((c) => c.last >= at).map((c) => [c.ref, c.last]));
  return { keys, serviceAccounts, heldBack: held.length, cursor: { at, ids: [], judged } };
}
