import { env, exports } from "cloudflare:workers";
import { inject } from "vitest";
import type { SimOrg } from "../../src/sim/org.js";

export const API_TOKEN = "test-api-token-0123456789abcdef";
export const simUrl = `http://127.0.0.1:${new URL(inject("simUrl")).port}/v1`;
const simControl = simUrl.replace(/\/v1$/, "/__sim");

export function api(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? API_TOKEN : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  return exports.default.fetch(`http://keywarden.test${path}`, { ...init, headers });
}

export async function startRun(body?: unknown): Promise<string> {
  const response = await api("/runs", { method: "POST", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (response.status !== 202) throw new Error(`POST /runs answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

/** How many runs the history holds (up to 100). */
export async function runCount(): Promise<number> {
  return ((await (await api("/runs?limit=100")).json()) as { runs: unknown[] }).runs.length;
}

export interface StoredRun {
  id: string;
  status: string;
  trigger: string;
  findings: { fingerprint: string; rule_id: string; key: { id: string }; lifecycle?: string }[];
  counts: { findings: { total: number }; project_keys: number; admin_keys: number; projects: number; api_requests: number };
  errors: { where: string; kind: string }[];
  lifecycle?: { new: number; open: number; resolved: number; resolved_findings: { fingerprint: string; key_id: string; rule_id: string }[] };
  failure?: { reason: string };
}

/**
 * Polls GET /runs/:id as a client would, until the run has ended; then waits for
 * its Workflow to finish too (evidence, Slack), so the next trigger starts a new run.
 */
export async function waitForRun(id: string, timeoutMs = 50_000): Promise<StoredRun> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await api(`/runs/${id}`);
    const run = (await response.json()) as StoredRun;
    if (run.status !== "running") {
      await waitForWorkflow(id, Math.max(1_000, deadline - Date.now()));
      return (await (await api(`/runs/${id}`)).json()) as StoredRun;
    }
    if (Date.now() > deadline) throw new Error(`run ${id} still running after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const sim = {
  async fault(fault: unknown) {
    await fetch(`${simControl}/faults`, { method: "POST", body: JSON.stringify(fault) });
  },
  async reset(org?: SimOrg) {
    await fetch(`${simControl}/faults`, { method: "DELETE" });
    await fetch(`${simControl}/requests`, { method: "DELETE" });
    if (org) await fetch(`${simControl}/org`, { method: "PUT", body: JSON.stringify(org) });
  },
  async requests(): Promise<{ method: string; path: string; query: Record<string, string>; status: number }[]> {
    return ((await (await fetch(`${simControl}/requests`)).json()) as { requests: never }).requests;
  },
};

export { env };

const slackBase = `http://127.0.0.1:${new URL(inject("slackUrl")).port}`;
export const SLACK_CHANNEL = "C0KEYWARDEN";
export const SIGNING_SECRET = "test-signing-secret-8f742231b10e8888";

export interface SlackCall {
  method: string;
  headers: Record<string, string>;
  body: Record<string, unknown> & { blocks?: { type: string; block_id?: string; text?: { text: string } }[]; text?: string; thread_ts?: string; channel?: string };
  raw: string;
  status: number;
}

export const slack = {
  base: slackBase,
  async calls(): Promise<{ calls: SlackCall[]; uploads: { content: string; thread_ts: string | null; completed: boolean }[]; responseUrlPosts: { id: string; body: { text: string; response_type?: string } }[] }> {
    return (await (await fetch(`${slackBase}/__slack/calls`)).json()) as never;
  },
  async reset() {
    await fetch(`${slackBase}/__slack/calls`, { method: "DELETE" });
    await fetch(`${slackBase}/__slack/faults`, { method: "DELETE" });
  },
  async fault(fault: unknown) {
    await fetch(`${slackBase}/__slack/faults`, { method: "POST", body: JSON.stringify(fault) });
  },
};

/** Waits until the run's Workflow instance has ended (recording, Slack and the slash-command answer included). */
export async function waitForWorkflow(id: string, timeoutMs = 55_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await (await env.AUDIT_WORKFLOW.get(id)).status();
    if (status === "complete" || status === "errored" || status === "terminated") return;
    if (Date.now() > deadline) throw new Error(`workflow ${id} still ${status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const EVIDENCE_SIGNING_KEY = "MC4CAQAwBQYDK2VwBCIEIAecrjG339RbfXFrvHXf0UlpANJpoyzF4+LtXB1Ju3Tn";

/** Slack's v0 signature over `v0:<timestamp>:<raw body bytes>`, as Slack computes it. */
export async function slackSignature(body: string | Uint8Array, timestamp: number, secret = SIGNING_SECRET): Promise<string> {
  const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const prefix = new TextEncoder().encode(`v0:${timestamp}:`);
  const message = new Uint8Array(prefix.length + bytes.length);
  message.set(prefix);
  message.set(bytes, prefix.length);
  const mac = await crypto.subtle.sign("HMAC", key, message);
  return `v0=${[...new Uint8Array(mac)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * A Slack interaction, signed as Slack signs it, handled by the Worker with `settings` over the test
 * bindings; resolves once the work after the answer (waitUntil) is done.
 */
export async function signedInteraction(payload: unknown, settings: Record<string, string> = {}): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const request = new Request("http://keywarden.test/slack/interactions", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": await slackSignature(body, timestamp) },
    body,
  });
  const { createExecutionContext, waitOnExecutionContext } = await import("cloudflare:test");
  const { default: worker } = await import("../../src/index.js");
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...settings } as Env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}
