/**
 * How a Workflow step's request cap (AUDIT_SUBREQUESTS_PER_STEP) is shared between the work it
 * carries: the accounts' inventories, and their enrichment started with them. Each share is a cap of
 * its own, so the step never goes over, whoever finishes first.
 */

/**
 * `cap` split evenly between the accounts that still have work, each given at least `attempts` (one
 * page with all its retries); accounts beyond what the cap can hold wait for the next slice. One
 * account alone has the whole cap, as before accounts existed.
 */
export function shareRequestCap(cap: number, accounts: readonly string[], attempts: number): Map<string, number> {
  // A cap below one page's attempts still goes to the first account, whose client refuses it by name.
  const fit = Math.min(accounts.length, Math.max(1, Math.floor(cap / attempts)));
  const shares = new Map<string, number>();
  for (const [i, account] of accounts.slice(0, fit).entries()) shares.set(account, Math.floor(cap / fit) + (i < cap % fit ? 1 : 0));
  return shares;
}

export interface SliceShares {
  /** Each account's inventory: what it may request in the slice. */
  inventory: Map<string, number>;
  /** Each account's enrichment. */
  enrichment: Map<string, number>;
}

/**
 * `cap` between the inventories with work and the enrichments with units (`units` by account). The
 * inventory comes first: every account with work that the cap can hold is given at least one page's
 * `attempts`. The enrichment is given what its units may take (`attempts` each), but while an
 * inventory has work at most a quarter of the cap, only what the inventories leave, and none when that
 * cannot hold one page; the rest goes to the inventories.
 */
export function shareSliceCap(cap: number, inventories: readonly string[], units: ReadonlyMap<string, number>, attempts: number): SliceShares {
  const enriching = [...units].filter(([, n]) => n > 0).map(([account]) => account);
  if (inventories.length === 0) return { inventory: new Map(), enrichment: shareRequestCap(cap, enriching, attempts) };
  const served = Math.min(inventories.length, Math.max(1, Math.floor(cap / attempts)));
  const wanted = [...units.values()].reduce((sum, n) => sum + n * attempts, 0);
  const reserved = Math.min(wanted, Math.floor(cap / 4), cap - served * attempts);
  const enrichment = reserved >= attempts ? shareRequestCap(reserved, enriching, attempts) : new Map<string, number>();
  const given = [...enrichment.values()].reduce((sum, n) => sum + n, 0);
  return { inventory: shareRequestCap(cap - given, inventories, attempts), enrichment };
}
