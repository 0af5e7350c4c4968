import { describe, expect, it } from "vitest";
import { REDACTED, redact } from "../../src/util/redact.js";

describe("redact", () => {
  it("removes configured secrets and anything shaped like a full OpenAI or Slack secret, wherever it stands", () => {
    const key = "sk-proj-AbCdEf0123456789AbCdEf0123";
    expect(redact(`name ${key} end`)).toBe(`name ${REDACTED} end`);
    // Glued to a word by an underscore or a digit (a name like ml_<key>): still a secret.
    expect(redact(`ml_${key}`)).toBe(`ml_${REDACTED}`);
    expect(redact(`v2${key}`)).toBe(`v2${REDACTED}`);
    expect(redact("token xoxb-1234567890-abcdefghij")).toBe(`token ${REDACTED}`);
    expect(redact("configured value here", ["value"])).toBe(`configured ${REDACTED} here`);
  });

  it("keeps redacted key values and ordinary words that merely contain sk-", () => {
    expect(redact("sk-proj-...9xYz")).toBe("sk-proj-...9xYz");
    expect(redact("risk-assessment-document-2026")).toBe("risk-assessment-document-2026");
    expect(redact("task-force-planning-session-notes")).toBe("task-force-planning-session-notes");
  });

  it("finds a secret right after an escape sequence, as JSON, a CSV cell or a text line writes a control character", () => {
    const key = "sk-proj-AbCdEf0123456789AbCdEf0123";
    const slack = "xoxb-1234567890-abcdefghij";
    // JSON.stringify writes a newline as \n, a tab as \t, ESC as \u001b: a letter then stands before the secret.
    for (const name of [`Break-glass\n${key}`, `ci\t${key}`, `x\u001b${key}`, `bot\n${slack}`]) {
      const quoted = JSON.stringify(name);
      expect(redact(quoted)).not.toContain("AbCdEf0123456789");
      expect(redact(quoted)).not.toContain("1234567890-abcdefghij");
    }
    // The CSV and text outputs write control and bidi characters as \x1b and \u200e.
    expect(redact(`ci\\u200e${key}`)).toBe(`ci\\u200e${REDACTED}`);
    expect(redact(`ci\\x1b${key}`)).toBe(`ci\\x1b${REDACTED}`);
    // An escape is not a word: "\\task-…" is still the word task.
    expect(redact("\\task-force-planning-session-notes")).toBe("\\task-force-planning-session-notes");
  });
});
