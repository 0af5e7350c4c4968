import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { helpText, parseCommandText } from "../../src/http/slash-command-text.js";
import { POLICY_NAME } from "../../src/config.js";
import { type SlackMessage, blockTexts } from "../../src/slack/blocks.js";
import { escapeMrkdwn, inlineCode, oneLine, safe } from "../../src/slack/mrkdwn.js";
import { renderSlackReport } from "../../src/slack/render.js";
import { makeError, makeFinding, makeRun } from "../sim/slack-run-factory.js";

/** Whitespace Slack may pass through in a command's text: ASCII, no-break, em and ideographic spaces, line breaks. */
const WHITESPACE = [" ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000"];
const space = fc.array(fc.constantFrom(...WHITESPACE), { maxLength: 3 }).map((s) => s.join(""));
const someSpace = fc.array(fc.constantFrom(...WHITESPACE), { minLength: 1, maxLength: 3 }).map((s) => s.join(""));
const anyCase = (word: string) => fc.array(fc.boolean(), { minLength: word.length, maxLength: word.length }).map((up) => [...word].map((c, i) => (up[i] ? c.toUpperCase() : c)).join(""));
/** Text a user might type, and text nobody would: words, mentions, markup, control characters, lone surrogates. */
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.array(fc.oneof(fc.constantFrom("run", "RUN", "status", "last", "help", "default", "<!channel>", "<@U123>", "&amp;", "-x", "a".repeat(65)), fc.string({ maxLength: 8 })), { maxLength: 5 }).chain((words) =>
    fc.array(someSpace, { minLength: words.length, maxLength: words.length }).map((gaps) => words.map((w, i) => `${gaps[i]}${w}`).join("")),
  ),
);
const policyName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,63}$/);

/** `<`, `>` and `&` only as the three entities: Slack can form no mention, link or channel ping from it. */
function expectInert(text: string): void {
  expect(text, JSON.stringify(text)).not.toMatch(/[<>]/);
  expect(text.replace(/&(amp|lt|gt);/g, ""), JSON.stringify(text)).not.toContain("&");
}
/** No lone surrogate (String.prototype.isWellFormed, which the TypeScript lib here does not declare). */
const wellFormed = (text: string) => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
const unescape = (text: string) => text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

describe("parseCommandText, for any text", () => {
  it("never throws and answers one of the commands, or unknown (answered with the help)", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const parsed = parseCommandText(text);
        switch (parsed.action) {
          case "run":
            if (parsed.policy !== undefined) {
              expect(parsed.policy).toMatch(POLICY_NAME);
              expect(parsed.policy.length).toBeLessThanOrEqual(64);
              expect(text.trim().split(/\s+/)).toEqual([expect.stringMatching(/^run$/i), parsed.policy]);
            } else expect(text.trim()).toMatch(/^run$/i);
            break;
          case "status":
          case "last":
            expect(text.trim().toLowerCase()).toBe(parsed.action);
            break;
          case "help":
            expect(text.trim().toLowerCase()).toMatch(/^(help)?$/);
            break;
          case "unknown":
            expect(parsed.text).toBe(text.trim());
            break;
          default:
            throw new Error(`unexpected ${JSON.stringify(parsed)}`);
        }
        // Padding never changes the answer.
        expect(parseCommandText(` \t${text}\u3000\n`)).toEqual(parsed);
      }),
      { numRuns: 3_000 },
    );
  });

  it("reads every command in any case, with any whitespace around and between the words", () => {
    const command = fc.oneof(
      fc.tuple(anyCase("run"), fc.constant(undefined)),
      fc.tuple(anyCase("run"), policyName),
      fc.tuple(fc.oneof(anyCase("status"), anyCase("last"), anyCase("help")), fc.constant(undefined)),
    );
    fc.assert(
      fc.property(command, space, someSpace, space, ([verb, policy], before, between, after) => {
        const text = `${before}${verb}${policy === undefined ? "" : `${between}${policy}`}${after}`;
        const expected = policy === undefined ? { action: verb.toLowerCase() } : { action: "run", policy };
        expect(parseCommandText(text)).toEqual(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it("takes only whitespace for help", () => {
    fc.assert(
      fc.property(space, (text) => {
        expect(parseCommandText(text)).toEqual({ action: "help" });
      }),
    );
  });
});

describe("safe(): text shortened to fit is always marked", () => {
  it.each([
    ["\n\n\nproduction-old", 10, " producti…"],
    ["\n\nlast ", 1, "…"],
    ["\r\n\r\nowner <!channel>", 12, " owner &lt;…"],
    ["\n\naa😀", 4, " aa…"],
    ["\n\naa😀", 5, " aa😀"],
  ])("%j within %i characters is %j", (text, max, expected) => {
    expect(safe(text, max)).toBe(expected);
  });
});

describe("mrkdwn escaping, for any text", () => {
  it("escapeMrkdwn leaves no <, > or bare & and loses nothing", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const escaped = escapeMrkdwn(text);
        expectInert(escaped);
        expect(unescape(escaped)).toBe(text);
      }),
      { numRuns: 3_000 },
    );
  });

  it("safe() is inert, one line, within max, never cuts an entity or a character in half, and marks any cut with …", () => {
    fc.assert(
      fc.property(anyText, fc.integer({ min: 1, max: 60 }), (text, max) => {
        const out = safe(text, max);
        expectInert(out);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        if (wellFormed(text)) expect(wellFormed(out), JSON.stringify(out)).toBe(true);
        const whole = oneLine(text);
        if (out.endsWith("…") && !whole.endsWith("…")) expect(whole.startsWith(unescape(out.slice(0, -1))), JSON.stringify({ text, out })).toBe(true);
        else expect(unescape(out), JSON.stringify({ text, max })).toBe(whole);
      }),
      { numRuns: 5_000 },
    );
  });

  it("inlineCode() is one inert code span", () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const code = inlineCode(text);
        expect(code).toMatch(/^`[^`]*`$/);
        expectInert(code);
        expect(code).not.toMatch(/[\n\r]/);
      }),
      { numRuns: 2_000 },
    );
  });

  it("helpText() is inert whatever the command is called", () => {
    fc.assert(
      fc.property(anyText, (command) => {
        const text = helpText(command);
        expectInert(text);
        expect(text.split("\n")).toHaveLength(5);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe("a Slack report, for any names and messages the organization returns", () => {
  /** Every text Slack reads in a message: the fallback text and every block's texts. */
  const textsOf = (message: SlackMessage) => [message.text, ...message.blocks.flatMap(blockTexts)];

  it("pings nobody and links nowhere but where Keywarden links", () => {
    const hostile = fc.oneof(anyText, fc.constantFrom("<!channel>", "<!here>", "<!everyone>", "<@U0ADMIN>", "<#C0SECRET>", "<https://evil.example|click>", "&lt;!channel&gt;", "<!subteam^S1>"));
    fc.assert(
      fc.property(fc.array(fc.tuple(hostile, hostile, hostile, hostile, hostile), { minLength: 1, maxLength: 4 }), hostile, hostile, (strings, where, message) => {
        const findings = strings.map(([keyName, ownerName, email, projectName, sentence], i) => {
          const base = makeFinding(i + 1);
          return makeFinding(i + 1, {
            sentence,
            key: { ...base.key, name: keyName },
            owner: { ...base.owner, name: ownerName, email },
            project: { id: `proj_${i}`, name: projectName, archived: false },
          });
        });
        const run = makeRun({
          status: "incomplete",
          findings,
          errors: [makeError(1, { where, message })],
          exemptions: [{ rule_id: "unused-90d", key_id: "key_x", reason: message, expires: where, fingerprint: "fx" }],
        });
        const rendered = renderSlackReport(run, { channel: "C0SECURITY", evidenceUrl: "https://keywarden.example/runs/x/evidence" });
        for (const text of [rendered.main, ...rendered.thread].flatMap(textsOf)) {
          // Keywarden's own markup: the evidence link, the dashboard links, and "> " opening a quoted line.
          const theirs = text
            .replace(/<https:\/\/keywarden\.example\/[^|<>]*\|Evidence>/g, "")
            .replace(/<https:\/\/platform\.openai\.com\/settings\/(organization\/admin-keys|proj_[A-Za-z0-9]+\/api-keys)\|Manage in OpenAI>/g, "")
            .replace(/^> /gm, "");
          expectInert(theirs);
        }
      }),
      { numRuns: 300 },
    );
  });
});
