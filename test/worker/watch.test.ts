/**
 * The hourly watch (issue 20) inside workerd: a complete run, then keys created through the
 * simulator (each with its audit-log event), then the housekeeping cron. What breaks a rule is told
 * in that firing, in one compact channel message with its Accept action, from the audit log and the
 * key's own read alone; a quiet hour, a finding already open, one told before and an accepted risk
 * make no post. Each firing is listed by GET /watch and in the next run's evidence.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index.js";
import { findingFingerprint } from "../../src/policy/fingerprint.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { HOUSEKEEPING_CRON } from "../../src/worker/crons.js";
import { api, env, sim, simUrl, slack, slackSignature, startRun, waitForRun } from "./helpers.js";

const simControl = simUrl.replace(/\/v1$/, "/__sim");

/** A key created as a person would create it: the simulator records its `api_key.created` event. */
async function createKey(body: unknown): Promise<void> {
  const response = await fetch(`${simControl}/keys`, { method: "POST", body: JSON.stringify(body) });
  if (response.status !== 201) throw new Error(`POST /__sim/keys answered ${response.status}: ${await response.text()}`);
}

async function addEvent(event: unknown): Promise<void> {
  const response = await fetch(`${simControl}/events`, { method: "POST", body: JSON.stringify(event) });
  if (response.status !== 201) throw new Error(`POST /__sim/events answered ${response.status}: ${await response.text()}`);
}

/** One housekeeping firing, as Cloudflare's cron fires it, from a clean request log and Slack record. */
async function housekeeping(): Promise<{ posts: { text?: string; blocks?: unknown[]; channel?: string }[]; requests: string[] }> {
  await sim.reset();
  await slack.reset();
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: HOUSEKEEPING_CRON }), env, ctx);
  await waitOnExecutionContext(ctx);
  const posts = (await slack.calls()).calls.filter((c) => c.method === "chat.postMessage").map((c) => c.body);
  return { posts, requests: (await sim.requests()).map((r) => `${r.method} ${r.path}`) };
}

interface Firing {
  id: string;
  requests: number;
  keys_seen: number;
  findings_posted: number;
  delivery: string;
  accounts: { account: string; status: string; findings: { key_id: string }[]; already_reported: number }[];
}
const firings = async () => ((await (await api("/watch?limit=100")).json()) as { firings: Firing[] }).firings;

let runId: string;
let openFinding: { fingerprint: string; key: { id: string }; rule_id: string };

beforeAll(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  const run = (await waitForRun(await startRun())) as unknown as { id: string; status: string; findings: (typeof openFinding)[] };
  expect(run.status).toBe("complete");
  runId = run.id;
  openFinding = run.findings.find((f) => f.rule_id === "owner-not-allowed" && f.key.id === "key_web_mallory")!;
  expect(openFinding).toBeDefined();
});

describe("the hourly watch in workerd", () => {
  it("a quiet hour asks the audit log once and posts nothing", async () => {
    const { posts, requests } = await housekeeping();
    expect(requests).toEqual(["GET /v1/organization/audit_logs"]);
    expect(posts).toEqual([]);
    expect((await firings())[0]).toMatchObject({ requests: 1, keys_seen: 0, findings_posted: 0, delivery: "no_findings" });
  });

  it("a key created after the run that breaks a rule is posted in that firing, in one message, from its own read alone", async () => {
    await createKey({ project_id: "proj_web", owner: { user_id: "user_mallory" }, id: "key_web_watch_mallory", name: "mallory watch test" });
    const { posts, requests } = await housekeeping();
    expect(requests).toEqual(["GET /v1/organization/audit_logs", "GET /v1/organization/projects/proj_web/api_keys/key_web_watch_mallory"]);
    expect(posts).toHaveLength(1);
    const message = JSON.stringify(posts[0]);
    expect(message).toContain("key_web_watch_mallory");
    expect(message).toContain("owner-not-allowed");
    expect(message).not.toContain("key_web_prod");

    const [firing] = await firings();
    expect(firing).toMatchObject({ keys_seen: 1, findings_posted: 1, delivery: "posted", accounts: [{ account: "openai", status: "watched", findings: [{ key_id: "key_web_watch_mallory" }] }] });
    // Its Accept button names the firing; a click opens the form for that finding.
    const fingerprint = findingFingerprint("owner-not-allowed", "project", "key_web_watch_mallory");
    const block = (posts[0]?.blocks as { block_id?: string; accessory?: { action_id: string; value: string } }[]).find((b) => b.block_id === `f-${fingerprint}`);
    expect(block?.accessory).toEqual(expect.objectContaining({ action_id: "accept_risk", value: `${firing?.id}:${fingerprint}` }));
    const opened = await clickAccept(block?.accessory?.value ?? "", fingerprint);
    expect(opened).toEqual([expect.objectContaining({ callback_id: "accept_risk_modal", private_metadata: `${firing?.id}:${fingerprint}` })]);
  });

  it("a finding already open since the run, or told by an earlier firing, is not posted again", async () => {
    for (const [id, keyId] of [
      ["audit_log-open-updated", openFinding.key.id],
      ["audit_log-told-updated", "key_web_watch_mallory"],
    ]) {
      await addEvent({ id, type: "api_key.updated", project: { id: "proj_web", name: "web-app" }, actor: null, "api_key.updated": { id: keyId, changes_requested: { scopes: [] } } });
    }
    const { posts, requests } = await housekeeping();
    expect(requests).toContain(`GET /v1/organization/projects/proj_web/api_keys/${openFinding.key.id}`);
    expect(posts).toEqual([]);
    expect((await firings())[0]).toMatchObject({ keys_seen: 2, findings_posted: 0, accounts: [{ already_reported: 2 }] });
  });

  it("an accepted risk is not posted", async () => {
    const keyId = "key_web_accepted_mallory";
    await new AcceptanceStore(env.DB).add({
      id: "acc_watch_test",
      policy_name: "default",
      rule_id: "owner-not-allowed",
      key_id: keyId,
      fingerprint: findingFingerprint("owner-not-allowed", "project", keyId),
      severity: "medium",
      reason: "contractor key approved by security until the project ends",
      expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      ticket: null,
      accepted_by_id: "U_ALLOWED",
      accepted_by_name: "allowed",
      accepted_at: new Date().toISOString(),
    });
    await createKey({ project_id: "proj_web", owner: { user_id: "user_mallory" }, id: keyId });
    const { posts } = await housekeeping();
    expect(posts).toEqual([]);
    expect((await firings())[0]).toMatchObject({ keys_seen: 1, findings_posted: 0 });
  });

  it("an audit log that is refused is said once in the channel and in /healthz, which stays ok", async () => {
    const org = sampleOrg(new Date());
    org.auditLoggingEnabled = false;
    await sim.reset(org);
    const first = await housekeeping();
    expect(first.posts).toHaveLength(1);
    expect(first.posts[0]?.text).toMatch(/account openai: the audit log cannot be read .*HTTP 403/);
    expect((await housekeeping()).posts).toEqual([]);
    const health = (await (await exports.default.fetch("http://keywarden.test/healthz")).json()) as { ok: boolean; watch: { on: boolean; audit_log_unavailable: { account: string }[] } };
    expect(health).toMatchObject({ ok: true, watch: { on: true, audit_log_unavailable: [{ account: "openai" }] } });
    expect((await firings())[0]?.accounts[0]?.status).toBe("audit_log_unavailable");
  });

  it("the next run's evidence lists every firing since the run before", async () => {
    await sim.reset(sampleOrg(new Date()));
    const next = await waitForRun(await startRun());
    const listing = (await (await api(`/runs/${next.id}/evidence`)).json()) as { files: { name: string }[] };
    expect(listing.files.map((f) => f.name)).toEqual(expect.arrayContaining(["watch.json", "watch.csv"]));
    const watch = (await (await api(`/runs/${next.id}/evidence/watch.json`)).json()) as { run_id: string; firings: { id: string }[] };
    expect(watch.run_id).toBe(next.id);
    expect(watch.firings.map((f) => f.id).sort()).toEqual((await firings()).map((f) => f.id).sort());
    expect(runId).not.toBe(next.id);
  });
});

/** A signed click on an Accept-risk button; the modals the fake Slack opened for it. */
async function clickAccept(value: string, fingerprint: string): Promise<{ callback_id: string; private_metadata: string }[]> {
  const triggerId = ((await (await fetch(`${slack.base}/__slack/trigger`, { method: "POST", body: "{}" })).json()) as { trigger_id: string }).trigger_id;
  const payload = {
    type: "block_actions",
    user: { id: "U_ALLOWED", username: "allowed", name: "allowed" },
    trigger_id: triggerId,
    actions: [{ action_id: "accept_risk", block_id: `f-${fingerprint}`, value }],
    container: { type: "message", channel_id: "C0KEYWARDEN", message_ts: "1.0" },
    response_url: `${slack.base}/response/watch-click`,
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const response = await exports.default.fetch("http://keywarden.test/slack/interactions", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": await slackSignature(body, timestamp) },
    body,
  });
  expect(response.status).toBe(200);
  for (let i = 0; i < 100; i++) {
    const { views } = (await (await fetch(`${slack.base}/__slack/calls`)).json()) as { views: { view: { callback_id: string; private_metadata: string } }[] };
    if (views.length > 0) return views.map((v) => v.view);
    await new Promise((r) => setTimeout(r, 50));
  }
  return [];
}

describe("a watch finding read back", () => {
  it("is refused, as a run's is, when what was stored does not fit a finding; the cursor's judged changes come back as stored", async () => {
    const { WatchLog } = await import("../../src/store/watch-log.js");
    const log = new WatchLog(env.DB);
    const at = "2026-11-23T06:17:00.000Z";
    await log.recordFiring({ id: "watch_20261123T061700Z_bad000", started_at: at, finished_at: at, policy: "default", accounts: [], requests: 0, keys_seen: 0, findings_posted: 0, delivery: "no_findings" }, []);
    await env.DB.prepare("INSERT INTO watch_findings (firing_id, fingerprint, policy_name, reported_at, finding_json) VALUES (?, ?, ?, ?, ?)")
      .bind("watch_20261123T061700Z_bad000", "fp_bad", "default", "2026-11-23T06:17:00.000Z", JSON.stringify({ rule_id: "x" }))
      .run();
    await expect(log.findingOfFiring("watch_20261123T061700Z_bad000", "fp_bad")).rejects.toThrow(/cannot be read/);
    await log.saveCursor("acct_review", { at: 100, ids: [], judged: { "key:k1": 100 } });
    expect((await log.accountState("acct_review")).cursor).toEqual({ at: 100, ids: [], judged: { "key:k1": 100 } });
  });
});
