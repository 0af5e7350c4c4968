import { describe, expect, it } from "vitest";
import { messageProblems } from "../../src/slack/blocks.js";
import { ACCEPT_RISK_ACTION, findingBlockId } from "../../src/slack/finding-actions.js";
import type { OwnerResolution } from "../../src/slack/owner-directory.js";
import {
  DEFAULT_OWNER_MESSAGES_MAX,
  type OwnerMessage,
  type OwnerMessageFinding,
  findingsDueForOwners,
  planOwnerMessages,
} from "../../src/slack/owner-messages.js";
import { makeFinding, makeRun } from "../sim/slack-run-factory.js";

const REPORT_CHANNEL = "C0REPORT";
const NOW = "2026-11-23T06:00:07.250Z";

let n = 0;
function finding(overrides: Partial<OwnerMessageFinding> = {}): OwnerMessageFinding {
  const i = ++n;
  return { ...makeFinding(i), fingerprint: `fp-${i}`, key: { ...makeFinding(i).key, id: `key_${i}`, name: `key-${i}` }, lifecycle: "new", ...overrides };
}
const user = (id: string): OwnerResolution => ({ kind: "user", id });
const run = (findings: OwnerMessageFinding[]) => ({ ...makeRun({ findings }), finished_at: NOW });
const plan = (findings: OwnerMessageFinding[], owners: Record<string, OwnerResolution>, opts: Partial<Parameters<typeof planOwnerMessages>[2]> = {}) =>
  planOwnerMessages(run(findings), new Map(Object.entries(owners)), { reportChannel: REPORT_CHANNEL, ...opts });

/** Every finding section of an owner's messages: block id, button, text. */
function listed(message: OwnerMessage) {
  return message.messages.flatMap((m) =>
    m.blocks.flatMap((b) => (b.type === "section" && b.block_id?.startsWith("f-") ? [{ blockId: b.block_id, accessory: b.accessory, text: b.text?.text ?? "" }] : [])),
  );
}
const allText = (message: OwnerMessage) => JSON.stringify(message.messages);

describe("owner messages", () => {
  it("tell each owner only about their own keys, each finding with its Accept-risk button", () => {
    const a = [finding(), finding()];
    const b = [finding()];
    const { messages } = plan([...a, ...b], { [a[0]!.fingerprint]: user("U0A"), [a[1]!.fingerprint]: user("U0A"), [b[0]!.fingerprint]: user("U0B") });
    expect(messages.map((m) => m.owner).sort((x, y) => x.id.localeCompare(y.id))).toEqual([{ kind: "user", id: "U0A" }, { kind: "user", id: "U0B" }]);
    const toA = messages.find((m) => m.owner.id === "U0A")!;
    const toB = messages.find((m) => m.owner.id === "U0B")!;
    expect(new Set(toA.findings)).toEqual(new Set(a.map((f) => f.fingerprint)));
    expect(toB.findings).toEqual([b[0]!.fingerprint]);
    for (const [message, own, other] of [[toA, a, b], [toB, b, a]] as const) {
      const sections = listed(message);
      expect(sections.map((s) => s.blockId).sort()).toEqual(own.map((f) => findingBlockId(f.fingerprint)).sort());
      // The button names the run the message is about, and the finding.
      for (const s of sections) expect(s.accessory).toMatchObject({ type: "button", action_id: ACCEPT_RISK_ACTION, value: `${run([]).id}:${s.blockId.slice(2)}` });
      for (const f of other) {
        expect(allText(message)).not.toContain(f.fingerprint);
        expect(allText(message)).not.toContain(`${f.key.name}*`);
        expect(allText(message)).not.toContain(f.key.id);
      }
    }
    expect(toA.messages[0]?.text).toMatch(/2 findings/);
    expect(JSON.stringify(toA.messages[0]?.blocks)).toContain(`<#${REPORT_CHANNEL}>`);
  });

  it("by default send only new findings, not open ones (nor findings of a run not recorded yet)", () => {
    const fresh = finding({ lifecycle: "new" });
    const open = finding({ lifecycle: "open" });
    const unrecorded = finding({ lifecycle: undefined });
    const owners = { [fresh.fingerprint]: user("U0A"), [open.fingerprint]: user("U0A"), [unrecorded.fingerprint]: user("U0A") };
    expect(plan([fresh, open, unrecorded], owners).messages.flatMap((m) => m.findings)).toEqual([fresh.fingerprint]);
    expect(plan([fresh, open, unrecorded], owners, { newOnly: false }).messages.flatMap((m) => m.findings).sort()).toEqual([fresh, open, unrecorded].map((f) => f.fingerprint).sort());
    expect(plan([open], owners).messages).toEqual([]);
  });

  it("remind about an open finding first seen at least remindAfterDays ago, and say since when", () => {
    const due = finding({ lifecycle: "open", first_seen: "2026-10-01T06:00:00.000Z" });
    const exactly = finding({ lifecycle: "open", first_seen: "2026-10-24T06:00:07.250Z" });
    const recent = finding({ lifecycle: "open", first_seen: "2026-11-16T06:00:00.000Z" });
    const unknown = finding({ lifecycle: "open" });
    const garbage = finding({ lifecycle: "open", first_seen: "last tuesday" });
    const all = [due, exactly, recent, unknown, garbage];
    const owners = Object.fromEntries(all.map((f) => [f.fingerprint, user("U0A")]));
    const result = plan(all, owners, { remindAfterDays: 30 });
    expect(result.messages.flatMap((m) => m.findings).sort()).toEqual([due.fingerprint, exactly.fingerprint].sort());
    const text = listed(result.messages[0]!).find((s) => s.blockId === findingBlockId(due.fingerprint))?.text;
    expect(text).toMatch(/open since 2026-10-01/);
    expect(findingsDueForOwners(all, { remindAfterDays: 30, now: NOW }).map((f) => f.fingerprint).sort()).toEqual([due.fingerprint, exactly.fingerprint].sort());
    expect(plan(all, owners).messages).toEqual([]);
  });

  it("stay within Slack's limits for an owner of many long findings: a message and thread replies, the rest counted", () => {
    const long = "x".repeat(400);
    const many = Array.from({ length: 150 }, () => finding({ sentence: `${long} <!channel>`, key: { ...makeFinding(1).key, name: `${long}-${n}` } }));
    const owners = Object.fromEntries(many.map((f) => [f.fingerprint, user("U0MANY")]));
    const [message] = plan(many, owners, { maxFindingsPerOwner: 100 }).messages;
    expect(message).toBeDefined();
    if (!message) return;
    expect(message.messages.length).toBeGreaterThan(1);
    for (const m of message.messages) expect(messageProblems({ channel: "D1", ...m })).toEqual([]);
    expect(listed(message)).toHaveLength(100);
    expect(message.findings).toHaveLength(100);
    expect(new Set(message.findings).size).toBe(100);
    expect(message.not_listed).toBe(50);
    const last = JSON.stringify(message.messages.at(-1));
    expect(last).toMatch(/50 more findings/);
    expect(last).toContain(`<#${REPORT_CHANNEL}>`);
    expect(allText(message)).not.toContain("<!channel>");
    expect(allText(message)).toContain("&lt;!channel&gt;");
    expect(message.messages.slice(1).every((m) => /Findings? \d+(–\d+)? of 100/.test(m.text))).toBe(true);
  });

  it("send at most maxMessages owners, worst first; the others are listed as not sent with their counts", () => {
    const critical = finding({ severity: "critical" });
    const lows = [finding({ severity: "low" }), finding({ severity: "low" })];
    const medium = finding({ severity: "medium" });
    const owners = { [critical.fingerprint]: user("U0CRIT"), [lows[0]!.fingerprint]: user("U0LOW"), [lows[1]!.fingerprint]: user("U0LOW"), [medium.fingerprint]: { kind: "channel", id: "C0MED" } as const };
    const result = plan([...lows, medium, critical], owners, { maxMessages: 2 });
    expect(result.messages.map((m) => m.owner.id)).toEqual(["U0CRIT", "C0MED"]);
    expect(result.notSent).toEqual([{ owner: { kind: "user", id: "U0LOW" }, findings: 2 }]);
    expect(DEFAULT_OWNER_MESSAGES_MAX).toBe(50);
    expect(plan([...lows, medium, critical], owners, { maxMessages: 0 }).notSent).toHaveLength(3);
  });

  it("list owners who could not be told, by key owner and reason, with their counts", () => {
    const failed = [finding(), finding()].map((f) => ({ ...f, owner: { type: "user" as const, id: "user_x", name: "X", email: "x@example.com", role: null } }));
    const svc = finding({ owner: { type: "service_account", id: "svc_1", name: "bot", email: null, role: null } });
    const unresolved = finding();
    const owners: Record<string, OwnerResolution> = {
      [failed[0]!.fingerprint]: { kind: "report_channel", reason: "not reachable", detail: "lookup failed: ratelimited: retry after 120 s" },
      [failed[1]!.fingerprint]: { kind: "report_channel", reason: "not reachable", detail: "lookup failed: ratelimited: retry after 120 s" },
      [svc.fingerprint]: { kind: "report_channel", reason: "no owner", detail: "a service account's key, and no owners route matches its project" },
    };
    const result = plan([...failed, svc, unresolved], owners);
    expect(result.messages).toEqual([]);
    expect(result.unreachable).toEqual(
      expect.arrayContaining([
        { key_owner: failed[0]!.owner, reason: "not reachable", detail: "lookup failed: ratelimited: retry after 120 s", findings: 2 },
        { key_owner: svc.owner, reason: "no owner", detail: "a service account's key, and no owners route matches its project", findings: 1 },
        { key_owner: unresolved.owner, reason: "not reachable", detail: "not resolved", findings: 1 },
      ]),
    );
    expect(result.unreachable).toHaveLength(3);
  });

  it("speak to a routed channel as the channel, and render the same plan from the same run", () => {
    const f = finding();
    const owners = { [f.fingerprint]: { kind: "channel", id: "C0TEAM", route: "ml-*" } as const };
    const first = plan([f], owners);
    expect(first.messages[0]?.owner).toEqual({ kind: "channel", id: "C0TEAM" });
    expect(first.messages[0]?.messages[0]?.text).toMatch(/projects/);
    expect(JSON.stringify(first.messages[0]?.messages[0]?.blocks)).toContain("`ml-*`");
    expect(plan([f], owners)).toEqual(first);
  });

  it("show a key named like a Slack command as text, never as a mention or a link", () => {
    const f = finding({ key: { ...makeFinding(1).key, name: "<!here> <https://evil.example|click>" } });
    const text = allText(plan([f], { [f.fingerprint]: user("U0A") }).messages[0]!);
    expect(text).not.toContain("<!here>");
    expect(text).not.toContain("<https://evil");
  });
});
