/**
 * A risk accepted from Slack, end to end inside workerd against the fake Slack: a signed click opens
 * the modal, the submission is checked and stored, the message is updated, and the decision is listed.
 */
import { exports } from "cloudflare:workers";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { FAKE_SLACK_TOKEN } from "../../src/sim/slack-server.js";
import { API_TOKEN, api, env, sim, slack, slackSignature as sign, startRun, waitForRun } from "./helpers.js";
import { ACCEPT_TEST_APPROVER, ACCEPT_TEST_POLICY } from "./test-policies.js";

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
let firstRunId: string;
let firstRunFindings: (typeof finding)[];

beforeAll(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  const run = (await waitForRun(await startRun())) as unknown as { id: string; findings: typeof finding[] };
  firstRunId = run.id;
  firstRunFindings = run.findings;
  finding = run.findings.find((f) => f.severity === "high")!;
  const { messages } = await fake();
  // The report of this run: a run another test file started may still post its own after the reset.
  message = messages.find((m) => m.blocks.some((b) => b.block_id === `f-${finding.fingerprint}` && JSON.stringify(b).includes(firstRunId)))!;
});
afterEach(() => vi.restoreAllMocks());

type Posted = FakeState["messages"][number];

/** The value of the Accept-risk button beside a finding in a posted message (REMEDIATION is off here: a button, no menu). */
function buttonValue(posted: Posted, fingerprint: string): string {
  const block = posted.blocks.find((b) => b.block_id === `f-${fingerprint}`) as { accessory?: { value?: string } } | undefined;
  const value = block?.accessory?.value;
  if (!value) throw new Error(`no Accept-risk button beside finding ${fingerprint}`);
  return value;
}

/** A click on the Accept-risk button of a finding, in the message it was posted in (by default the first run's report). */
function click(user: string, triggerId: string, fingerprint = finding.fingerprint, on: Posted = message) {
  return {
    type: "block_actions",
    user: { id: user, username: user.toLowerCase(), name: `${user} name` },
    trigger_id: triggerId,
    actions: [{ action_id: "accept_risk", block_id: `f-${fingerprint}`, value: buttonValue(on, fingerprint) }],
    container: { type: "message", channel_id: on.channel, message_ts: on.ts },
    message: { ts: on.ts, text: on.text, blocks: on.blocks },
    response_url: `${slack.base}/response/click-${user}`,
  };
}

/** The modal a submission comes from: its id and what it carried. */
interface Modal {
  id: string;
  view: { private_metadata: string };
}
/** A submission no opened modal led to, carrying what a button of that message carries. */
const forgedModal = (id: string, on: Posted = message, fingerprint = finding.fingerprint): Modal => ({ id, view: { private_metadata: buttonValue(on, fingerprint) } });

function submission(user: string, modal: Modal, values: { reason: string; expires: string; ticket?: string }) {
  return {
    type: "view_submission",
    user: { id: user, username: user.toLowerCase(), name: `${user} name` },
    view: {
      id: modal.id,
      callback_id: "accept_risk_modal",
      private_metadata: modal.view.private_metadata,
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

/** The acceptances GET /exemptions lists (of one finding, when given). */
const exemptionsOf = async (fingerprint?: string) =>
  ((await (await api("/exemptions")).json()) as { exemptions: { source: string; fingerprint?: string; policy: string; expires: string; reason: string; status: string }[] }).exemptions.filter(
    (e) => e.source === "slack" && (fingerprint === undefined || e.fingerprint === fingerprint),
  );

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

describe("accepting a risk from Slack", () => {
  it("a signed click by an allowed user opens the modal at once; the submission is checked, stored and shown", async () => {
    // The button the click comes from: beside the finding in the report's thread, naming the run it reports and the finding.
    const button = message.blocks.find((b) => b.block_id === `f-${finding.fingerprint}`) as { accessory?: { action_id: string; value: string } } | undefined;
    expect(button?.accessory).toMatchObject({ action_id: "accept_risk", value: `${firstRunId}:${finding.fingerprint}` });
    const started = performance.now();
    const response = await interact(click("U_ALLOWED", await trigger()));
    expect(response.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3_000);
    const { views } = await eventually(fake, (s) => s.views.length > 0);
    expect(views).toHaveLength(1);
    expect(views[0]!.view).toMatchObject({ callback_id: "accept_risk_modal", private_metadata: `${firstRunId}:${finding.fingerprint}` });

    const invalid = await interact(submission("U_ALLOWED", views[0]!, { reason: "short", expires: inDays(0) }));
    expect(await invalid.json()).toEqual({ response_action: "errors", errors: { reason: expect.any(String), expires: "The expiry must be in the future." } });
    const tooFar = await interact(submission("U_ALLOWED", views[0]!, { reason: "migration to the new key in progress", expires: inDays(120) }));
    expect(await tooFar.json()).toMatchObject({ response_action: "errors", errors: { expires: expect.stringContaining("At most 90 days") } });

    const accepted = await interact(
      submission("U_ALLOWED", views[0]!, { reason: "migration to the new key in progress", expires: inDays(30), ticket: "https://tickets.example/SEC-42" }),
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
    const forged = await interact(submission("U_STRANGER", forgedModal("V_FORGED"), { reason: "I would like this gone please", expires: inDays(10) }));
    expect(await forged.json()).toMatchObject({ response_action: "errors", errors: { reason: expect.stringContaining("may not accept") } });
    expect(((await (await api("/exemptions")).json()) as { exemptions: unknown[] }).exemptions).toHaveLength(before);
  });

  it("refuses a button that does not name its run (a report posted before buttons did): which policy governs it cannot be told", async () => {
    await slack.reset();
    const old = click("U_ALLOWED", await trigger());
    old.actions[0]!.value = finding.fingerprint;
    await interact(old);
    const { responseUrlPosts, views } = await eventually(fake, (s) => s.responseUrlPosts.length > 0);
    expect(views).toEqual([]);
    expect(responseUrlPosts[0]?.body.text).toContain("use the Accept-risk button of the latest report");
  });

  it("stores nothing for an unsigned, replayed or stale interaction", async () => {
    const before = ((await (await api("/exemptions")).json()) as { exemptions: unknown[] }).exemptions.length;
    const payload = submission("U_ALLOWED", forgedModal("V_X"), { reason: "a perfectly fine reason", expires: inDays(5) });
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

  it("a reason holding the API token, the bot token or an OpenAI key reaches neither Slack nor D1", async () => {
    const target = firstRunFindings.find((f) => f.severity === "medium")!;
    const openaiKey = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123";
    const reason = `rotating; token ${API_TOKEN} bot ${FAKE_SLACK_TOKEN} key ${openaiKey}`;
    await slack.reset();
    await interact(click("U_ALLOWED", await trigger(), target.fingerprint));
    const { views } = await eventually(fake, (s) => s.views.length > 0);
    expect(await (await interact(submission("U_ALLOWED", views[0]!, { reason, expires: inDays(7) }))).text()).toBe("");
    const { updates } = await eventually(fake, (s) => s.updates.length > 0);
    const updated = JSON.stringify(updates);
    expect(updated).toContain("rotating; token [REDACTED] bot [REDACTED] key [REDACTED]");
    const stored = await env.DB.prepare("SELECT reason FROM accepted_exemptions WHERE fingerprint = ?").bind(target.fingerprint).first<{ reason: string }>();
    expect(stored?.reason).toBe("rotating; token [REDACTED] bot [REDACTED] key [REDACTED]");
    for (const secret of [API_TOKEN, FAKE_SLACK_TOKEN, openaiKey]) {
      expect(updated).not.toContain(secret);
      expect(stored?.reason).not.toContain(secret);
    }
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

  it("rebuilds the updated message from what Keywarden stored, never from the click's payload", async () => {
    // Not yet accepted, not critical, and not one the policy tests below accept under default.
    const accepted = new Set((await exemptionsOf()).map((e) => e.fingerprint));
    const target = firstRunFindings.find(
      (f) => f.rule_id !== "unused-90d" && f.severity !== "critical" && !accepted.has(f.fingerprint) && message.blocks.some((b) => b.block_id === `f-${f.fingerprint}`),
    )!;
    // Whoever holds the signing secret can send any message with a click; Keywarden must not post it back.
    const forged = { ...click("U_ALLOWED", await trigger(), target.fingerprint), message: { ts: message.ts, text: "ALL CLEAR", blocks: [{ type: "section", block_id: `f-${target.fingerprint}`, text: { type: "mrkdwn", text: ":white_check_mark: ALL CLEAR" } }] } };
    await slack.reset();
    await interact(forged);
    const { views } = await eventually(fake, (s) => s.views.length > 0);
    expect(await (await interact(submission("U_ALLOWED", views[0]!, { reason: "monitored key, replaced next sprint", expires: inDays(14) }))).text()).toBe("");
    const { updates } = await eventually(fake, (s) => s.updates.length > 0);
    expect(updates).toHaveLength(1);
    const updated = updates[0]!;
    expect(updated).toMatchObject({ channel: message.channel, ts: message.ts });
    expect(JSON.stringify(updated)).not.toContain("ALL CLEAR");
    // Every block the report had is there again, from the stored run; the accepted ones say so and lose their button.
    expect(updated.blocks.map((b) => b.block_id)).toEqual(message.blocks.map((b) => b.block_id));
    const block = (fingerprint: string) => updated.blocks.find((b) => b.block_id === `f-${fingerprint}`) as { text?: { text: string }; accessory?: unknown };
    expect(block(target.fingerprint).text?.text).toContain(`accepted by U_ALLOWED name until ${inDays(14)}: monitored key, replaced next sprint`);
    expect(block(target.fingerprint).accessory).toBeUndefined();
    // An earlier acceptance on the same message, still in force, is shown too.
    expect(block(finding.fingerprint).text?.text).toContain("accepted by U_ALLOWED name until");
    // A finding nobody accepted is as it was posted.
    const untouched = message.blocks.find((b) => b.block_id?.startsWith("f-") && !block(b.block_id.slice(2)).text?.text.includes("accepted by"));
    expect(untouched).toBeDefined();
    expect(block(untouched!.block_id!.slice(2))).toEqual(untouched);
  });

  it("never rewrites the channel report's main message: a click that names it gets a reply in its thread, from stored state", async () => {
    const accepted = new Set((await exemptionsOf()).map((e) => e.fingerprint));
    const target = firstRunFindings.find(
      (f) => f.rule_id !== "unused-90d" && f.severity !== "critical" && !accepted.has(f.fingerprint) && message.blocks.some((b) => b.block_id === `f-${f.fingerprint}`),
    )!;
    const main = (await fake()).messages.find((m) => m.ts === (message as { thread_ts?: string }).thread_ts)!;
    const forged = {
      ...click("U_ALLOWED", await trigger(), target.fingerprint),
      container: { type: "message", channel_id: main.channel, message_ts: main.ts },
      message: { ts: main.ts, text: "ALL CLEAR", blocks: [{ type: "section", block_id: `f-${target.fingerprint}`, text: { type: "mrkdwn", text: "ALL CLEAR" } }] },
    };
    await slack.reset();
    await interact(forged);
    const { views } = await eventually(fake, (s) => s.views.length > 0);
    expect(await (await interact(submission("U_ALLOWED", views[0]!, { reason: "reviewed with the owner today", expires: inDays(5) }))).text()).toBe("");
    const after = await eventually(fake, (s) => s.messages.some((m) => (m as { thread_ts?: string }).thread_ts === main.ts && m.text.startsWith("Risk accepted")));
    expect(after.updates).toEqual([]);
    expect(after.messages.find((m) => m.ts === main.ts)).toEqual(main);
    const reply = after.messages.filter((m) => (m as { thread_ts?: string }).thread_ts === main.ts).at(-1)!;
    expect(JSON.stringify(reply)).not.toContain("ALL CLEAR");
    expect(reply.blocks[0]?.text?.text).toContain("accepted by U_ALLOWED name until");
  });

  it("updates in place only the reply the run's delivery posted the finding's page as: a click naming a later Keywarden message (another run's page) gets a reply", async () => {
    const accepted = new Set((await exemptionsOf()).map((e) => e.fingerprint));
    const target = firstRunFindings.find(
      (f) => f.rule_id !== "unused-90d" && f.severity !== "critical" && !accepted.has(f.fingerprint) && message.blocks.some((b) => b.block_id === `f-${f.fingerprint}`),
    )!;
    await slack.reset();
    const later = (await waitForRun(await startRun())) as unknown as { id: string };
    const laterPage = (await fake()).messages.find((m) => m.blocks.some((b) => JSON.stringify(b).includes(later.id)) && (m as { thread_ts?: string }).thread_ts)!;
    expect(laterPage).toBeDefined();
    // Signed, naming the first run's finding, but pointing at the later run's page.
    const forged = {
      ...click("U_ALLOWED", await trigger(), target.fingerprint),
      container: { type: "message", channel_id: laterPage.channel, message_ts: laterPage.ts },
      message: { ts: laterPage.ts, text: laterPage.text, blocks: laterPage.blocks },
    };
    await interact(forged);
    const { views } = await eventually(fake, (s) => s.views.length > 0);
    expect(await (await interact(submission("U_ALLOWED", views[0]!, { reason: "reviewed with the owner today", expires: inDays(5) }))).text()).toBe("");
    const after = await eventually(fake, (s) => s.messages.some((m) => (m as { thread_ts?: string }).thread_ts === laterPage.ts && m.text.startsWith("Risk accepted")));
    expect(after.updates.filter((u) => u.ts === laterPage.ts)).toEqual([]);
    expect(after.messages.find((m) => m.ts === laterPage.ts)).toEqual(laterPage);
  });
});

/** Bob owns three unused keys of the sample organization; under the test policy their findings are critical. */
const BOB_EMAIL = "bob@example.com";
async function setDirectory(users: { id: string; email: string; name: string }[]): Promise<void> {
  const response = await fetch(`${slack.base}/__slack/users`, { method: "PUT", body: JSON.stringify({ users }) });
  if (!response.ok) throw new Error(`the fake Slack refused the directory: ${await response.text()}`);
}


describe("the clicked report's run and policy govern the acceptance", () => {
  type Finding = typeof finding & { owner: { email: string | null } };
  let testRun: { id: string; findings: Finding[] };
  let testReport: Posted;
  let defaultReport: Posted;
  const unusedOf = (keyId: string) => testRun.findings.find((f) => f.rule_id === "unused-90d" && f.key.id === keyId)!;

  beforeAll(async () => {
    await slack.reset();
    // The first run's report (policy default) is older; the newest run of these fingerprints is under the test policy.
    defaultReport = message;
    const before = (await fake()).messages.length;
    testRun = (await waitForRun(await startRun({ policy: ACCEPT_TEST_POLICY }))) as unknown as typeof testRun;
    const fingerprint = unusedOf("key_web_old").fingerprint;
    testReport = (await fake()).messages.slice(before).find((m) => m.blocks.some((b) => b.block_id === `f-${fingerprint}`))!;
  });
  afterAll(async () => {
    await setDirectory([]);
    await slack.reset();
  });

  it("the test policy's approver accepts its critical finding for at most its max_acceptance_days, stored under it; the default report refuses them", async () => {
    await setDirectory([{ id: "U0BOB", email: BOB_EMAIL, name: "Bob" }]);
    const target = unusedOf("key_web_old");
    expect(target).toMatchObject({ severity: "critical", owner: { email: BOB_EMAIL } });

    // On the default report the same finding is default's: its approvers do not include this one.
    await interact(click(ACCEPT_TEST_APPROVER, await trigger(), target.fingerprint, defaultReport));
    const refused = await eventually(fake, (s) => s.responseUrlPosts.length > 0);
    expect(refused.views).toEqual([]);
    expect(refused.responseUrlPosts[0]?.body.text).toContain("may not accept");

    await interact(click(ACCEPT_TEST_APPROVER, await trigger(), target.fingerprint, testReport));
    const { views } = await eventually(fake, (s) => s.views.length > 0);
    expect(JSON.stringify(views[0]!.view)).toContain("at most 30 days");
    const tooFar = await interact(submission(ACCEPT_TEST_APPROVER, views[0]!, { reason: "kept for the audit of bob's laptop", expires: inDays(31) }));
    expect(await tooFar.json()).toMatchObject({ response_action: "errors", errors: { expires: expect.stringContaining("At most 30 days") } });
    const accepted = await interact(submission(ACCEPT_TEST_APPROVER, views[0]!, { reason: "kept for the audit of bob's laptop", expires: inDays(30) }));
    expect(await accepted.text()).toBe("");
    expect(await exemptionsOf(target.fingerprint)).toEqual([expect.objectContaining({ policy: ACCEPT_TEST_POLICY, expires: inDays(30), status: "active" })]);
  });

  it("an acceptance exempts under its own policy only", async () => {
    const target = unusedOf("key_web_old");
    const underDefault = (await waitForRun(await startRun({ notify: false }))) as unknown as { findings: { fingerprint: string }[] };
    expect(underDefault.findings.map((f) => f.fingerprint)).toContain(target.fingerprint);
    const underTest = (await waitForRun(await startRun({ policy: ACCEPT_TEST_POLICY, notify: false }))) as unknown as { findings: { fingerprint: string }[]; exemptions: { fingerprint: string }[] };
    expect(underTest.findings.map((f) => f.fingerprint)).not.toContain(target.fingerprint);
    expect(underTest.exemptions.map((e) => e.fingerprint)).toContain(target.fingerprint);
  });

  it("a click on the older default report accepts under default, for up to default's 90 days, though a newer run is another policy's", async () => {
    const target = unusedOf("key_legacy_old");
    await slack.reset();
    await interact(click("U_ALLOWED", await trigger(), target.fingerprint, defaultReport));
    const { views } = await eventually(fake, (s) => s.views.length > 0 || s.responseUrlPosts.length > 0);
    expect(views).toHaveLength(1);
    const accepted = await interact(submission("U_ALLOWED", views[0]!, { reason: "legacy backend, shut down next quarter", expires: inDays(60) }));
    expect(await accepted.text()).toBe("");
    expect(await exemptionsOf(target.fingerprint)).toEqual([expect.objectContaining({ policy: "default", expires: inDays(60) })]);
  });
});

describe("a critical finding is never accepted by its key's owner", () => {
  let testRun: { id: string; findings: (typeof finding & { owner: { email: string | null } })[] };
  let testReport: Posted;
  const bobsKey = () => testRun.findings.find((f) => f.rule_id === "unused-90d" && f.key.id === "key_ml_never")!;

  beforeAll(async () => {
    await slack.reset();
    const before = (await fake()).messages.length;
    testRun = (await waitForRun(await startRun({ policy: ACCEPT_TEST_POLICY }))) as unknown as typeof testRun;
    testReport = (await fake()).messages.slice(before).find((m) => m.blocks.some((b) => b.block_id === `f-${bobsKey().fingerprint}`))!;
    expect(bobsKey()).toMatchObject({ severity: "critical", owner: { email: BOB_EMAIL } });
  });
  afterEach(async () => {
    await setDirectory([]);
    await slack.reset();
  });

  it("refuses the owner, found through the Slack directory, at the submission too: what was checked when the form opened is not trusted", async () => {
    // The test policy's approver may accept its findings, but not one whose key Slack says is theirs.
    // When the form opens, Slack says the key is someone else's…
    await setDirectory([{ id: "U0SOMEONE", email: BOB_EMAIL, name: "Someone" }]);
    await interact(click(ACCEPT_TEST_APPROVER, await trigger(), bobsKey().fingerprint, testReport));
    const { views } = await eventually(fake, (s) => s.views.length > 0);
    expect(views).toHaveLength(1);
    // …by the submission, Slack's directory says it is the submitter's.
    await setDirectory([{ id: ACCEPT_TEST_APPROVER, email: BOB_EMAIL, name: "Bob" }]);
    const refused = await interact(submission(ACCEPT_TEST_APPROVER, views[0]!, { reason: "my own key, I know it is fine", expires: inDays(10) }));
    expect(await refused.json()).toEqual({ response_action: "errors", errors: { reason: expect.stringContaining("the key is yours") } });
    expect(await exemptionsOf(bobsKey().fingerprint)).toEqual([]);
  });

  it("judges the owner rule by the policy's severity now, when it was raised since the clicked report: the owner cannot accept from the older report", async () => {
    // The clicked run recorded this finding as high; the policy (bundled now) makes the rule critical.
    await env.DB.prepare("UPDATE run_findings SET finding_json = json_set(finding_json, '$.severity', 'high') WHERE run_id = ? AND fingerprint = ?").bind(testRun.id, bobsKey().fingerprint).run();
    await setDirectory([{ id: ACCEPT_TEST_APPROVER, email: BOB_EMAIL, name: "Bob" }]);
    const refused = await interact(submission(ACCEPT_TEST_APPROVER, forgedModal("V_RAISED", testReport, bobsKey().fingerprint), { reason: "my own key, I know it is fine", expires: inDays(10) }));
    expect(await refused.json()).toEqual({ response_action: "errors", errors: { reason: expect.stringContaining("the key is yours") } });
    expect(await exemptionsOf(bobsKey().fingerprint)).toEqual([]);
    await env.DB.prepare("UPDATE run_findings SET finding_json = json_set(finding_json, '$.severity', 'critical') WHERE run_id = ? AND fingerprint = ?").bind(testRun.id, bobsKey().fingerprint).run();
  });

  it("refuses everyone when Slack has no account with the owner's email, and says who can fix the directory", async () => {
    await interact(click("U_ALLOWED", await trigger(), bobsKey().fingerprint, testReport));
    const { views, responseUrlPosts } = await eventually(fake, (s) => s.responseUrlPosts.length > 0 || s.views.length > 0);
    expect(views).toEqual([]);
    expect(responseUrlPosts[0]?.body.text).toMatch(/could not establish.*Slack workspace admin/s);
    const refused = await interact(submission("U_ALLOWED", forgedModal("V_NO_OWNER", testReport, bobsKey().fingerprint), { reason: "owner unknown but I accept it", expires: inDays(10) }));
    expect(await refused.json()).toEqual({ response_action: "errors", errors: { reason: expect.stringMatching(/could not establish.*Slack workspace admin/s) } });
    expect(await exemptionsOf(bobsKey().fingerprint)).toEqual([]);
  });

  it("refuses when Slack does not answer who the owner is (rate limited): an error is never read as 'not the owner'", async () => {
    await setDirectory([{ id: "U0SOMEONE", email: BOB_EMAIL, name: "Someone" }]);
    await slack.fault({ method: "users.lookupByEmail", email: BOB_EMAIL, effect: { kind: "ratelimit", retryAfter: 120 } });
    const refused = await interact(submission("U_ALLOWED", forgedModal("V_RATELIMITED", testReport, bobsKey().fingerprint), { reason: "owner is someone else, accepted", expires: inDays(10) }));
    expect(await refused.json()).toEqual({ response_action: "errors", errors: { reason: expect.stringMatching(/could not establish.*ratelimited.*try again/s) } });
    expect(await exemptionsOf(bobsKey().fingerprint)).toEqual([]);
  });
});
