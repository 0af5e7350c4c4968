import { WebAPIPlatformError, WebAPIRateLimitedError, type WebClient } from "@slack/web-api";
import type { RunFinding } from "../model/run.js";
import type { ProjectRef } from "../model/inventory.js";
import { compileGlob } from "../util/glob.js";
import { redact } from "../util/redact.js";
import { describeSlackError } from "./errors.js";

/**
 * Who in Slack owns a finding: the key owner's Slack account (found by email),
 * else the policy's `owners` route for the key's project, else nobody (the
 * report channel).
 */

/** One entry of the policy's `owners` list. */
export interface OwnerRoute {
  /** A project id (`proj_…`, exact) or a project-name glob (`*`, `?`; case-insensitive). */
  match: string;
  /** A Slack user id (U…, W…) or channel id (C…, G…). */
  slack: string;
}

export type OwnerResolution =
  /** A Slack user: the key owner found by email, or a route's user (`route` = its `match`). */
  | { kind: "user"; id: string; route?: string }
  /** A channel named by a route. */
  | { kind: "channel"; id: string; route?: string }
  /**
   * Nobody to tell directly: the finding stays in the report channel only.
   * `no owner`: a service account's key (or an admin key) that no route covers.
   * `not reachable`: the owner is a person Slack did not give us (no email, not in Slack, or the
   * lookup failed: `detail` starts with "lookup failed:").
   */
  | { kind: "report_channel"; reason: "not reachable" | "no owner"; detail: string };

/** What a finding needs for its owner to be resolved. */
export type OwnerFindingRef = Pick<RunFinding, "fingerprint" | "owner" | "project">;

export interface OwnerDirectoryOptions {
  /** The policy's `owners`, in order: the first matching route wins. Invalid routes are skipped (see `ownerRouteProblems`). */
  routes?: readonly OwnerRoute[];
  /** Secrets that must not appear in a `detail` (the bot token is added automatically). */
  secrets?: readonly (string | undefined)[];
  /** users.lookupByEmail calls in flight at once (Slack tier 3: about 50 a minute). Default 3. */
  concurrency?: number;
}

export interface OwnerDirectory {
  resolve(finding: OwnerFindingRef): Promise<OwnerResolution>;
  /** Every finding's owner, by fingerprint; each email is looked up once. */
  resolveAll(findings: readonly OwnerFindingRef[]): Promise<Map<string, OwnerResolution>>;
  /** users.lookupByEmail calls made so far. */
  readonly lookups: number;
}

const USER_ID = /^[UW][A-Z0-9]+$/;
const CHANNEL_ID = /^[CG][A-Z0-9]+$/;

/**
 * Errors that are about the token or the workspace, not one email: after one of them,
 * asking again for the next email would fail the same way (and a rate limit Slack asked
 * us to wait out would only get longer).
 */
const STOPPING_ERRORS = new Set([
  "ratelimited",
  "missing_scope",
  "invalid_auth",
  "not_authed",
  "account_inactive",
  "token_revoked",
  "token_expired",
  "not_allowed_token_type",
  "no_permission",
  "team_access_not_granted",
]);

/** What is wrong with each route, as `owners[i].field: problem`; empty when every route can be used. */
export function ownerRouteProblems(routes: readonly OwnerRoute[]): string[] {
  const problems: string[] = [];
  routes.forEach((route, i) => {
    if (typeof route.match !== "string" || route.match.trim() === "") problems.push(`owners[${i}].match: needs a project id or a project-name glob`);
    if (typeof route.slack !== "string" || !(USER_ID.test(route.slack) || CHANNEL_ID.test(route.slack))) {
      problems.push(`owners[${i}].slack: needs a Slack user id (U…, W…) or channel id (C…, G…)`);
    }
  });
  return problems;
}

/** The first route whose `match` is the project's id or a glob matching its name; none for an admin key (no project). */
export function matchOwnerRoute<R extends OwnerRoute>(routes: readonly R[], project: ProjectRef | null): R | undefined {
  if (!project) return undefined;
  return routes.find((route) => route.match.trim() === project.id || (project.name !== null && globOf(route.match.trim()).test(project.name)));
}

const globs = new Map<string, RegExp>();
function globOf(pattern: string): RegExp {
  let regexp = globs.get(pattern);
  if (!regexp) globs.set(pattern, (regexp = compileGlob(pattern)));
  return regexp;
}

type Lookup = { status: "found"; id: string } | { status: "unknown" } | { status: "failed"; error: string };

export function createOwnerDirectory(client: WebClient, opts: OwnerDirectoryOptions = {}): OwnerDirectory {
  const routes = (opts.routes ?? []).filter((route) => ownerRouteProblems([route]).length === 0);
  const secrets = [...(opts.secrets ?? []), client.token];
  const concurrency = Math.max(1, Math.floor(opts.concurrency ?? 3));
  const cache = new Map<string, Promise<Lookup>>();
  let calls = 0;
  let stoppedBy: string | null = null;

  const lookUp = async (email: string): Promise<Lookup> => {
    if (stoppedBy !== null) return { status: "failed", error: stoppedBy };
    calls++;
    try {
      const res = await client.users.lookupByEmail({ email });
      const user = res.user;
      if (!user?.id || user.deleted) return { status: "unknown" };
      return { status: "found", id: user.id };
    } catch (error) {
      if (error instanceof WebAPIPlatformError && error.data.error === "users_not_found") return { status: "unknown" };
      const described = redact(describeSlackError(error).error, secrets);
      const code = error instanceof WebAPIRateLimitedError ? "ratelimited" : error instanceof WebAPIPlatformError ? error.data.error : "";
      if (STOPPING_ERRORS.has(code)) stoppedBy ??= described;
      return { status: "failed", error: described };
    }
  };

  const lookupOnce = (email: string): Promise<Lookup> => {
    const key = email.trim().toLowerCase();
    let pending = cache.get(key);
    if (!pending) cache.set(key, (pending = lookUp(email.trim())));
    return pending;
  };

  const resolve = async (finding: OwnerFindingRef): Promise<OwnerResolution> => {
    const { owner } = finding;
    let why = "";
    if (owner.type === "user") {
      if (owner.email) {
        const found = await lookupOnce(owner.email);
        if (found.status === "found") return { kind: "user", id: found.id };
        if (found.status === "failed") return { kind: "report_channel", reason: "not reachable", detail: `lookup failed: ${found.error}` };
        why = "the owner's email is not in Slack (or the account is deactivated)";
      } else {
        why = "the owner has no email in OpenAI";
      }
    }
    const route = matchOwnerRoute(routes, finding.project);
    if (route) return USER_ID.test(route.slack) ? { kind: "user", id: route.slack, route: route.match } : { kind: "channel", id: route.slack, route: route.match };
    if (owner.type === "service_account") return { kind: "report_channel", reason: "no owner", detail: "a service account's key, and no owners route matches its project" };
    return { kind: "report_channel", reason: "not reachable", detail: `${why}, and no owners route matches its project` };
  };

  const resolveAll = async (findings: readonly OwnerFindingRef[]): Promise<Map<string, OwnerResolution>> => {
    const emails = [...new Set(findings.flatMap((f) => (f.owner.type === "user" && f.owner.email ? [f.owner.email.trim().toLowerCase()] : [])))];
    await inPool(emails, concurrency, (email) => lookupOnce(email));
    const resolved = new Map<string, OwnerResolution>();
    for (const finding of findings) if (!resolved.has(finding.fingerprint)) resolved.set(finding.fingerprint, await resolve(finding));
    return resolved;
  };

  return {
    resolve,
    resolveAll,
    get lookups() {
      return calls;
    },
  };
}

async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}
