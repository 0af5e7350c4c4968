/** Slack for a run of several accounts (issue 19): counts per account, the thread by account, one owner message across accounts. */
import { describe, expect, it } from "vitest";
import type { RunFinding } from "../../src/model/run.js";
import { type SlackMessage, blockTexts, messageProblems } from "../../src/slack/blocks.js";
import { findingBlockId } from "../../src/slack/finding-actions.js";
import type { OwnerResolution } from "../../src/slack/owner-directory.js";
import { planOwnerMessages } from "../../src/slack/owner-messages.js";
import { renderSlackReport } from "../../src/slack/render.js";
import { ACCOUNT_FINDINGS, accountError, accountsRun } from "../sim/accounts-run-factory.js";
import { makeRun, manyFindings } from "../sim/slack-run-factory.js";
import { ownerLabel } from "../../src/slack/format.js";

const CHANNEL = "C0SECURITY";
const textOf = (message: SlackMessage) => message.blocks.flatMap(blockTexts).join("\n");

/** The thread's section texts in order, headings included. */
function threadSections(thread: readonly SlackMessage[]): { text: string; blockId: string | undefined }[] {
  return thread.flatMap((m) => m.blocks.flatMap((b) => (b.type === "section" ? [{ text: b.text?.text ?? "", blockId: b.block_id }] : [])));
}

describe("the main message of a run of three accounts", () => {
  it("counts findings per account, each account by name and provider", () => {
    const { main } = renderSlackReport(accountsRun(), { channel: CHANNEL });
    const text = textOf(main);
    expect(text).toContain(
      ["*By account:*", "• `anthropic` (Anthropic): 1 finding (1 high)", "• `openai-eu` (OpenAI): 1 finding (1 high)", "• `openai-us` (OpenAI): 2 findings (1 medium, 1 low)"].join("\n"),
    );
    expect(messageProblems(main)).toEqual([]);
  });

  it("names the accounts not read in full, and the account of each part not seen", () => {
    const { main } = renderSlackReport(accountsRun([accountError("openai-us")]), { channel: CHANNEL });
    const text = textOf(main);
    expect(text).toContain("• :red_circle: `openai-us` (OpenAI): *not read in full* (1 part not seen) · 2 findings (1 medium, 1 low) so far");
    expect(text).toContain('• `openai-us` *API keys of project "payments" (proj_x)* — HTTP 503 after 4 attempts');
    expect(text).toContain("• `openai-eu` (OpenAI): 1 finding (1 high)");
  });

  it("names an account the run read nothing of, from its error alone", () => {
    const { main } = renderSlackReport(accountsRun([accountError("openai-apac")]), { channel: CHANNEL });
    expect(textOf(main)).toContain("• :red_circle: `openai-apac`: *not read in full* (1 part not seen) · 0 findings so far");
  });

  it("names the account of each of the worst findings", () => {
    const { main } = renderSlackReport(accountsRun(), { channel: CHANNEL });
    const text = textOf(main);
    expect(text).toContain("• :new: account `anthropic` (Anthropic) · *apikey-ml*");
    expect(text).toContain("• :new: account `openai-eu` (OpenAI) · *key-eu-web*");
  });

  it("shows an account's name as data, never as markup", () => {
    const hostile = ACCOUNT_FINDINGS.map((f, i) => (i === 0 ? { ...f, key: { ...f.key, account: "<!channel> x" } } : f));
    const r = renderSlackReport(accountsRun([], { findings: hostile }), { channel: CHANNEL });
    const all = [r.main, ...r.thread].map(textOf).join("\n");
    expect(all).not.toContain("<!channel>");
    expect(all).toContain("`&lt;!channel&gt; x`");
  });
});

describe("the thread of a run of three accounts", () => {
  it("lists the findings account by account, under a heading each, every finding once", () => {
    const r = renderSlackReport(accountsRun(), { channel: CHANNEL });
    const sections = threadSections(r.thread);
    const headings = sections.filter((s) => s.blockId === undefined).map((s) => s.text);
    expect(headings).toEqual([
      "*account `anthropic` (Anthropic) — Findings 1 of 1*",
      "*account `openai-eu` (OpenAI) — Findings 1 of 1*",
      "*account `openai-us` (OpenAI) — Findings 1–2 of 2*",
      "*Exempted 1 of 1*",
    ]);
    // Each finding sits under the heading of its own account.
    let account = "";
    for (const s of sections) {
      if (s.blockId === undefined) account = /`([^`]+)`/.exec(s.text)?.[1] ?? "";
      else if (s.blockId.startsWith("f-")) {
        const f = ACCOUNT_FINDINGS.find((x) => findingBlockId(x.fingerprint) === s.blockId) as RunFinding;
        expect(f.key.account).toBe(account);
        expect(s.text).toContain(`account \`${account}\``);
      }
    }
    expect(sections.filter((s) => s.blockId?.startsWith("f-")).map((s) => s.blockId).sort()).toEqual(ACCOUNT_FINDINGS.map((f) => findingBlockId(f.fingerprint)).sort());
    expect(r.thread_finding_counts.reduce((a, b) => a + b, 0)).toBe(ACCOUNT_FINDINGS.length);
  });

  it("links an Anthropic key to the Anthropic Console and says its workspace", () => {
    const sections = threadSections(renderSlackReport(accountsRun(), { channel: CHANNEL }).thread);
    const anthropic = sections.find((s) => s.blockId === findingBlockId("fp_apikey_ml_unused-90d"))?.text ?? "";
    expect(anthropic).toContain("workspace *ml-research* (wrkspc_ml)");
    expect(anthropic).toContain("<https://console.anthropic.com/settings/keys|Manage in Anthropic Console>");
    const openai = sections.find((s) => s.blockId === findingBlockId("fp_key_eu_web_unused-90d"))?.text ?? "";
    expect(openai).toContain("<https://platform.openai.com/settings/proj_euweb/api-keys|Manage in OpenAI>");
  });

  it("keeps every message within Block Kit's limits with many findings in each account", () => {
    const findings = manyFindings(180).map((f, i) => {
      const account = ["anthropic", "openai-eu", "openai-us"][i % 3] as string;
      return { ...f, key: { ...f.key, account, provider: account === "anthropic" ? ("anthropic" as const) : ("openai" as const) } };
    });
    const r = renderSlackReport(makeRun({ findings }), { channel: CHANNEL, acceptButtons: true });
    for (const message of [r.main, ...r.thread]) expect(messageProblems(message)).toEqual([]);
    expect(r.thread_finding_counts.reduce((a, b) => a + b, 0)).toBe(180);
    const headings = threadSections(r.thread).filter((s) => s.blockId === undefined && s.text.includes("Findings"));
    expect(headings.at(-1)?.text).toMatch(/^\*account `openai-us` \(OpenAI\) — Findings \d+–60 of 60\*$/);
  });
});

describe("owner messages of a run of three accounts", () => {
  it("are one per owner across accounts, each finding naming its account", () => {
    const run = accountsRun();
    const bob: OwnerResolution = { kind: "user", id: "U0BOB" };
    const alice: OwnerResolution = { kind: "user", id: "U0ALICE" };
    const resolutions = new Map(run.findings.map((f) => [f.fingerprint, f.owner.id === "user_bob" ? bob : alice]));
    const { messages } = planOwnerMessages(run, resolutions, { reportChannel: CHANNEL });
    expect(messages.map((m) => m.owner.id).sort()).toEqual(["U0ALICE", "U0BOB"]);
    const toBob = messages.find((m) => m.owner.id === "U0BOB");
    expect(toBob?.findings.sort()).toEqual(["fp_apikey_ml_unused-90d", "fp_key_eu_web_unused-90d", "fp_key_us_batch_key-age-365d"]);
    expect(toBob?.messages).toHaveLength(1);
    const text = JSON.stringify(toBob?.messages);
    expect(text).toContain("Anthropic and OpenAI API keys you own");
    for (const account of ["anthropic", "openai-eu", "openai-us"]) expect(text).toContain(`account \`${account}\``);
  });
});

describe("a run of one account", () => {
  it("renders the same whether its keys name the account `openai` or predate accounts", () => {
    const findings = manyFindings(12);
    const named = findings.map((f) => ({ ...f, key: { ...f.key, provider: "openai" as const, account: "openai" } }));
    const errors = [{ ...accountError("openai") }];
    const plain = renderSlackReport(makeRun({ findings, status: "incomplete", errors: errors.map(({ account: _, ...e }) => e) }), { channel: CHANNEL, acceptButtons: true });
    const withAccount = renderSlackReport(makeRun({ findings: named, status: "incomplete", errors }), { channel: CHANNEL, acceptButtons: true });
    expect({ ...withAccount, csv: null }).toEqual({ ...plain, csv: null });
    expect([plain.main, ...plain.thread].map(textOf).join("\n")).not.toMatch(/By account|account `/);
  });
});

describe("a key with no owner known", () => {
  it("says so instead of an empty name", () => {
    expect(ownerLabel({ type: "user", id: "", name: null, email: null, role: null })).toBe("no owner known");
    expect(ownerLabel({ type: "user", id: "user_a", name: "Ann", email: null, role: null })).toBe("owner Ann");
  });
});
