import type { SimOrg } from "../../src/sim/org.js";
import type { SimAnthropicOrg } from "../../src/sim/anthropic/types.js";

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

/** Anthropic's three lists (API keys, workspaces, users) at the largest page size: Σ ⌈items/pageSize⌉, an empty list still one request. */
export function minimumAnthropicListRequests(org: SimAnthropicOrg, pageSize = 1000): number {
  const pages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
  return pages(org.apiKeys.length) + pages(org.workspaces.length) + pages(org.users.length);
}

/** The fewest audit-log requests that read `windows` (effective_at in [gte, lt)): Σ ⌈api_key.created events in each/pageSize⌉. */
export function minimumAuditLogRequests(org: SimOrg, windows: readonly { gte: number; lt: number | null }[], pageSize = 100): number {
  const created = (org.auditLogs ?? []).filter((e) => e.type === "api_key.created");
  return windows.reduce((sum, w) => sum + Math.max(1, Math.ceil(created.filter((e) => e.effective_at >= w.gte && (w.lt === null || e.effective_at < w.lt)).length / pageSize)), 0);
}
