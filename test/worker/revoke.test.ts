/**
 * Revoking from Slack, end to end inside workerd against the simulated Admin API and the fake Slack:
 * Revoke… opens the confirmation modal, its submission posts a request to the channel, a second
 * allowed user approves it, the key goes (or, in dry-run mode, nothing is called), and the run after
 * says "resolved by remediation" and the evidence records the decision.
 */
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index.js";
import { HOUSEKEEPING_CRON } from "../../src/worker/crons.js";
import type { ProjectApiKeyJson } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { api, env, signedInteraction, sim, slack, startRun, waitForRun } from "./helpers.js";

const REQUESTER = "U_ALLOWED";
const APPROVER = "U_SECOND";
const THIRD = "U_THIRD";

interface FakeState {
  views: { id: string; view: { callback_id: string; private_metadata: string; title: { text: string }; blocks: { block_id?: string; type: string; text?: { text: string } }[] } }[];
  updates: { channel: string; ts: string; text: string; blocks: { block_id?: string; text?: { text: string } }[] }[];
  messages: { channel: string; ts: string; text: string; blocks: { block_id?: string; type: string; text?: { text: string }; elements?: { action_id: string; value: string }[] }[] | null }[];
  responseUrlPosts: { id: string; body: { text: string } }[];
}

async function fake(): Promise<FakeState> {
  return (await (await fetch(`${slack.base}/__slack/calls`)).json()) as FakeState;
}

async function trigger(): Promise<string> {
  return ((await (await fetch(`${slack.base}/__slack/trigger`, { method: "POST", body: "{}" })).json()) as { trigger_id: string }).trigger_id;
}

type Settings = Record<string, string>;
const ON: Settings = { REMEDIATION: "on", SLACK_ALLOWED_USERS: `${REQUESTER}, ${APPROVER}, ${THIRD}` };

/** A signed interaction, handled with these settings; resolves once the work after the answer is done. */
const interact = (payload: unknown, settings: Settings = ON): Promise<Response> => signedInteraction(payload, settings);

const user = (id: string) => ({ id, username: id.toLowerCase(), name: `${id} name` });

/** The run whose report the menus clicked below are on: the last audited. */
let reportRun = "";

function menuClick(by: string, fingerprint: string, triggerId: string, value = `revoke:${reportRun}:${fingerprint}`) {
  return {
    type: "block_actions",
    user: user(by),
    trigger_id: triggerId,
    actions: [{ action_id: "finding_menu", block_id: `f-${fingerprint}`, selected_option: { value } }],
    container: { type: "message", channel_id: "C0KEYWARDEN", message_ts: "1.1" },
    response_url: `${slack.base}/response/menu-${by}`,
  };
}

function decisionClick(by: string, action: "remediation_approve" | "remediation_reject", requestId: string) {
  return {
    type: "block_actions",
    user: user(by),
    trigger_id: "unused",
    actions: [{ action_id: action, block_id: `rem-actions-${requestId}`, value: requestId }],
    container: { type: "message", channel_id: "C0KEYWARDEN", message_ts: "1.1" },
    response_url: `${slack.base}/response/${action}-${by}`,
  };
}

function submission(by: string, privateMetadata: string, values: { reason: string; action?: string; inUse?: boolean }) {
  return {
    type: "view_submission",
    user: user(by),
    view: {
      id: "V_SUBMIT",
      callback_id: "revoke_modal",
      private_metadata: privateMetadata,
      state: {
        values: {
          reason: { value: { type: "plain_text_input", value: values.reason } },
          ...(values.action ? { action: { value: { type: "static_select", selected_option: { value: values.action } } } } : {}),
          ...(values.inUse ? { in_use: { value: { type: "checkboxes", selected_options: [{ value: "acknowledged" }] } } } : {}),
        },
      },
    },
  };
}

interface Finding {
  fingerprint: string;
  rule_id: string;
  rule_kind: string;
  severity: string;
  key: { id: string; kind: string; last_used_at: string | null };
  owner: { type: string; id: string };
  project: { id: string; archived: boolean } | null;
}

async function auditedFindings(): Promise<Finding[]> {
  const run = (await waitForRun(await startRun({ notify: false }))) as unknown as { id: string; findings: Finding[] };
  reportRun = run.id;
  return run.findings;
}

/** Opens the modal for a finding and returns it (as views.open received it). */
async function openModal(by: string, fingerprint: string, settings: Settings = ON): Promise<FakeState["views"][number]> {
  const before = (await fake()).views.length;
  expect((await interact(menuClick(by, fingerprint, await trigger()), settings)).status).toBe(200);
  const { views, responseUrlPosts } = await fake();
  if (views.length === before) throw new Error(`no modal opened; replies: ${JSON.stringify(responseUrlPosts.map((p) => p.body.text))}`);
  return views.at(-1) as FakeState["views"][number];
}

let requests = 0;

/** Requests a revoke of the finding's key and returns the request's id (from the message posted to the channel). */
async function request(by: string, finding: Finding, extra: { action?: string; inUse?: boolean } = {}, settings: Settings = ON): Promise<string> {
  const modal = await openModal(by, finding.fingerprint, settings);
  // Each submission differs: the replay guard refuses a byte-identical signed request within the window.
  const response = await interact(submission(by, modal.view.private_metadata, { reason: `left the company, key unused for months (${++requests})`, ...extra }), settings);
  expect(response.status).toBe(200);
  expect(await response.text()).toBe("");
  const posted = (await fake()).messages.filter((m) => m.text.startsWith("Keywarden remediation rem_")).at(-1);
  const id = /rem_[0-9a-f]+/.exec(posted?.text ?? "")?.[0];
  if (!id) throw new Error("no request message was posted");
  return id;
}

async function remediation(id: string): Promise<{ status: string; outcome: string | null; approvals: { by: string }[]; keys_affected: { id: string }[]; request: { method: string; path: string } }> {
  const { remediations } = (await (await api("/remediations")).json()) as { remediations: { id: string }[] };
  return remediations.find((r) => r.id === id) as never;
}

async function writes(): Promise<{ method?: string; path: string; status: number }[]> {
  return ((await sim.requests()) as { method?: string; path: string; status: number }[]).filter((r) => r.method === "DELETE" || r.method === "POST");
}

const replies = async (id: string) => (await fake()).responseUrlPosts.filter((p) => p.id === id).map((p) => p.body.text);

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  await env.DB.prepare("DELETE FROM remediation_events").run();
  await env.DB.prepare("DELETE FROM remediation_approvals").run();
  await env.DB.prepare("DELETE FROM remediation_requests").run();
});
afterEach(() => vi.restoreAllMocks());

/** A user's key in a project that is not archived (the Admin API changes nothing in an archived project). */
const revocable = (f: Finding) => f.key.kind === "project" && f.owner.type === "user" && f.project?.archived === false;
const unusedUserKey = (findings: Finding[]) => findings.find((f) => revocable(f) && f.rule_kind === "unused") as Finding;

describe("revoking a key from Slack", () => {
  it("is off by default: no modal, a word to the user, no Admin API write", async () => {
    const finding = unusedUserKey(await auditedFindings());
    await sim.reset();
    await interact(menuClick(REQUESTER, finding.fingerprint, await trigger()), {});
    expect((await fake()).views).toHaveLength(0);
    expect(await replies(`menu-${REQUESTER}`)).toEqual([expect.stringContaining("REMEDIATION=off")]);
    expect(await writes()).toEqual([]);
  });

  it("refuses a Revoke… menu that names no run (a report from before menus did): which policy governs it cannot be told", async () => {
    const finding = unusedUserKey(await auditedFindings());
    await interact(menuClick(REQUESTER, finding.fingerprint, await trigger(), `revoke:${finding.fingerprint}`));
    expect((await fake()).views).toHaveLength(0);
    expect(await replies(`menu-${REQUESTER}`)).toEqual([expect.stringContaining("made before menus named their run")]);
    expect(await writes()).toEqual([]);
  });

  it("needs a second person: the requester cannot approve, another allowed user can; the key is then deleted, confirmed, recorded and shown", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const id = await request(REQUESTER, finding);
    expect(await remediation(id)).toMatchObject({ status: "pending", request: { method: "DELETE", path: `/organization/projects/${finding.project?.id}/api_keys/${finding.key.id}` } });

    await interact(decisionClick(REQUESTER, "remediation_approve", id));
    expect(await replies(`remediation_approve-${REQUESTER}`)).toEqual([expect.stringContaining("cannot approve it too")]);
    expect((await remediation(id)).status).toBe("pending");
    expect(await writes()).toEqual([]);

    await interact(decisionClick(APPROVER, "remediation_approve", id));
    const done = await remediation(id);
    expect(done.outcome).toMatch(/^Deleted project key .* the listing no longer shows it\.$/);
    expect(done).toMatchObject({ status: "done", approvals: [{ by: APPROVER }] });
    expect(done.outcome).toMatch(/^Deleted project key .* the listing no longer shows it\.$/);
    expect(await writes()).toEqual([expect.objectContaining({ method: "DELETE", path: `/v1/organization/projects/${finding.project?.id}/api_keys/${finding.key.id}`, status: 200 })]);
    const update = (await fake()).updates.filter((u) => u.text.includes(id)).at(-1);
    expect(update?.blocks.map((b) => b.text?.text ?? "").join("\n")).toMatch(/:white_check_mark: Done: Deleted project key/);

    // The next run: the finding is resolved, and says by which request.
    const next = (await waitForRun(await startRun({ notify: false }))) as unknown as { id: string; lifecycle: { resolved_findings: { key_id: string; resolved_by_remediation?: { id: string } }[] } };
    expect(next.lifecycle.resolved_findings.find((r) => r.key_id === finding.key.id)?.resolved_by_remediation?.id).toBe(id);
    // Its evidence records the decision (remediations.json is covered by the manifest).
    const evidence = (await (await api(`/runs/${next.id}/evidence/remediations.json`)).json()) as { remediations: { id: string; status: string; approvals: { by: string }[] }[] };
    expect(evidence.remediations).toEqual([expect.objectContaining({ id, status: "done", approvals: [expect.objectContaining({ by: APPROVER })] })]);
    const manifest = (await (await api(`/runs/${next.id}/evidence/manifest.json`)).json()) as { files: { name: string }[] };
    expect(manifest.files.map((f) => f.name)).toContain("remediations.json");
  });

  it("in dry-run mode does everything but the call: the outcome shows the exact request, the Admin API sees no write", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const dryRun = { ...ON, REMEDIATION: "dry-run" };
    const modal = await openModal(REQUESTER, finding.fingerprint, dryRun);
    expect(modal.view.title.text).toBe("Revoke (dry run)");
    const id = await request(REQUESTER, finding, {}, dryRun);
    await interact(decisionClick(APPROVER, "remediation_approve", id), dryRun);
    const described = await remediation(id);
    expect(described.status).toBe("dry_run");
    expect(described.outcome).toContain(`would DELETE /organization/projects/${finding.project?.id}/api_keys/${finding.key.id}`);
    expect(await writes()).toEqual([]);
  });

  it("two Revoke… submissions for one finding at the same moment record one request: the database keeps one open per finding", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const mine = await openModal(REQUESTER, finding.fingerprint);
    const theirs = await openModal(THIRD, finding.fingerprint);
    const answers = await Promise.all([
      interact(submission(REQUESTER, mine.view.private_metadata, { reason: "left the company, unused for months (a)" })),
      interact(submission(THIRD, theirs.view.private_metadata, { reason: "left the company, unused for months (b)" })),
    ]);
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(bodies.filter((body) => body === "")).toHaveLength(1);
    expect(bodies.find((body) => body !== "")).toMatch(/already pending/);
    const rows = await env.DB.prepare("SELECT id FROM remediation_requests WHERE fingerprint = ?").bind(finding.fingerprint).all();
    expect(rows.results).toHaveLength(1);
  });

  it("REMEDIATION=dry-run and off write nothing from any Worker entry point: requests, approvals, a mode changed under a pending request, the housekeeping cron", async () => {
    const findings = await auditedFindings();
    const [first, second] = findings.filter(revocable);
    if (!first || !second) throw new Error("the sample organization needs two revocable findings");
    const dryRun = { ...ON, REMEDIATION: "dry-run" };
    const off = { ...ON, REMEDIATION: "off" };
    const housekeeping = async (settings: Settings) => {
      const ctx = createExecutionContext();
      await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: HOUSEKEEPING_CRON }), { ...env, ...settings } as Env, ctx);
      await waitOnExecutionContext(ctx);
    };

    // dry-run: requested, approved by a second person, described; the cron changes nothing.
    const described = await request(REQUESTER, first, { inUse: true }, dryRun);
    await interact(decisionClick(APPROVER, "remediation_approve", described), dryRun);
    expect((await remediation(described)).status).toBe("dry_run");
    await housekeeping(dryRun);

    // A request made with REMEDIATION=on, approved after it turned to dry-run or off: refused, never called.
    for (const settings of [dryRun, off]) {
      await env.DB.prepare("DELETE FROM remediation_events").run();
      await env.DB.prepare("DELETE FROM remediation_approvals").run();
      await env.DB.prepare("DELETE FROM remediation_requests").run();
      const pending = await request(REQUESTER, second, { inUse: true });
      await interact(decisionClick(APPROVER, "remediation_approve", pending), settings);
      expect(await remediation(pending)).toMatchObject({ status: "refused" });
      await housekeeping(settings);
    }

    // off: no form opens, and a request left executing by a lost isolate is only settled by the cron.
    await interact(menuClick(REQUESTER, first.fingerprint, await trigger()), off);
    expect(await replies(`menu-${REQUESTER}`)).toContainEqual(expect.stringContaining("REMEDIATION=off"));
    await housekeeping(off);
    expect(await writes()).toEqual([]);
  });

  it("two approvals at the same moment execute once; over the day's cap a request is refused and says so", async () => {
    const findings = await auditedFindings();
    const first = unusedUserKey(findings);
    const id = await request(REQUESTER, first);
    await Promise.all([interact(decisionClick(APPROVER, "remediation_approve", id)), interact(decisionClick(THIRD, "remediation_approve", id))]);
    expect((await remediation(id)).status).toBe("done");
    expect(await writes()).toHaveLength(1);

    const capped = { ...ON, REMEDIATION_MAX_PER_DAY: "1" };
    const second = findings.find((f) => revocable(f) && f.key.id !== first.key.id) as Finding;
    const refusedAtRequest = await openModal(REQUESTER, second.fingerprint, capped)
      .then((modal) => interact(submission(REQUESTER, modal.view.private_metadata, { reason: "second key over the cap", inUse: true }), capped))
      .then((r) => r.json() as Promise<{ errors?: Record<string, string> }>);
    expect(Object.values(refusedAtRequest.errors ?? {}).join(" ")).toMatch(/daily-cap guard.*REMEDIATION_MAX_PER_DAY allows 1/);
    expect(await writes()).toHaveLength(1);
  });

  it("a service account's key goes only with its account: the modal and the request list every key of the account", async () => {
    const org = sampleOrg(new Date());
    const deployKey = org.projectKeys["proj_data"]?.find((k) => k.id === "key_data_deploy") as ProjectApiKeyJson;
    // Its name holds the admin key the Worker runs with: it must not reach Slack.
    org.projectKeys["proj_data"]?.push({ ...structuredClone(deployKey), id: "key_data_deploy_2", name: `deploy ${env.OPENAI_ADMIN_KEY}`, redacted_value: "sk-proj-...Dp02" });
    await sim.reset(org);
    const findings = await auditedFindings();
    const finding = findings.find((f) => f.key.id === "key_data_deploy" && f.rule_kind === "service-account-role") as Finding;
    expect(finding).toBeDefined();
    const modal = await openModal(REQUESTER, finding.fingerprint);
    const text = modal.view.blocks.map((b) => b.text?.text ?? "").join("\n");
    expect(text).toContain("key_data_deploy_2");
    expect(text).toMatch(/All 2 keys that go with it/);
    expect(JSON.stringify(modal)).not.toContain(env.OPENAI_ADMIN_KEY);
    const id = await request(REQUESTER, finding, { action: "delete_service_account", inUse: true });
    const stored = await remediation(id);
    expect(stored.keys_affected.map((k) => k.id).sort()).toEqual(["key_data_deploy", "key_data_deploy_2"]);
    expect(stored.request).toEqual({ method: "DELETE", path: "/organization/projects/proj_data/service_accounts/sa_deploy", body: null });
    const posted = (await fake()).messages.filter((m) => m.text.includes(id));
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted)).not.toContain(env.OPENAI_ADMIN_KEY);
  });

  it("plans a user's key from that key alone: one Admin API request to open the form and one to submit it, however large its project", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const org = sampleOrg(new Date());
    const projectId = finding.project?.id as string;
    const model = org.projectKeys[projectId]?.find((k) => k.id === finding.key.id) as ProjectApiKeyJson;
    // 450 more keys: the project's listing would take 5 pages, too slow for Slack's 3 s on a slow day.
    for (let i = 0; i < 450; i++) org.projectKeys[projectId]?.push({ ...structuredClone(model), id: `key_filler_${i}`, name: `filler ${i}` });
    await sim.reset(org);
    await request(REQUESTER, finding);
    const keyPath = `/v1/organization/projects/${projectId}/api_keys/${finding.key.id}`;
    expect((await sim.requests()).map((r) => [r.method, r.path])).toEqual([
      ["GET", keyPath],
      ["GET", keyPath],
    ]);
  });

  it("when the one key's GET answers 404 (the API may hide a key whose owner lost access), lists the project instead: a key used since the audit still needs the in-use box", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const org = sampleOrg(new Date());
    const projectId = finding.project?.id as string;
    const key = org.projectKeys[projectId]?.find((k) => k.id === finding.key.id) as ProjectApiKeyJson;
    key.last_used_at = Math.floor(Date.now() / 1000) - 3_600;
    await sim.reset(org);
    await sim.fault({ match: { method: "GET", path: `/organization/projects/${projectId}/api_keys/${finding.key.id}` }, effect: { kind: "status", status: 404 } });
    const modal = await openModal(REQUESTER, finding.fingerprint);
    expect(modal.view.blocks.map((b) => b.block_id)).toContain("in_use");
    const listed = (await sim.requests()).filter((r) => r.path === `/v1/organization/projects/${projectId}/api_keys`);
    expect(listed.map((r) => r.query.owner_project_access)).toEqual(["any"]);
  });

  it("a request made as a dry run never becomes a real call: approved after REMEDIATION turned on, it is refused", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const dryRun = { ...ON, REMEDIATION: "dry-run" };
    const id = await request(REQUESTER, finding, {}, dryRun);
    await interact(decisionClick(APPROVER, "remediation_approve", id), ON);
    expect(await remediation(id)).toMatchObject({ status: "refused", outcome: expect.stringContaining("made with REMEDIATION=dry-run and REMEDIATION is now on") });
    expect(await writes()).toEqual([]);
  });

  it("the requester cannot reject either; another allowed user rejects, and the message shows it without buttons", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const id = await request(REQUESTER, finding);
    await interact(decisionClick(REQUESTER, "remediation_reject", id));
    expect(await replies(`remediation_reject-${REQUESTER}`)).toEqual([expect.stringContaining("another allowed user must approve or reject it")]);
    await interact(decisionClick(APPROVER, "remediation_reject", id));
    expect((await remediation(id)).status).toBe("rejected");
    const update = (await fake()).updates.filter((u) => u.text.includes(id)).at(-1);
    expect(JSON.stringify(update?.blocks)).toContain(":no_entry: Rejected by <@U_SECOND>");
    expect(JSON.stringify(update?.blocks)).not.toContain("remediation_approve");
    await interact(decisionClick(THIRD, "remediation_approve", id));
    expect(await writes()).toEqual([]);
  });

  it("two different requests approved at the same moment with a cap of 1: one runs, the other is refused by the cap", async () => {
    const findings = await auditedFindings();
    // Two findings on two different keys.
    const [first, second] = findings.filter(revocable).filter((f, i, all) => all.findIndex((g) => g.key.id === f.key.id) === i);
    const capped = { ...ON, REMEDIATION_MAX_PER_DAY: "1" };
    const a = await request(REQUESTER, first as Finding, { inUse: true }, capped);
    const b = await request(REQUESTER, second as Finding, { inUse: true }, capped);
    await Promise.all([interact(decisionClick(APPROVER, "remediation_approve", a), capped), interact(decisionClick(APPROVER, "remediation_approve", b), capped)]);
    const statuses = [(await remediation(a)).status, (await remediation(b)).status].sort();
    expect(statuses).toEqual(["done", "refused"]);
    expect(await writes()).toHaveLength(1);
    const refused = (await remediation(a)).status === "refused" ? await remediation(a) : await remediation(b);
    expect(refused.outcome).toContain("daily-cap");
  });

  it("a request that got its approvals but was never run (its isolate was lost) runs at the next approval click", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const id = await request(REQUESTER, finding);
    // What a lost isolate leaves behind: the approval stored, the request still pending.
    await env.DB.prepare("INSERT INTO remediation_approvals (request_id, approver, approver_name, approved_at) VALUES (?, ?, ?, ?)").bind(id, APPROVER, "second", new Date().toISOString()).run();
    await interact(decisionClick(THIRD, "remediation_approve", id));
    expect((await remediation(id)).status).toBe("done");
    expect(await writes()).toHaveLength(1);
  });

  it("a request not approved within 24 hours expires: approving it then does nothing", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const id = await request(REQUESTER, finding);
    await env.DB.prepare("UPDATE remediation_requests SET requested_at = ? WHERE id = ?").bind(new Date(Date.now() - 25 * 3_600_000).toISOString(), id).run();
    await interact(decisionClick(APPROVER, "remediation_approve", id));
    expect(await replies(`remediation_approve-${APPROVER}`)).toEqual([expect.stringContaining("expired 24 hours after it was made")]);
    expect((await remediation(id)).status).toBe("expired");
    expect(await writes()).toEqual([]);
  });

  it("GET /remediations only reads: a request past its 24 hours shows as expired, and only the housekeeping cron records it and updates its message", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const id = await request(REQUESTER, finding);
    await env.DB.prepare("UPDATE remediation_requests SET requested_at = ? WHERE id = ?").bind(new Date(Date.now() - 25 * 3_600_000).toISOString(), id).run();
    const updatesBefore = (await fake()).updates.length;
    expect(await remediation(id)).toMatchObject({ status: "expired", outcome: expect.stringContaining("the hourly housekeeping records it") });
    const stored = await env.DB.prepare("SELECT status FROM remediation_requests WHERE id = ?").bind(id).first<{ status: string }>();
    expect(stored?.status).toBe("pending");
    expect((await fake()).updates).toHaveLength(updatesBefore);
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: HOUSEKEEPING_CRON }), { ...env, ...ON } as Env, ctx);
    await waitOnExecutionContext(ctx);
    const recorded = await env.DB.prepare("SELECT status FROM remediation_requests WHERE id = ?").bind(id).first<{ status: string }>();
    expect(recorded?.status).toBe("expired");
  });

  it("the hourly housekeeping cron expires a request left undecided for 24 hours and says so on its message; it starts no audit", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const id = await request(REQUESTER, finding);
    await env.DB.prepare("UPDATE remediation_requests SET requested_at = ? WHERE id = ?").bind(new Date(Date.now() - 25 * 3_600_000).toISOString(), id).run();
    const runs = async () => ((await env.DB.prepare("SELECT COUNT(*) AS n FROM runs").first()) as { n: number }).n;
    const before = await runs();
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: HOUSEKEEPING_CRON }), { ...env, ...ON } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect((await remediation(id)).status).toBe("expired");
    const update = (await fake()).updates.filter((u) => u.text.includes(id)).at(-1);
    expect(update?.blocks.map((b) => b.text?.text ?? "").join("\n")).toContain(":hourglass: Expired");
    expect(JSON.stringify(update?.blocks)).not.toContain("remediation_approve");
    expect(await runs()).toBe(before);
    expect(await writes()).toEqual([]);
  });

  it("the housekeeping cron with a setting it cannot read says which in the log and fails the invocation (no audit either)", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const broken = { ...env, ...ON, AUDIT_API_TOKEN: "change-me-to-a-long-random-string" } as Env;
    await expect(worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: " 17  * * * * " }), broken, ctx)).rejects.toThrow(/AUDIT_API_TOKEN/);
    await waitOnExecutionContext(ctx);
    expect(errors.mock.calls.map((c) => c.join(" "))).toEqual([expect.stringMatching(/^keywarden: housekeeping could not start: .*AUDIT_API_TOKEN is the placeholder of \.dev\.vars\.example/)]);
  });

  it("tells the owner of a revoked key, by direct message, who asked, who approved and why", async () => {
    const finding = unusedUserKey(await auditedFindings());
    const owner = (finding.owner as { email?: string }).email as string;
    await fetch(`${slack.base}/__slack/users`, { method: "PUT", body: JSON.stringify({ users: [{ id: "U0OWNER", email: owner, name: "Key Owner" }] }) });
    const id = await request(REQUESTER, finding);
    await interact(decisionClick(APPROVER, "remediation_approve", id));
    expect((await remediation(id)).status).toBe("done");
    const { ims, messages } = (await fake()) as FakeState & { ims: { user: string; channel: string }[] };
    const dm = ims.find((im) => im.user === "U0OWNER")?.channel;
    const told = messages.filter((m) => m.channel === dm);
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain("A key of yours was revoked by Keywarden");
    expect(JSON.stringify(told[0]?.blocks)).toContain("left the company");
  });

  it("refuses to delete the admin key Keywarden runs with", async () => {
    const org = sampleOrg(new Date());
    const findings0 = org.adminKeys;
    // The admin key the Worker is configured with ends in 0000: make one listed admin key end like it.
    const victim = findings0[0] as (typeof findings0)[number];
    victim.redacted_value = "sk-admin-...0000";
    victim.last_used_at = Math.floor(Date.now() / 1000) - 400 * 86_400;
    await sim.reset(org);
    const finding = (await auditedFindings()).find((f) => f.key.id === victim.id) as Finding;
    expect(finding).toBeDefined();
    const modal = await openModal(REQUESTER, finding.fingerprint);
    const answer = (await (await interact(submission(REQUESTER, modal.view.private_metadata, { reason: "looks abandoned to me", inUse: true }))).json()) as { errors: Record<string, string> };
    expect(Object.values(answer.errors).join(" ")).toMatch(/own-admin-key guard.*deleting it would cut Keywarden off/);
    expect(await writes()).toEqual([]);
  });
});
