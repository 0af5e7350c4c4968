import { introspectWorkflow } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { API_TOKEN, SIGNING_SECRET, api, env, runCount, sim, slack, waitForRun, waitForWorkflow, slackSignature as sign } from "./helpers.js";

const ADMIN_KEY = "sk-admin-sim-worker-tests-000000000000";
const BOT_TOKEN = "xoxb-keywarden-fake-0000000000-secret";

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
});


function commandBody(text: string, user = "U_ALLOWED", responseId = "r1"): string {
  return new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: "T0001",
    channel_id: "C0KEYWARDEN",
    user_id: user,
    user_name: "alice",
    command: "/keywarden",
    text,
    response_url: `${slack.base}/response/${responseId}`,
    trigger_id: crypto.randomUUID(),
  }).toString();
}

async function send(body: string, headers: Record<string, string>): Promise<Response> {
  return exports.default.fetch("http://keywarden.test/slack/commands", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
}

async function signedCommand(text: string, user?: string, responseId?: string): Promise<Response> {
  const body = commandBody(text, user, responseId);
  const ts = Math.floor(Date.now() / 1000);
  return send(body, { "x-slack-request-timestamp": String(ts), "x-slack-signature": await sign(body, ts) });
}

describe("/keywarden run", () => {
  it("acknowledges within 3 s with the run id, runs durably, and answers on the response_url", async () => {
    const started = performance.now();
    const response = await signedCommand("run", "U_ALLOWED", "run-1");
    const ackMs = performance.now() - started;
    expect(response.status).toBe(200);
    expect(ackMs).toBeLessThan(3_000);
    const ack = (await response.json()) as { response_type: string; text: string };
    expect(ack.response_type).toBe("ephemeral");
    const id = /`(run_[^`]+)`/.exec(ack.text)?.[1];
    expect(id).toBeDefined();

    await waitForWorkflow(id!);
    const run = await waitForRun(id!);
    expect(run).toMatchObject({ status: "complete", trigger: "slack" });
    const recorded = await slack.calls();
    const answer = recorded.responseUrlPosts.find((p) => p.id === "run-1");
    expect(answer?.body.response_type).toBe("ephemeral");
    expect(answer?.body.text).toMatch(/15/);
    expect(recorded.calls.some((c) => c.method === "chat.postMessage" && c.body.channel === "C0KEYWARDEN")).toBe(true);
  });

  it("reports a run already in progress instead of starting a second one", async () => {
    const first = (await (await signedCommand("run")).json()) as { text: string };
    const second = (await (await signedCommand("run")).json()) as { text: string };
    const id = /`(run_[^`]+)`/.exec(first.text)?.[1];
    expect(second.text).toContain(`${id}`);
    expect(second.text).toMatch(/already in progress/);
    await waitForWorkflow(id!);
  });

  it("tells about an unknown policy without starting anything", async () => {
    const before = await runCount();
    const answer = (await (await signedCommand("run strict")).json()) as { text: string };
    expect(answer.text).toMatch(/unknown policy "strict"/);
    expect(await runCount()).toBe(before);
  });
});

describe("request verification", () => {
  const body = commandBody("run");
  const now = () => Math.floor(Date.now() / 1000);
  const cases: [string, () => Promise<Response>, number][] = [
    ["a bad signature", async () => send(body, { "x-slack-request-timestamp": String(now()), "x-slack-signature": await sign(body, now(), "another-secret") }), 401],
    ["a stale timestamp", async () => send(body, { "x-slack-request-timestamp": String(now() - 301), "x-slack-signature": await sign(body, now() - 301) }), 401],
    ["missing headers", async () => send(body, {}), 401],
    [
      "a body altered after signing",
      async () => {
        const ts = now();
        const signature = await sign(body, ts);
        return send(body.replace("U_ALLOWED", "U_ATTACKER"), { "x-slack-request-timestamp": String(ts), "x-slack-signature": signature });
      },
      401,
    ],
    ["a user not on the allowlist", async () => signedCommand("run", "U_STRANGER"), 403],
  ];
  for (const [what, request, status] of cases) {
    it(`refuses ${what} with ${status} and starts no run`, async () => {
      const before = await runCount();
      const response = await request();
      expect(response.status).toBe(status);
      expect(await response.json()).toMatchObject({ error: { code: status === 401 ? "unauthorized" : "forbidden" } });
      expect(await runCount()).toBe(before);
      expect((await sim.requests()).length).toBe(0);
    });
  }
});

describe("/keywarden status, last, help and anything else", () => {
  it("answers status with the running run or the last one, and last with the last complete run", async () => {
    const runId = /`(run_[^`]+)`/.exec(((await (await signedCommand("run")).json()) as { text: string }).text)![1]!;
    const during = (await (await signedCommand("status")).json()) as { text: string };
    expect(during.text).toMatch(new RegExp(`${runId}.*in progress|No run in progress.*${runId}`));
    await waitForWorkflow(runId);
    const after = (await (await signedCommand("status")).json()) as { text: string };
    expect(after.text).toMatch(new RegExp(`No run in progress. Last run \`${runId}\`: complete`));
    const last = (await (await signedCommand("last")).json()) as { text: string; blocks: unknown[] };
    expect(last.text).toMatch(/15/);
    expect(last.blocks.length).toBeGreaterThan(0);
  });

  it("warns in last when a newer run did not see everything", async () => {
    const first = /`(run_[^`]+)`/.exec(((await (await signedCommand("run")).json()) as { text: string }).text)![1]!;
    await waitForWorkflow(first);
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.disableSleeps();
    });
    await sim.fault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 500 } });
    const second = /`(run_[^`]+)`/.exec(((await (await signedCommand("run")).json()) as { text: string }).text)![1]!;
    await waitForWorkflow(second);
    const last = (await (await signedCommand("last")).json()) as { text: string };
    expect(last.text).toContain(`The newest run \`${second}\` is *incomplete*`);
    expect((await signedCommand("last", "U_STRANGER")).status).toBe(403);
  });

  it("answers help and unknown text with the help", async () => {
    for (const text of ["help", "", "delete everything"]) {
      const answer = (await (await signedCommand(text)).json()) as { response_type: string; text: string };
      expect(answer.response_type).toBe("ephemeral");
      expect(answer.text).toContain("/keywarden run [policy]");
    }
  });
});

describe("secrets", () => {
  it("never appear in any Slack message, response_url answer or log line", async () => {
    const logs: string[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
    }
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableRetryDelays();
      await m.disableSleeps();
    });
    await sim.fault({ match: { path: "/organization/projects/proj_ml/api_keys" }, effect: { kind: "status", status: 500 } });
    const id = /`(run_[^`]+)`/.exec(((await (await signedCommand("run", "U_ALLOWED", "secrets")).json()) as { text: string }).text)![1]!;
    await waitForWorkflow(id);
    vi.restoreAllMocks();
    const recorded = await slack.calls();
    expect(recorded.calls.length).toBeGreaterThan(0);
    const outgoing = [
      ...recorded.calls.map((c) => c.raw),
      ...recorded.uploads.map((u) => u.content),
      ...recorded.responseUrlPosts.map((p) => JSON.stringify(p.body)),
      ...logs,
      JSON.stringify(await (await api(`/runs/${id}`)).json()),
    ].join("\n");
    for (const secret of [ADMIN_KEY, BOT_TOKEN, SIGNING_SECRET, API_TOKEN]) expect(outgoing).not.toContain(secret);
  });
});
