import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/model/run.js";
import { runJson } from "../../src/cli/audit-command.js";
import { redactingIo } from "../../src/cli/io.js";
import { renderTextReport } from "../../src/report/text.js";
import { redact } from "../../src/util/redact.js";
import { makeError, makeFinding, makeRun } from "../sim/slack-run-factory.js";

/** The configured admin key, as the CLI gets it from OPENAI_ADMIN_KEY. */
const SECRET = "sk-admin-TextReportQwErTyUiOpAsDfGhJkLzXcVbNm0192837465";
/** A full project key pasted into a name, glued to what comes before by a control character. */
const PASTED = "sk-proj-PastedIntoANameZxCvBnMqWeRtYuIo5647382910";
const FORGED = "keywarden run_20260101T060000Z_abcdef complete: ALL CLEAR";
/** C0, DEL and C1: what a terminal acts on. The report's own line feeds are checked separately. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_BUT_LINE_FEED = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

const lines = (text: string) => text.split("\n");

describe("the text report", () => {
  it("shows every field that comes from the API with its control characters as visible escapes, one line per finding", () => {
    const finding = makeFinding(1, {
      rule_id: "every-key",
      severity: "high",
      sentence: "owned by service account bot\u001b]0;pwned\u0007 with role owner",
      key: { ...makeFinding(1).key, name: `x\u001b[2J\u001b[H\r\n${FORGED}`, redacted_value: "sk-proj-...9xYz\u001b[2K" },
      project: { id: "proj_web", name: "web\u009b2J\u007f", archived: false },
      owner: { type: "user", id: "user_m", name: "Mallory", email: "m@evil.example\u001b[8m", role: "member" },
    });
    const text = renderTextReport(makeRun({ findings: [finding] }));
    expect(text).not.toMatch(CONTROL_BUT_LINE_FEED);
    expect(lines(text)).toContain(
      `  • [every-key] x\\x1b[2J\\x1b[H\\r\\n${FORGED} (${finding.key.id}) sk-proj-...9xYz\\x1b[2K — project web\\x9b2J\\x7f, owner m@evil.example\\x1b[8m: owned by service account bot\\x1b]0;pwned\\x07 with role owner`,
    );
    expect(lines(text).filter((line) => line.startsWith("keywarden") || line.startsWith("ALL CLEAR"))).toEqual([]);
    expect(lines(text)).toHaveLength(lines(renderTextReport(makeRun({ findings: [makeFinding(1, { severity: "high" })] }))).length);
  });

  it("cannot be made to say all clear, or lose a line, by an error's project name or message on an incomplete run", () => {
    const error = makeError(1, { where: `API keys of project "a\n✔ COMPLETE — all clear" (proj_a)`, message: `HTTP 500\r${FORGED}` });
    const text = renderTextReport(makeRun({ status: "incomplete", errors: [error] }));
    expect(lines(text)).toContain(`    not seen: API keys of project "a\\n✔ COMPLETE — all clear" (proj_a) — HTTP 500\\r${FORGED}`);
    expect(lines(text).filter((line) => /^\s*(✔|keywarden|ALL CLEAR)/.test(line))).toEqual([]);
    expect(text).not.toMatch(CONTROL_BUT_LINE_FEED);
  });

  it("escapes a failed run's reason and details, which may quote the API", () => {
    const text = renderTextReport(makeRun({ status: "failed", failure: { reason: "the Admin API said \u001b[2Jno", details: [`detail\n${FORGED}`] } }));
    expect(lines(text)).toContain("✖ FAILED: the Admin API said \\x1b[2Jno");
    expect(lines(text)).toContain(`    detail\\n${FORGED}`);
    expect(text).not.toMatch(CONTROL_BUT_LINE_FEED);
  });

  it("never shows a full-looking secret in a name, even glued to the text before it by a newline, a tab or an escape", () => {
    for (const glue of ["\n", "\t", "\u001b", "\u0007", " "]) {
      const finding = makeFinding(1, { key: { ...makeFinding(1).key, name: `deploy${glue}${PASTED}` } });
      const text = renderTextReport(makeRun({ findings: [finding] }));
      expect(text, JSON.stringify(glue)).not.toContain(PASTED);
      expect(text, JSON.stringify(glue)).toContain(`[REDACTED] (${finding.key.id}) sk-proj-...0001`);
    }
  });
});

/** Names nobody would choose: any UTF-16 text, and pieces of escape sequences, forged lines, markup, formulas and the secret. */
const HOSTILE = ["\n", "\r", "\r\n", "\u001b[2J", "\u001b]0;x\u0007", "\u0007", "\u0000", "\u007f", "\u009b", "\u0085", "\t", "\u2028", FORGED, SECRET, "sk-", "<!channel>", "=cmd|' /C calc'!A0"];
const anyName = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ unit: "binary", maxLength: 6 })), { maxLength: 8 }).map((parts) => parts.join("")),
);

/** What `keywarden audit` writes on stdout for this run: rendered, then through the CLI's one exit. */
function cliStdout(run: AuditRun, json: boolean): string {
  let out = "";
  const io = redactingIo({ stdout: { write: (text: string) => (out += text) }, stderr: { write: () => true }, env: {} }, [SECRET]);
  io.stdout.write(json ? runJson(run, [SECRET]) : `${renderTextReport(run)}\n`);
  return out;
}

describe("for any key name", () => {
  const baseline = lines(renderTextReport(makeRun({ findings: [makeFinding(3)] }))).length;
  const withName = (name: string) => makeRun({ findings: [makeFinding(3, { key: { ...makeFinding(3).key, name } })] });

  it("the text report keeps its own lines, the finding on one line with no control character, and the CLI never prints the configured secret", () => {
    fc.assert(
      fc.property(anyName, (name) => {
        const text = renderTextReport(withName(name));
        const reportLines = lines(text);
        expect(reportLines).toHaveLength(baseline);
        for (const line of reportLines) expect(line, JSON.stringify(line)).not.toMatch(CONTROL);
        expect(reportLines.filter((line) => line.startsWith(`  • [${makeFinding(3).rule_id}] `))).toHaveLength(1);
        expect(cliStdout(withName(name), false)).not.toContain(SECRET);
      }),
      { numRuns: 500 },
    );
  });

  it("--json has no raw control character (line feeds of its own layout aside), never the secret, and gives the name back with only secrets removed", () => {
    fc.assert(
      fc.property(anyName, (name) => {
        const out = cliStdout(withName(name), true);
        expect(out.replaceAll("\n", ""), JSON.stringify(out)).not.toMatch(CONTROL);
        expect(out).not.toContain(SECRET);
        const parsed = JSON.parse(out) as AuditRun;
        expect(parsed.findings[0]?.key.name).toBe(redact(name, [SECRET]));
      }),
      { numRuns: 500 },
    );
  });
});

describe("the text report closes the loop", () => {
  it("says what to do with each finding and where, and who let an exempted key through", async () => {
    const { renderTextReport } = await import("../../src/report/text.js");
    const { makeFinding, makeRun } = await import("../sim/slack-run-factory.js");
    const finding = { ...makeFinding(1, { rule_kind: "key-age", severity: "medium" }), dashboard_url: "https://platform.openai.com/settings/proj_abc/api-keys" };
    const text = renderTextReport(
      makeRun({
        findings: [finding],
        exemptions: [
          { rule_id: "unused-90d", key_id: "key_a", reason: "break-glass", expires: "2027-03-01", fingerprint: "fa", source: "policy", approved_by: "sec@example.com" },
          { rule_id: "unused-90d", key_id: "key_b", reason: "migration", expires: "2026-12-31", fingerprint: "fb", source: "slack", accepted_by: { id: "U1", name: "Dana" }, accepted_at: "2026-11-20T10:00:00Z", ticket: "https://t.example/1" },
        ],
      }),
    );
    expect(text).toContain("what to do: rotate: create a new key, move the app to it, then revoke this one — https://platform.openai.com/settings/proj_abc/api-keys");
    expect(text).toContain("unused-90d on key_a exempted by the policy, approved by sec@example.com, until 2027-03-01: break-glass");
    expect(text).toContain("unused-90d on key_b accepted by Dana on 2026-11-20 until 2026-12-31: migration (https://t.example/1)");
  });

  it("names each finding's key by its id too, which `keywarden revoke` and the dashboard take", async () => {
    const { renderTextReport } = await import("../../src/report/text.js");
    const { makeFinding, makeRun } = await import("../sim/slack-run-factory.js");
    const named = makeFinding(1);
    const unnamed = makeFinding(2, { key: { ...makeFinding(2).key, name: null } });
    const text = renderTextReport(makeRun({ findings: [named, unnamed] }));
    expect(text).toContain(`] ${named.key.name} (${named.key.id}) ${named.key.redacted_value} — `);
    expect(text).toContain(`] ${unnamed.key.id} ${unnamed.key.redacted_value} — `);
  });
});
