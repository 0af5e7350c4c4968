import type { SimOrg } from "../../src/sim/org.js";

/**
 * The fewest list requests that can read `org` whole: Σ ⌈items/pageSize⌉ over
 * every list (an empty list still costs one), the user list only when there
 * are admin keys to attribute.
 */
export function minimumRequests(org: SimOrg, pageSize = 100): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
  const projectKeyPages = org.projects.reduce((sum, p) => sum + pages(org.projectKeys[p.id]?.length ?? 0), 0);
  const users = org.adminKeys.length > 0 ? pages(org.users.length) : 0;
  return pages(org.adminKeys.length) + pages(org.projects.length) + users + projectKeyPages;
}
