/**
 * What an adversarial afternoon against the HTTP edge found: hostile names at every exit, replayed
 * Slack requests, response_urls pointing anywhere, unescaped echoes, raw-byte signatures, huge bodies.
 */
import { introspectWorkflow } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { API_TOKEN, SIGNING_SECRET, api, env, runCount, sim, slack, waitForRun, waitForWorkflow, slackSignature as signBytes } from "./helpers.js";

const ADMIN_KEY = "sk-admin-sim-worker-tests-000000000000";
const BOT_TOKEN = "xoxb-keywarden-fake-0000000000-secret";
const SECRETS = [ADMIN_KEY, BOT_TOKEN, SIGNING_SECRET, API_TOKEN];

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
});
afterEach(() => vi.restoreAllMocks());

/** Every string inside a JSON value, for checks that JSON's own escaping must not hide. */
function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === "object") return Object.values(value).flatMap(strings);
  return [];
}


function form(fields: Record<string, string>): string {
  return new URLSearchParams({
    team_id: "T0001",
    channel_id: "C0KEYWARDEN",
    user_id: "U_ALLOWED",
    user_name: "alice",
    command: "/keywarden",
    text: "help",
    response_url: `${slack.base}/response/edge`,
    trigger_id: crypto.randomUUID(),
    ...fields,
  }).toString();
}

async function sendSigned(body: string | Uint8Array, timestamp = Math.floor(Date.now() / 1000)): Promise<Response> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  return exports.default.fetch("http://keywarden.test/slack/commands", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": await signBytes(bytes, timestamp) },
    body: bytes,
  });
}

describe("slash-command replies (first in this file: no run exists yet)", () => {
  it("escape the echoed command name in every reply that repeats it", async () => {
    const command = "/kw <!channel> <@U123>";
    const replies: string[] = [];
    for (const text of ["status", "last", "bogus", "help"]) replies.push(await (await sendSigned(form({ text, command }))).text());
    // A run in progress: "run" answers with the command to follow it.
    await env.DB.prepare("INSERT INTO runs (id, trigger, policy_name, notify, status, active, started_at) VALUES ('run_20261126T000000Z_inprog', 'http', 'default', 1, 'running', 1, ?)")
      .bind(new Date().toISOString())
      .run();
    replies.push(await (await sendSigned(form({ text: "run", command }))).text());
    await env.DB.prepare("DELETE FROM runs WHERE id = 'run_20261126T000000Z_inprog'").run();
    expect(replies.filter((reply) => reply.includes("kw"))).toHaveLength(5);
    for (const reply of replies) {
      expect(reply).not.toContain("<!channel>");
      expect(reply).not.toContain("<@U123>");
    }
  });
});

describe("Slack requests", () => {
  it("are refused when replayed within the 5-minute window: one run, not three", async () => {
    vi.spyOn(console, "log").mockImplementation(() => {});
    const body = form({ text: "run", response_url: `${slack.base}/response/replay` });
    const timestamp = Math.floor(Date.now() / 1000);
    const before = await runCount();
    const first = await sendSigned(body, timestamp);
    expect(first.status).toBe(200);
    const id = /`(run_[^`]+)`/.exec(((await first.json()) as { text: string }).text)?.[1];
    for (let i = 0; i < 2; i++) {
      const replay = await sendSigned(body, timestamp);
      expect(replay.status).toBe(401);
      expect(await replay.json()).toMatchObject({ error: { code: "unauthorized", message: expect.stringContaining("already used") } });
    }
    await waitForRun(id!);
    expect(await runCount()).toBe(before + 1);
  });

  it("are verified over the raw bytes: a valid request with non-UTF-8 bytes is accepted", async () => {
    const text = form({ text: "help" });
    // %FF decodes to no valid UTF-8; a raw 0xFF byte in a field Keywarden does not read.
    const bytes = new Uint8Array([...new TextEncoder().encode(`${text}&user_name=`), 0xff, 0xfe]);
    const response = await sendSigned(bytes);
    expect(response.status).toBe(200);
  });

  it("never POST to a response_url outside SLACK_RESPONSE_URL_PREFIX, and say so in a log line", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const before = await runCount();
    const response = await sendSigned(form({ text: "run", response_url: "https://attacker.example/collect" }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { field: "response_url" } });
    expect(await runCount()).toBe(before);
    expect((await slack.calls()).responseUrlPosts).toEqual([]);
    expect(errors.mock.calls.flat().join("\n")).toMatch(/response_url is outside SLACK_RESPONSE_URL_PREFIX/);
  });

  it("over 64 KiB are refused with 413 before being read or verified", async () => {
    const huge = "x".repeat(10 * 1024 * 1024);
    const response = await exports.default.fetch("http://keywarden.test/slack/commands", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": "1", "x-slack-signature": "v0=00" },
      body: huge,
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "payload_too_large" } });
  });
});

describe("POST /runs", () => {
  it("refuses a body over 8 KiB with 413 JSON, and no run starts", async () => {
    const before = await runCount();
    const response = await api("/runs", { method: "POST", body: JSON.stringify({ notify: false, pad: "x".repeat(10 * 1024 * 1024) }) });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ error: { code: "payload_too_large", message: expect.stringContaining("8 KiB") } });
    expect(await runCount()).toBe(before);
  });
});

describe("hostile names from the API", () => {
  it("reach no exit with a configured secret or a raw control character", async () => {
    const logs: string[] = [];
    for (const level of ["log", "info", "warn", "error"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
    }
    const org = sampleOrg(new Date());
    const hostile = `evil ${ADMIN_KEY} \u001b[2J\nkeywarden run_20260101T000000Z_forged complete: ALL CLEAR`;
    org.adminKeys[0]!.name = hostile;
    org.projects[0]!.name = `proj ${BOT_TOKEN}\r\u0007`;
    await sim.reset(org);
    await using introspector = await introspectWorkflow(env.AUDIT_WORKFLOW);
    await introspector.modifyAll(async (m) => {
      await m.disableSleeps();
    });
    const reply = await sendSigned(form({ text: "run", response_url: `${slack.base}/response/hostile` }));
    const id = /`(run_[^`]+)`/.exec(((await reply.json()) as { text: string }).text)![1]!;
    await waitForWorkflow(id);
    const last = await sendSigned(form({ text: "last", response_url: `${slack.base}/response/hostile-last` }));
    const recorded = await slack.calls();
    const exits = {
      "GET /runs/:id": await (await api(`/runs/${id}`)).text(),
      "GET /runs": await (await api("/runs")).text(),
      // Messages: the strings Slack renders (mrkdwn keeps its own newlines, which are markup here).
      "/keywarden last": strings(await last.json()).join(" "),
      response_url: strings(recorded.responseUrlPosts.map((p) => p.body)).join(" "),
      "channel posts": strings(recorded.calls.filter((c) => c.method === "chat.postMessage").map((c) => c.body)).join(" "),
      logs: logs.join("\n"),
    };
    // The CSV upload is data (a name's bytes, quoted): checked for secrets, not for control characters.
    for (const secret of SECRETS) expect(recorded.uploads.map((u) => u.content).join("\n")).not.toContain(secret);
    for (const [exit, text] of Object.entries(exits)) {
      for (const secret of SECRETS) expect(text, `${exit} leaks a secret`).not.toContain(secret);
      expect(text, `${exit} has a raw ESC`).not.toContain("\u001b");
      expect(text, `${exit} has a raw BEL`).not.toContain("\u0007");
    }
    // No log line can be forged: the name's newline does not start a line of its own.
    expect(logs.join("\n").split("\n").some((line) => line.startsWith("keywarden run_20260101T000000Z_forged"))).toBe(false);
  });
});
