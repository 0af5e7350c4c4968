import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunFinding } from "../../src/model/run.js";
import { type OwnerRoute, createOwnerDirectory, matchOwnerRoute, ownerRouteProblems } from "../../src/slack/owner-directory.js";
import { createSlackClient } from "../../src/slack/send.js";
import { type FakeSlack, startFakeSlack } from "../../src/sim/slack-server.js";
import { makeFinding } from "../sim/slack-run-factory.js";

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());
beforeEach(() => {
  slack.clear();
  slack.clearFaults();
  slack.setUsers([
    { id: "U0ALICE", email: "alice@example.com", name: "Alice" },
    { id: "W0BOB", email: "Bob@Example.com", name: "Bob" },
    { id: "U0GONE", email: "gone@example.com", name: "Gone", deleted: true },
  ]);
});

const client = () => createSlackClient({ secrets: [], token: slack.token, apiUrl: slack.url, retry: { retries: 0, minBackoffMs: 1, maxBackoffMs: 2 } });
const lookups = () => slack.calls.filter((c) => c.method === "users.lookupByEmail");

let n = 0;
function userKey(email: string | null, project: RunFinding["project"] = { id: "proj_web", name: "Web", archived: false }): RunFinding {
  return makeFinding(++n, { fingerprint: `fp-${n}`, project, owner: { type: "user", id: `user_${email}`, name: "Someone", email, role: "owner" } });
}
function serviceKey(project: RunFinding["project"]): RunFinding {
  return makeFinding(++n, { fingerprint: `fp-${n}`, project, owner: { type: "service_account", id: `svc_${n}`, name: "deploy-bot", email: null, role: "member" } });
}
const project = (id: string, name: string | null) => ({ id, name, archived: false });

describe("who owns a finding", () => {
  it("is the key owner's Slack user, found by email whatever its case, each email looked up once", async () => {
    const directory = createOwnerDirectory(client());
    const findings = [userKey("ALICE@example.com"), userKey("alice@EXAMPLE.com"), userKey("bob@example.com"), userKey("alice@example.com")];
    const resolved = await directory.resolveAll(findings);
    expect(findings.map((f) => resolved.get(f.fingerprint))).toEqual([
      { kind: "user", id: "U0ALICE" },
      { kind: "user", id: "U0ALICE" },
      { kind: "user", id: "W0BOB" },
      { kind: "user", id: "U0ALICE" },
    ]);
    expect(await directory.resolve(userKey("Alice@Example.COM"))).toEqual({ kind: "user", id: "U0ALICE" });
    expect(lookups()).toHaveLength(2);
    expect(directory.lookups).toBe(2);
  });

  it("sends a service account's key to the first owners route matching its project: id, or name glob with * and ? in any case", async () => {
    const routes: OwnerRoute[] = [
      { match: "proj_payments", slack: "C0PAYMENTS" },
      { match: "ML-*", slack: "G0MLTEAM" },
      { match: "data-??", slack: "U0ALICE" },
      { match: "*", slack: "C0EVERYONE" },
    ];
    const directory = createOwnerDirectory(client(), { routes });
    expect(await directory.resolve(serviceKey(project("proj_payments", "ml-payments")))).toEqual({ kind: "channel", id: "C0PAYMENTS", route: "proj_payments" });
    expect(await directory.resolve(serviceKey(project("proj_1", "ml-research")))).toEqual({ kind: "channel", id: "G0MLTEAM", route: "ML-*" });
    expect(await directory.resolve(serviceKey(project("proj_2", "Data-EU")))).toEqual({ kind: "user", id: "U0ALICE", route: "data-??" });
    expect(await directory.resolve(serviceKey(project("proj_3", "data-eur")))).toEqual({ kind: "channel", id: "C0EVERYONE", route: "*" });
    expect(lookups()).toHaveLength(0);
  });

  it("sends a service account's key to the report channel as 'no owner' when no route matches", async () => {
    const directory = createOwnerDirectory(client(), { routes: [{ match: "ml-*", slack: "C0ML" }] });
    expect(await directory.resolve(serviceKey(project("proj_web", "web")))).toMatchObject({ kind: "report_channel", reason: "no owner" });
    expect(await directory.resolve(serviceKey(null))).toMatchObject({ kind: "report_channel", reason: "no owner" });
  });

  it("routes a user Slack does not know (or deactivated) like a service account, else 'not reachable'", async () => {
    const directory = createOwnerDirectory(client(), { routes: [{ match: "proj_web", slack: "C0WEB" }] });
    expect(await directory.resolve(userKey("left@example.com"))).toEqual({ kind: "channel", id: "C0WEB", route: "proj_web" });
    expect(await directory.resolve(userKey("gone@example.com"))).toEqual({ kind: "channel", id: "C0WEB", route: "proj_web" });
    const elsewhere = await directory.resolve(userKey("left@example.com", project("proj_other", "other")));
    expect(elsewhere).toMatchObject({ kind: "report_channel", reason: "not reachable" });
    expect(elsewhere).toMatchObject({ detail: expect.stringMatching(/not in Slack/) });
    // An admin key's owner missing from the user list has no email: nothing to look up.
    expect(await directory.resolve(userKey(null, null))).toMatchObject({ kind: "report_channel", reason: "not reachable", detail: expect.stringMatching(/no email/) });
    expect(lookups()).toHaveLength(2);
  });

  it("never calls a failed lookup 'no owner' nor routes it: 'not reachable (lookup failed)', with secrets redacted", async () => {
    slack.addFault({ method: "users.lookupByEmail", email: "bob@example.com", effect: { kind: "http", status: 502, body: `upstream saw ${slack.token}` } });
    const directory = createOwnerDirectory(client(), { routes: [{ match: "*", slack: "C0ALL" }] });
    const bob = await directory.resolve(userKey("bob@example.com"));
    expect(bob).toMatchObject({ kind: "report_channel", reason: "not reachable", detail: expect.stringMatching(/^lookup failed: http_502/) });
    expect(JSON.stringify(bob)).not.toContain(slack.token);
    expect(JSON.stringify(bob)).toContain("[REDACTED]");
    // An HTTP error concerns that call only: other emails are still looked up.
    expect(await directory.resolve(userKey("alice@example.com"))).toEqual({ kind: "user", id: "U0ALICE" });
    // …and the failed email is not asked again in this run.
    expect(await directory.resolve(userKey("BOB@example.com"))).toMatchObject({ reason: "not reachable" });
    expect(lookups().map((c) => String(c.body["email"]).toLowerCase())).toEqual(["bob@example.com", "alice@example.com"]);
  });

  it("stops looking up after a rate limit it cannot wait for, marking the rest 'lookup failed' without calling Slack", async () => {
    slack.addFault({ method: "users.lookupByEmail", effect: { kind: "ratelimit", retryAfter: 120 } });
    const directory = createOwnerDirectory(client(), { concurrency: 1 });
    const findings = [userKey("alice@example.com"), userKey("bob@example.com"), userKey("carol@example.com")];
    const resolved = await directory.resolveAll(findings);
    for (const f of findings) expect(resolved.get(f.fingerprint)).toMatchObject({ kind: "report_channel", reason: "not reachable", detail: expect.stringMatching(/^lookup failed: ratelimited/) });
    expect(lookups()).toHaveLength(1);
  });

  it("stops too when the token lacks users:read.email (missing_scope)", async () => {
    slack.addFault({ method: "users.lookupByEmail", effect: { kind: "error", error: "missing_scope" } });
    const directory = createOwnerDirectory(client(), { concurrency: 1 });
    const resolved = await directory.resolveAll([userKey("alice@example.com"), userKey("bob@example.com")]);
    expect([...resolved.values()].map((r) => r.kind === "report_channel" && r.detail)).toEqual(["lookup failed: missing_scope", "lookup failed: missing_scope"]);
    expect(lookups()).toHaveLength(1);
  });
});

describe("owners routes", () => {
  it("match a project by id or by name glob, never an admin key", () => {
    const routes = [{ match: "proj_A1", slack: "C1" }, { match: "team-*-prod", slack: "C2" }];
    expect(matchOwnerRoute(routes, project("proj_A1", "whatever"))?.slack).toBe("C1");
    expect(matchOwnerRoute(routes, project("proj_B", "Team-Search-PROD"))?.slack).toBe("C2");
    expect(matchOwnerRoute(routes, project("proj_B", "team-search-staging"))).toBeUndefined();
    expect(matchOwnerRoute(routes, project("proj_B", null))).toBeUndefined();
    expect(matchOwnerRoute(routes, null)).toBeUndefined();
  });

  it("name what is wrong with a route, and a wrong route is never used", async () => {
    const routes = [{ match: "proj_x", slack: "#security" }, { match: "", slack: "C1" }, { match: "proj_x", slack: "C0GOOD" }];
    expect(ownerRouteProblems(routes)).toEqual([
      expect.stringMatching(/^owners\[0\]\.slack/),
      expect.stringMatching(/^owners\[1\]\.match/),
    ]);
    const directory = createOwnerDirectory(client(), { routes });
    expect(await directory.resolve(serviceKey(project("proj_x", "x")))).toEqual({ kind: "channel", id: "C0GOOD", route: "proj_x" });
  });
});
