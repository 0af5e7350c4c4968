/**
 * The Re-enable button of a carried-out Disable, through the Worker: the click and the form's
 * submission reach decide/reenable.ts, signed and answered like every interaction. The worker tests'
 * Worker has no Anthropic account among its bindings, so it says so and calls nothing;
 * decide-disable.test.ts drives the whole flow with in-memory ports.
 */
import { env } from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { RemediationAction } from "../../src/model/remediation.js";
import { RemediationStore } from "../../src/store/remediations.js";
import { signedInteraction, sim, slack } from "./helpers.js";
import { sampleOrg } from "../../src/sim/sample-org.js";

const ALLOWED = "U_ALLOWED";
const SETTINGS = { REMEDIATION: "on", SLACK_ALLOWED_USERS: `${ALLOWED}, U_SECOND` };
const KEY = "apikey_research_bob";

const disable: RemediationAction = {
  kind: "disable_key",
  target: { type: "api_key", id: KEY, name: "bob experiments", project: { id: "wrkspc_research", name: "research", archived: false }, account: "anthropic" },
  request: { method: "POST", path: `/v1/organizations/api_keys/${KEY}`, body: { status: "inactive" } },
  keysAffected: [{ kind: "project", id: KEY, name: "bob experiments", redacted_value: "sk-ant-api03-res...bbob", last_used_at: null, project_id: "wrkspc_research" }],
  summary: `Disable Anthropic key "bob experiments" (${KEY})`,
  finding: { rule_id: "unused-90d", rule_kind: "unused", fingerprint: "fp_ant_bob", key_id: KEY },
};

const finding = {
  rule_id: "unused-90d",
  rule_kind: "unused",
  severity: "high",
  fingerprint: "fp_ant_bob",
  sentence: "s",
  key: { kind: "project", id: KEY, name: "bob experiments", redacted_value: "sk-ant-api03-res...bbob", created_at: "2026-01-01T00:00:00.000Z", last_used_at: null, expires_at: null, owner_access: null, provider: "anthropic", account: "anthropic", status: "active" },
  project: { id: "wrkspc_research", name: "research", archived: false },
  owner: { type: "user", id: "user_ant_bob", name: "Bob Chen", email: "bob@example.com", role: "developer" },
};

/** A Disable carried out an hour ago, as Slack approvals record it. */
async function carriedOutDisable(): Promise<string> {
  const store = new RemediationStore(env.DB);
  const at = new Date(Date.now() - 3_600_000).toISOString();
  const id = "rem_disable0000001";
  await store.create({
    id,
    fingerprint: "fp_ant_bob",
    policy_name: "default",
    rule_id: "unused-90d",
    key_id: KEY,
    action_kind: "disable_key",
    summary: disable.summary,
    action_json: JSON.stringify(disable),
    finding_json: JSON.stringify(finding),
    mode: "on",
    reason: "unused since July",
    acknowledged_in_use: 0,
    requested_by: ALLOWED,
    requested_by_name: "allowed",
    requested_at: at,
  });
  await store.claim(id, "on", at.slice(0, 10), at, 5);
  await store.finish(id, { status: "done", http_status: 200, outcome: "Disabled", at, actor: "U_SECOND" });
  return id;
}

const click = (by: string, id: string) => ({
  type: "block_actions",
  user: { id: by, username: by.toLowerCase() },
  trigger_id: "T_REENABLE",
  actions: [{ action_id: "remediation_reenable", block_id: `rem-reenable-${id}`, value: id }],
  container: { type: "message", channel_id: "C0KEYWARDEN", message_ts: "1.1" },
  response_url: `${slack.base}/response/reenable-${by}`,
});

const replies = async (name: string) => (await slack.calls()).responseUrlPosts.filter((p) => p.id === name).map((p) => p.body.text);

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  await env.DB.prepare("DELETE FROM remediation_events").run();
  await env.DB.prepare("DELETE FROM remediation_approvals").run();
  await env.DB.prepare("DELETE FROM remediation_requests").run();
});

describe("the Re-enable button, through the Worker", () => {
  it("is refused to a user outside SLACK_ALLOWED_USERS; for an allowed one, the missing Anthropic account is said and nothing is requested", async () => {
    const id = await carriedOutDisable();
    expect((await signedInteraction(click("U_EVE", id), SETTINGS)).status).toBe(200);
    expect(await replies("reenable-U_EVE")).toEqual([expect.stringContaining("SLACK_ALLOWED_USERS")]);

    expect((await signedInteraction(click(ALLOWED, id), SETTINGS)).status).toBe(200);
    expect(await replies(`reenable-${ALLOWED}`)).toEqual([expect.stringContaining("no Anthropic account named")]);
    expect((await slack.calls()).calls.filter((c) => c.method === "views.open")).toEqual([]);

    const submitted = await signedInteraction(
      {
        type: "view_submission",
        user: { id: ALLOWED, username: "allowed" },
        view: { id: "V1", callback_id: "reenable_modal", private_metadata: JSON.stringify({ u: id }), state: { values: { reason: { value: { type: "plain_text_input", value: "the nightly eval job still needs it" } } } } },
      },
      SETTINGS,
    );
    expect(await submitted.json()).toEqual({ response_action: "errors", errors: { reason: expect.stringContaining("no Anthropic account named") } });
    expect(await new RemediationStore(env.DB).undoOf(id)).toBeNull();
  });
});
