/**
 * Every decision on an accepted risk reaches the evidence chain: the next run's acceptances.json/.csv
 * list each acceptance made, revoked or expired since the previous run with evidence, with who and
 * when — also one made and revoked between two runs, which no run ever saw in force.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { parseCsv } from "../support/csv-parse.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { api, env, sim, slack, slackSignature as sign, startRun, waitForRun } from "./helpers.js";

interface AcceptanceEvent {
  at: string;
  event: string;
  acceptance_id: string;
  by: { id: string | null; name: string | null } | null;
  via: string | null;
  revoke_reason: string | null;
  rule_id: string;
  key_id: string;
  reason: string;
  expires: string;
}
interface AcceptancesFile {
  run_id: string;
  decided_after: string | null;
  decided_until: string;
  events: AcceptanceEvent[];
}
interface ListedExemption {
  id: string | null;
  source: string;
  status: string;
  revoked_at?: string | null;
  revoked_by?: string | null;
  revoke_reason?: string | null;
}

const ADMIN_KEY = "sk-admin-sim-worker-tests-000000000000";
const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

let finding: { fingerprint: string; rule_id: string; key: { id: string } };

async function run(): Promise<{ id: string; started_at: string }> {
  return (await waitForRun(await startRun({ notify: false }))) as unknown as { id: string; started_at: string };
}

/** Accepts the finding's risk as an allowed user would, through a signed modal submission. */
async function accept(reason: string): Promise<string> {
  const payload = {
    type: "view_submission",
    user: { id: "U_ALLOWED", username: "u_allowed", name: "U_ALLOWED name" },
    view: {
      id: `V_${crypto.randomUUID().slice(0, 8)}`,
      callback_id: "accept_risk_modal",
      // The form names the run whose report was clicked: the first run, which found it.
      private_metadata: `${firstRun}:${finding.fingerprint}`,
      state: {
        values: {
          reason: { value: { type: "plain_text_input", value: reason } },
          expires: { value: { type: "datepicker", selected_date: inDays(30) } },
          ticket: { value: { type: "url_text_input", value: null } },
        },
      },
    },
  };
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": await sign(body, timestamp) };
  const response = await exports.default.fetch("http://keywarden.test/slack/interactions", { method: "POST", headers, body });
  expect(response.status).toBe(200);
  const listed = (await (await api("/exemptions")).json()) as { exemptions: (ListedExemption & { reason: string })[] };
  const id = listed.exemptions.find((e) => e.source === "slack" && e.reason === reason)?.id;
  if (!id) throw new Error(`the acceptance "${reason}" was not stored`);
  return id;
}

function revoke(id: string, body?: unknown, contentType = "application/json"): Promise<Response> {
  return api(`/exemptions/${id}`, { method: "DELETE", ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body), headers: { "content-type": contentType } }) });
}

async function acceptancesOf(runId: string): Promise<AcceptancesFile> {
  const response = await api(`/runs/${runId}/evidence/acceptances.json`);
  expect(response.status, "acceptances.json of the run").toBe(200);
  return (await response.json()) as AcceptancesFile;
}

async function listed(id: string): Promise<ListedExemption | undefined> {
  return ((await (await api("/exemptions")).json()) as { exemptions: ListedExemption[] }).exemptions.find((e) => e.id === id);
}

let previous: { id: string; started_at: string };
let firstRun = "";

beforeAll(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  const first = (await run()) as unknown as { id: string; started_at: string; findings: { fingerprint: string; severity: string; rule_id: string; key: { id: string } }[] };
  finding = first.findings.find((f) => f.severity === "high")!;
  previous = first;
  firstRun = first.id;
});

describe("the evidence of decisions on accepted risks", () => {
  it("lists a revocation, with who revoked it, why and when, in the next run's evidence and in GET /exemptions", async () => {
    const id = await accept("migration to the new key in progress");
    const withAcceptance = await run();
    expect((await acceptancesOf(withAcceptance.id)).events).toEqual([
      expect.objectContaining({ event: "accepted", acceptance_id: id, by: { id: "U_ALLOWED", name: "U_ALLOWED name" }, via: "slack", rule_id: finding.rule_id, key_id: finding.key.id }),
    ]);

    const revoked = await revoke(id, { reason: "the migration was cancelled", by: "alice@example.com" });
    expect(revoked.status).toBe(200);
    const answer = (await revoked.json()) as { revoked_at: string; revoked_by: string; revoke_reason: string };
    expect(answer).toMatchObject({ id, status: "revoked", revoked_by: "alice@example.com", revoke_reason: "the migration was cancelled" });
    expect(await listed(id)).toMatchObject({ status: "revoked", revoked_at: answer.revoked_at, revoked_by: "alice@example.com", revoke_reason: "the migration was cancelled" });

    const after = await run();
    const evidence = await acceptancesOf(after.id);
    expect(evidence).toMatchObject({ run_id: after.id, decided_after: withAcceptance.started_at, decided_until: after.started_at });
    expect(evidence.events).toEqual([
      expect.objectContaining({
        at: answer.revoked_at,
        event: "revoked",
        acceptance_id: id,
        by: { id: null, name: "alice@example.com" },
        via: "api",
        revoke_reason: "the migration was cancelled",
        reason: "migration to the new key in progress",
        rule_id: finding.rule_id,
        key_id: finding.key.id,
      }),
    ]);
    // The CSV says the same, and the manifest covers both files.
    const rows = parseCsv(await (await api(`/runs/${after.id}/evidence/acceptances.csv`)).text());
    const header = rows[0] ?? [];
    const row = Object.fromEntries(header.map((column, i) => [column, rows[1]?.[i]]));
    expect(rows).toHaveLength(2);
    expect(row).toMatchObject({ run_id: after.id, at: answer.revoked_at, event: "revoked", acceptance_id: id, by_name: "alice@example.com", via: "api", revoke_reason: "the migration was cancelled" });
    const manifest = (await (await api(`/runs/${after.id}/evidence/manifest.json`)).json()) as { files: { name: string }[] };
    expect(manifest.files.map((f) => f.name)).toEqual(expect.arrayContaining(["acceptances.csv", "acceptances.json"]));
    previous = after;
  });

  it("lists an acceptance made and revoked between two runs, which no run saw in force: both decisions", async () => {
    const id = await accept("a short-lived exception for the demo");
    const revoked = (await (await revoke(id)).json()) as { revoked_at: string; revoked_by: string };
    expect(revoked.revoked_by).toBe("api");
    const next = await run();
    const evidence = await acceptancesOf(next.id);
    expect(evidence.decided_after).toBe(previous.started_at);
    expect(evidence.events.map((e) => [e.event, e.acceptance_id])).toEqual([
      ["accepted", id],
      ["revoked", id],
    ]);
    expect(evidence.events[1]).toMatchObject({ at: revoked.revoked_at, by: { id: null, name: "api" }, via: "api", revoke_reason: null, reason: "a short-lived exception for the demo" });
    // It never held during a run: no run's exemptions list it.
    const exemptions = (await (await api(`/runs/${next.id}/evidence/exemptions.json`)).json()) as { exemptions: { acceptance_id: string | null }[] };
    expect(exemptions.exemptions.map((e) => e.acceptance_id)).not.toContain(id);
    previous = next;
  });

  it("lists an acceptance whose last day ended since the previous run as expired, at the end of that day", async () => {
    // The previous runs happened ten days ago; the acceptance was made eight days ago, its last day three days ago.
    await env.DB.prepare("UPDATE runs SET started_at = strftime('%Y-%m-%dT%H:%M:%fZ', started_at, '-10 days')").run();
    const lastDay = inDays(-3);
    const id = "acc_00000000000e0e0e";
    await new AcceptanceStore(env.DB).add({
      id,
      policy_name: "default",
      rule_id: finding.rule_id,
      key_id: finding.key.id,
      fingerprint: finding.fingerprint,
      severity: "high",
      reason: "kept until the vendor rotates its side",
      expires: lastDay,
      ticket: null,
      accepted_by_id: "U_SECOND",
      accepted_by_name: "U_SECOND name",
      accepted_at: new Date(Date.now() - 8 * 86_400_000).toISOString(),
    });
    const next = await run();
    const mine = (await acceptancesOf(next.id)).events.filter((e) => e.acceptance_id === id);
    expect(mine.map((e) => e.event)).toEqual(["accepted", "expired"]);
    expect(mine[1]).toMatchObject({ at: `${inDays(-2)}T00:00:00.000Z`, by: null, via: null, expires: lastDay });
    // The run after that does not list it again: each decision is in one window.
    const later = await run();
    expect((await acceptancesOf(later.id)).events.filter((e) => e.acceptance_id === id)).toEqual([]);
  });

  it("refuses a bad revoke body with 400 naming the field, a body that is not JSON with 415, and changes nothing", async () => {
    const id = await accept("kept while the team migrates off it");
    for (const [body, field] of [
      [{ reason: 42 }, "reason"],
      [{ by: "" }, "by"],
      [{ reason: "x".repeat(1001) }, "reason"],
      [{ by: "y".repeat(201) }, "by"],
      [{ reason: "fine", note: "unknown" }, "note"],
      [[], "(body)"],
    ] as const) {
      const response = await revoke(id, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(((await response.json()) as { error: { field: string } }).error.field, JSON.stringify(body)).toBe(field);
    }
    const notJson = await revoke(id, "{not json");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { field: "(body)" } });
    const form = await revoke(id, "reason=because", "application/x-www-form-urlencoded");
    expect(form.status).toBe(415);
    expect(await form.json()).toMatchObject({ error: { code: "unsupported_media_type", message: expect.stringContaining("application/json") } });
    expect(await listed(id)).toMatchObject({ status: "active", revoked_at: null, revoked_by: null });

    // A secret in the body is never stored: the configured secrets are redacted before the write.
    const ok = await revoke(id, { reason: `leaked ${ADMIN_KEY} in a ticket`, by: "bob" });
    expect(ok.status).toBe(200);
    const stored = await env.DB.prepare("SELECT revoke_reason FROM accepted_exemptions WHERE id = ?").bind(id).first<{ revoke_reason: string }>();
    expect(stored?.revoke_reason).toBe("leaked [REDACTED] in a ticket");
  });
});
