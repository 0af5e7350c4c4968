import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { timingSafeEqualStrings } from "../../src/util/constant-time.js";

const TOKEN = "test-api-token-0123456789abcdef";

describe("timingSafeEqualStrings", () => {
  it("is true only for the same string", () => {
    expect(timingSafeEqualStrings(TOKEN, TOKEN)).toBe(true);
    expect(timingSafeEqualStrings(TOKEN, `${TOKEN}`.slice(0))).toBe(true);
    expect(timingSafeEqualStrings("", "")).toBe(true);
  });

  it("is false for a different string of exactly the same length, wherever the difference is", () => {
    for (const i of [0, 1, Math.floor(TOKEN.length / 2), TOKEN.length - 1]) {
      const wrong = `${TOKEN.slice(0, i)}${TOKEN[i] === "x" ? "y" : "x"}${TOKEN.slice(i + 1)}`;
      expect(wrong).toHaveLength(TOKEN.length);
      expect(timingSafeEqualStrings(wrong, TOKEN), `differs at ${i}`).toBe(false);
      expect(timingSafeEqualStrings(TOKEN, wrong), `differs at ${i}`).toBe(false);
    }
    expect(timingSafeEqualStrings("x".repeat(TOKEN.length), TOKEN)).toBe(false);
    expect(timingSafeEqualStrings(TOKEN.toUpperCase(), TOKEN)).toBe(false);
    expect(timingSafeEqualStrings([...TOKEN].reverse().join(""), TOKEN)).toBe(false);
  });

  it("is false for a prefix, an extension and the empty string", () => {
    expect(timingSafeEqualStrings(TOKEN.slice(0, -1), TOKEN)).toBe(false);
    expect(timingSafeEqualStrings(`${TOKEN}0`, TOKEN)).toBe(false);
    expect(timingSafeEqualStrings(`${TOKEN}\u0000`, TOKEN)).toBe(false);
    expect(timingSafeEqualStrings("", TOKEN)).toBe(false);
    expect(timingSafeEqualStrings(TOKEN, "")).toBe(false);
  });

  it("tells apart strings whose UTF-8 encodings would collide (lone surrogates become U+FFFD)", () => {
    expect(timingSafeEqualStrings("\ud800", "\udc00")).toBe(false);
    expect(timingSafeEqualStrings("\ud800", "\ufffd")).toBe(false);
    expect(timingSafeEqualStrings("é", "e\u0301")).toBe(false);
  });

  it("agrees with === for any two strings, equal-length ones included", () => {
    const text = fc.string({ unit: "binary", maxLength: 40 });
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(timingSafeEqualStrings(a, b)).toBe(a === b);
        expect(timingSafeEqualStrings(a, a)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
    fc.assert(
      fc.property(text.filter((s) => s.length > 0), fc.nat(), fc.string({ unit: "binary", minLength: 1, maxLength: 1 }), (a, at, unit) => {
        const i = at % a.length;
        const b = a.slice(0, i) + unit + a.slice(i + 1);
        expect(timingSafeEqualStrings(a, b)).toBe(a === b);
      }),
      { numRuns: 2_000 },
    );
  });
});
