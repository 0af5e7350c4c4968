import { describe, expect, it } from "vitest";
import { acceptanceStatus } from "../../src/model/acceptance.js";
import { AcceptanceStore } from "../../src/store/acceptances.js";
import { mayAccept, readAcceptanceForm } from "../../src/decide/accept-risk.js";
import { EXPIRES_BLOCK, REASON_BLOCK, TICKET_BLOCK } from "../../src/decide/form.js";
import { acceptanceModal } from "../../src/slack/accept-modal.js";
import { acceptanceNotice, markAccepted, reportPageWithAcceptances } from "../../src/slack/accepted-message.js";
import { makeFinding, makeRun } from "../sim/slack-run-factory.js";
import { sqliteD1 } from "../support/sqlite-d1.js";

const NOW = new Date("2026-11-26T12:00:00Z");
const policy = { allowedUsers: ["U_SEC"], approvers: ["U_APPROVER"], maxAcceptanceDays: 90 };

function form(reason: string | null, expires: string | null, ticket: string | null = null) {
  return {
    [REASON_BLOCK]: { value: { value: reason } },
    [EXPIRES_BLOCK]: { value: { selected_date: expires } },
    [TICKET_BLOCK]: { value: { value: ticket } },
  };
}

const NONE = { kind: "none" } as const;
const found = (id: string) => ({ kind: "found", id }) as const;

describe("who may accept a risk", () => {
  it("is a user of SLACK_ALLOWED_USERS or of the policy's approvers, nobody else", () => {
    const high = makeFinding(1, { severity: "high" });
    expect(mayAccept("U_SEC", high, policy, NONE)).toEqual({ ok: true });
    expect(mayAccept("U_APPROVER", high, policy, NONE)).toEqual({ ok: true });
    expect(mayAccept("U_SOMEONE", high, policy, NONE)).toMatchObject({ ok: false, message: expect.stringContaining("Nothing was stored") });
  });

  it("is never the owner of the key behind a critical finding, and nobody when that owner cannot be established in Slack", () => {
    const critical = makeFinding(1, { severity: "critical" });
    expect(mayAccept("U_SEC", critical, policy, found("U_SEC"))).toMatchObject({ ok: false, message: expect.stringContaining("the key is yours") });
    expect(mayAccept("U_SEC", critical, policy, found("U_OTHER"))).toEqual({ ok: true });
    // A service account's key: no person owns it.
    expect(mayAccept("U_SEC", critical, policy, NONE)).toEqual({ ok: true });
    for (const cause of ["not-in-slack", "no-email", "lookup-failed"] as const) {
      expect(mayAccept("U_SEC", critical, policy, { kind: "unknown", cause, why: "Slack has no account with bob@example.com; a Slack workspace admin can fix it" })).toEqual({
        ok: false,
        guard: "key-owner",
        message: expect.stringMatching(/could not establish its key's owner in Slack, so nobody may accept it: Slack has no account .* a Slack workspace admin can fix it\. Nothing was stored\./),
      });
    }
    expect(mayAccept("U_SEC", critical, policy, undefined)).toMatchObject({ ok: false, message: expect.stringContaining("could not establish") });
    // A high finding may be accepted by its own owner.
    expect(mayAccept("U_SEC", makeFinding(2, { severity: "high" }), policy, found("U_SEC"))).toEqual({ ok: true });
  });
});

describe("the Accept-risk form", () => {
  it("takes a reason of 10+ characters, a future expiry within max_acceptance_days and an optional http(s) ticket", () => {
    expect(readAcceptanceForm(form("  test key for the Q4 migration  ", "2027-01-31", "https://jira.example/SEC-1"), NOW, 90)).toEqual({
      ok: true,
      input: { reason: "test key for the Q4 migration", expires: "2027-01-31", ticket: "https://jira.example/SEC-1" },
    });
    expect(readAcceptanceForm(form("long enough reason", "2026-11-27"), NOW, 90)).toMatchObject({ ok: true, input: { ticket: null } });
  });

  it("names each field at fault for response_action: errors", () => {
    expect(readAcceptanceForm(form("too short", "2026-11-26", "javascript:alert(1)"), NOW, 90)).toEqual({
      ok: false,
      errors: {
        [REASON_BLOCK]: expect.stringContaining("at least 10 characters"),
        [EXPIRES_BLOCK]: "The expiry must be in the future.",
        [TICKET_BLOCK]: expect.stringContaining("http(s) URL"),
      },
    });
    expect(readAcceptanceForm(form("long enough reason", "2027-02-25"), NOW, 90)).toEqual({
      ok: false,
      errors: { [EXPIRES_BLOCK]: "At most 90 days ahead (the policy's max_acceptance_days): 2027-02-24 or earlier." },
    });
    expect(readAcceptanceForm(form("long enough reason", "2027-02-30"), NOW, 90)).toMatchObject({ ok: false, errors: { [EXPIRES_BLOCK]: expect.any(String) } });
    expect(readAcceptanceForm(form("long enough reason", null), NOW, 90)).toMatchObject({ ok: false, errors: { [EXPIRES_BLOCK]: expect.any(String) } });
  });

  it("is a modal within Slack's limits that carries only the run and the fingerprint, and escapes names", () => {
    const finding = makeFinding(3, { severity: "high" });
    finding.key = { ...finding.key, name: "<!channel> evil" };
    const modal = acceptanceModal(finding, "run_20261126T120000Z_abc123", 90, NOW) as { title: { text: string }; private_metadata: string; blocks: { text?: { text: string } }[] };
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.private_metadata).toBe(`run_20261126T120000Z_abc123:${finding.fingerprint}`);
    expect(JSON.stringify(modal)).not.toContain("<!channel>");
  });
});

describe("the message after an acceptance", () => {
  it("loses the finding's button and says who accepted it until when and why; other blocks stay", () => {
    const message = {
      text: "Findings",
      blocks: [
        { type: "section", block_id: "f-aaa", text: { type: "mrkdwn", text: "finding A" }, accessory: { type: "button", action_id: "accept_risk", value: "aaa" } },
        { type: "section", block_id: "f-bbb", text: { type: "mrkdwn", text: "finding B" }, accessory: { type: "button", action_id: "accept_risk", value: "bbb" } },
      ],
    };
    const updated = markAccepted(message, "aaa", { accepted_by_name: "Dana <@U1>", expires: "2027-01-31", reason: "migration in progress" });
    expect(updated.blocks[0]).toEqual({
      type: "section",
      block_id: "f-aaa",
      text: { type: "mrkdwn", text: "finding A\n:white_check_mark: accepted by Dana &lt;@U1&gt; until 2027-01-31: migration in progress" },
    });
    expect(updated.blocks[1]).toEqual(message.blocks[1]);
  });
});

describe("the report message rebuilt after an acceptance", () => {
  const run = makeRun({ findings: [makeFinding(1, { severity: "high" }), makeFinding(2, { severity: "medium" }), makeFinding(3, { severity: "low" })] });
  const options = { channel: "C0REPORT", acceptButtons: true };
  const accepted = (fingerprint: string, reason: string) => ({ fingerprint, accepted_by_name: "Dana", expires: "2027-01-31", reason });

  it("is the stored run's thread message listing the finding, showing every acceptance in force on it", () => {
    const [a, b, c] = run.findings.map((f) => f.fingerprint) as [string, string, string];
    const page = reportPageWithAcceptances(run, b, [accepted(a, "first reason here"), accepted(b, "second reason here"), accepted("elsewhere", "not on this page")], options);
    expect(page?.index).toBe(0);
    const message = page?.message;
    const block = (fp: string) => message?.blocks.find((x) => (x as { block_id?: string }).block_id === `f-${fp}`) as { text: { text: string }; accessory?: unknown };
    expect(block(a).text.text).toContain("accepted by Dana until 2027-01-31: first reason here");
    expect(block(b).text.text).toContain("accepted by Dana until 2027-01-31: second reason here");
    expect(block(a).accessory).toBeUndefined();
    expect(block(c).accessory).toMatchObject({ action_id: "accept_risk", value: `${run.id}:${c}` });
    expect(block(c).text.text).not.toContain("accepted by");
    expect(reportPageWithAcceptances(run, "not-a-finding-of-this-run", [], options)).toBeNull();
  });

  it("is a new message from the stored finding where the message cannot be rebuilt, names shown as text", () => {
    const finding = makeFinding(4, { severity: "high" });
    finding.key = { ...finding.key, name: "<!channel> *bold*" };
    const notice = acceptanceNotice(finding, { accepted_by_name: "<@U1>", expires: "2027-01-31", reason: "see <https://evil.example|the ticket>" });
    const json = JSON.stringify(notice);
    for (const markup of ["<!channel>", "<@U1>", "<https://evil.example"]) expect(json).not.toContain(markup);
    expect(json).toContain("accepted by &lt;@U1&gt; until 2027-01-31");
  });

  it("names the finding's account when it is not the one default account", () => {
    const shown = (key: object) => JSON.stringify(acceptanceNotice({ ...makeFinding(5, { severity: "high" }), key: { ...makeFinding(5).key, ...key } }, { accepted_by_name: "U1", expires: "2027-01-31", reason: "reviewed quarterly" }));
    expect(shown({ provider: "openai", account: "openai-eu" })).toContain("openai-eu");
    expect(shown({ provider: "anthropic", account: "anthropic" })).toContain("anthropic");
    expect(shown({})).not.toContain("openai ·");
  });
});

describe("accepted exemptions in D1", () => {
  it("are listed, active until the end of their day, then expired; a revocation is recorded, not erased", async () => {
    const store = new AcceptanceStore(sqliteD1().db);
    const base = {
      policy_name: "default",
      rule_id: "unused-90d",
      key_id: "key_1",
      fingerprint: "fp1",
      severity: "high",
      reason: "a reason of some length",
      expires: "2026-11-26",
      ticket: null,
      accepted_by_id: "U_SEC",
      accepted_by_name: "sec",
      accepted_at: NOW.toISOString(),
    };
    await store.add({ ...base, id: "acc_0000000000000001" });
    await store.add({ ...base, id: "acc_0000000000000002", key_id: "key_2", fingerprint: "fp2" });
    expect(acceptanceStatus(base as never, new Date("2026-11-26T23:59:59Z"))).toBe("active");
    expect(acceptanceStatus(base as never, new Date("2026-11-27T00:00:00Z"))).toBe("expired");
    expect(await store.revoke("acc_0000000000000002", "api", NOW.toISOString())).toBe(true);
    expect(await store.revoke("acc_0000000000000002", "api", NOW.toISOString())).toBe(false);
    expect((await store.forPolicy("default")).map((a) => a.id)).toEqual(["acc_0000000000000001"]);
    // An acceptance exempts under the policy it was accepted under, no other.
    await store.add({ ...base, id: "acc_0000000000000003", policy_name: "sec" });
    expect((await store.forPolicy("sec")).map((a) => a.id)).toEqual(["acc_0000000000000003"]);
    expect((await store.forPolicy("default")).map((a) => a.id)).toEqual(["acc_0000000000000001"]);
    const all = await store.list();
    expect(all).toHaveLength(3);
    expect(all.find((a) => a.id === "acc_0000000000000002")).toMatchObject({ revoked_by: "api", revoked_at: NOW.toISOString() });
  });
});
