/**
 * A risk accepted from Slack, end to end inside workerd against the fake Slack: a signed click opens
 * the modal, the submission is checked and stored, the message is updated, and the decision is listed.
 */
import { exports } from "cloudflare:workers";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sampleOrg } from "../sim/sample-org.js";
import { api, env, sim, slack, slackSignature as sign, startRun, waitForRun } from "./helpers.js";

interface FakeState {
  views: { id: string; trigger_id: string; view: { callback_id: string; private_metadata: string; title: { text: string } } }[];
  updates: { channel: string; ts: string; blocks: { block_id?: string; text?: { text: string } }[] }[];
  messages: { channel: string; ts: string; text: string; blocks: { block_id?: string; text?: { text: string } }[] }[];
  responseUrlPosts: { id: string; body: { text: string; response_type?: string } }[];
}

async function fake(): Promise<FakeState> {
  return (await (await fetch(`${slack.base}/__slack/calls`)).json()) as FakeState;
}

async function trigger(): Promise<string> {
  return ((await (await fetch(`${slack.base}/__slack/trigger`, { method: "POST", body: "{}" })).json()) as { trigger_id: string }).trigger_id;
}


async function interact(payload: unknown, opts: { timestamp?: number; signature?: string | null; body?: string } = {}): Promise<Response> {
  const body = opts.body ?? new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp) };
  const signature = opts.signature === undefined ? await sign(body, timestamp) : opts.signature;
  if (signature !== null) headers["x-slack-signature"] = signature;
  return exports.default.fetch("http://keywarden.test/slack/interactions", { method: "POST", headers, body });
}

/** Polls until `check` passes (the work after the 200 runs in waitUntil). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 5_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let finding: { fingerprint: string; severity: string; rule_id: string; key: { id: string } };
let message: FakeState["messages"][number];

beforeAll(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  const run = (await waitForRun(await startRun())) as unknown as { findings: typeof finding[] };
  finding = run.findings.find((f) => f.severity === "high")!;
  const { messages } = await fake();
  message = messages.find((m) => m.blocks.some((b) => b.block_id === `f-${finding.fingerprint}`))!;
});
afterEach(() => vi.restoreAllMocks());

function click(user: string, triggerId: string, fingerprint = finding.fingerprint) {
  return {
    type: "block_actions",
    user: { id: user, username: user.toLowerCase(), name: `${user} name` },
    trigger_id: triggerId,
    actions: [{ action_id: "accept_risk", block_id: `f-${fingerprint}`, value: fingerprint }],
    container: { type: "message", channel_id: message.channel, message_ts: message.ts },
    message: { ts: message.ts, text: message.text, blocks: message.blocks },
    response_url: `${slack.base}/response/click-${user}`,
  };
}

function submission(user: string, viewId: string, values: { reason: string; expires: string; ticket?: string }, fingerprint = finding.fingerprint) {
  return {
    type: "view_submission",
    user: { id: user, username: user.toLowerCase(), name: `${user} name` },
    view: {
      id: viewId,
      callback_id: "accept_risk_modal",
      private_metadata: fingerprint,
      state: {
        values: {
          reason: { value: { type: "plain_text_input", value: values.reason } },
          expires: { value: { type: "datepicker", selected_date: values.expires } },
          ticket: { value: { type: "url_text_input", value: values.ticket ?? null } },
        },
      },
    },
  };
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe("accepting a risk from Slack", () => {
  it("a signed click by an allowed user opens the modal at once; the submission is checked, stored and shown", async () => {
    // The button the click comes from: beside the finding in the report's thread.
    const button = message.blocks.find((b) => b.block_id === `f-${finding.fingerprint}`) as { accessory?: { action_id: string; value: string } } | undefined;
    expect(button?.accessory).toMatchObject({ action_id: "accept_risk", value: finding.fingerprint });
    const started = performance.now();
    const response = await interact(click("U_ALLOWED", await trigger()));
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3_000);
    const { views } = await eventually(fake, (s) => s.views.length > 0);
    expect(views).toHaveLength(1);
    expect(views[0]!.view).toMatchObject({ callback_id: "accept_risk_modal", private_metadata: finding.fingerprint });

    const invalid = await interact(submission("U_ALLOWED", views[0]!.id, { reason: "short", expires: inDays(0) }));
    expect(await invalid.json()).toEqual({ response_action: "errors", errors: { reason: expect.any(String), expires: "The expiry must be in the future." } });
    const tooFar = await interact(submission("U_ALLOWED", views[0]!.id, { reason: "migration to the new key in progress", expires: inDays(120) }));
    expect(await tooFar.json()).toMatchObject({ response_action: "errors", errors: { expires: expect.stringContaining("At most 90 days") } });

    const accepted = await interact(
      submission("U_ALLOWED", views[0]!.id, { reason: "migration to the new key in progress", expires: inDays(30), ticket: "https://tickets.example/SEC-42" }),
    );
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toBe("");
    const listed = (await (await api("/exemptions")).json()) as { exemptions: { source: string; fingerprint?: string; status: string; approved_by: unknown; ticket?: string }[] };
    expect(listed.exemptions.filter((e) => e.source === "slack")).toEqual([
      expect.objectContaining({ fingerprint: finding.fingerprint, status: "active", approved_by: { id: "U_ALLOWED", name: "U_ALLOWED name" }, ticket: "https://tickets.example/SEC-42" }),
    ]);
    const { updates } = await eventually(fake, (s) => s.updates.length > 0);
    const block = updates[0]!.blocks.find((b) => b.block_id === `f-${finding.fingerprint}`);
    expect(block?.text?.text).toContain(`accepted by U_ALLOWED name until ${inDays(30)}: migration to the new key in progress`);
    expect((block as { accessory?: unknown }).accessory).toBeUndefined();
  });

  it("exempts the finding from the next run on, lists the acceptance in the evidence, and reopens it once expired", async () => {
    const next = (await waitForRun(await startRun({ notify: false }))) as unknown as {
      id: string;
      findings: { fingerprint: string }[];
      exemptions: { fingerprint: string; source?: string; accepted_by?: { name: string } }[];
    };
    expect(next.findings.map((f) => f.fingerprint)).not.toContain(finding.fingerprint);
    expect(next.exemptions).toContainEqual(expect.objectContaining({ fingerprint: finding.fingerprint, source: "slack", accepted_by: expect.objectContaining({ name: "U_ALLOWED name" }) }));
    const evidence = await api(`/runs/${next.id}/evidence/exemptions.json`);
    expect(evidence.status).toBe(200);
    expect(await evidence.text()).toContain("U_ALLOWED name");

    // Past its last day the acceptance no longer holds: the finding is open again and the run says why.
    await env.DB.prepare("UPDATE accepted_exemptions SET expires = '2026-01-01' WHERE fingerprint = ?").bind(finding.fingerprint).run();
    const reopened = (await waitForRun(await startRun({ notify: false }))) as unknown as {
      findings: { fingerprint: string }[];
      exemption_notices: { kind: string; key_id: string }[];
    };
    expect(reopened.findings.map((f) => f.fingerprint)).toContain(finding.fingerprint);
    expect(reopened.exemption_notices).toContainEqual(expect.objectContaining({ kind: "expired", key_id: finding.key.id }));
    await env.DB.prepare("UPDATE accepted_exemptions SET expires = ? WHERE fingerprint = ?").bind(inDays(30), finding.fingerprint).run();
  });

  it("refuses anyone else with an ephemeral message, opens nothing and stores nothing", async () => {
    await slack.reset();
    const before = ((await (await api("/exemptions")).json()) as { exemptions: unknown[] }).exemptions.length;
    expect((await interact(click("U_STRANGER", await trigger()))).status).toBe(200);
    const { responseUrlPosts, views } = await eventually(fake, (s) => s.responseUrlPosts.length > 0);
    expect(views).toEqual([]);
    expect(responseUrlPosts[0]?.body).toMatchObject({ response_type: "ephemeral", text: expect.stringContaining("may not accept") });
    // A forged submission without the modal is refused too.
    const forged = await interact(submission("U_STRANGER", "V_FORGED", { reason: "I would like this gone please", expires: inDays(10) }));
    expect(await forged.json()).toMatchObject({ response_action: "errors", errors: { reason: expect.stringContaining("may not accept") } });
    expect(((await (await api("/exemptions")).json()) as { exemptions: unknown[] }).exemptions).toHaveLength(before);
  });

  it("stores nothing for an unsigned, replayed or stale interaction", async () => {
    const before = ((await (await api("/exemptions")).json()) as { exemptions: unknown[] }).exemptions.length;
    const payload = submission("U_ALLOWED", "V_X", { reason: "a perfectly fine reason", expires: inDays(5) });
    expect((await interact(payload, { signature: null })).status).toBe(401);
    expect((await interact(payload, { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = await sign(body, timestamp);
    expect((await interact(payload, { body, timestamp, signature })).status).toBe(200);
    expect((await interact(payload, { body, timestamp, signature })).status).toBe(401);
    // The one accepted request above stored one acceptance; the refused ones none.
    expect(((await (await api("/exemptions")).json()) as { exemptions: unknown[] }).exemptions).toHaveLength(before + 1);
  });

  it("lists and revokes through the HTTP API: revoked is recorded, not erased", async () => {
    const listed = (await (await api("/exemptions")).json()) as { exemptions: { id: string | null; source: string; status: string }[] };
    const active = listed.exemptions.find((e) => e.source === "slack" && e.status === "active");
    const revoked = await api(`/exemptions/${active!.id}`, { method: "DELETE" });
    expect(await revoked.json()).toMatchObject({ id: active!.id, status: "revoked" });
    expect((await api(`/exemptions/${active!.id}`, { method: "DELETE" })).status).toBe(409);
    expect((await api("/exemptions/acc_0000000000000000", { method: "DELETE" })).status).toBe(404);
    expect((await api("/exemptions", { token: null })).status).toBe(401);
    const after = (await (await api("/exemptions")).json()) as { exemptions: { id: string | null; status: string }[] };
    expect(after.exemptions.find((e) => e.id === active!.id)?.status).toBe("revoked");
  });
});

