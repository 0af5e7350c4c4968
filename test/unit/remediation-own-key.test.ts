import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { configuredKeyTail, ownAdminKeyVerdict, redactedSuffix, tailsMatch } from "../../src/decide/own-key.js";

const OWN = `sk-admin-${"Q".repeat(40)}x9Kp`;
const own = { id: "key_own", name: "keywarden", redacted_value: "sk-admin-...x9Kp" };
const other = { id: "key_other", name: "ops", redacted_value: "sk-admin-...Ab1c" };

describe("reading redacted values", () => {
  it("takes the visible end after the ellipsis, in both of OpenAI's spellings", () => {
    expect(redactedSuffix("sk-admin-...x9Kp")).toBe("x9Kp");
    expect(redactedSuffix("sk-admin...xyz")).toBe("xyz");
    expect(redactedSuffix("sk-abc...def")).toBe("def");
    expect(redactedSuffix("sk-admin-…x9Kp")).toBe("x9Kp");
    expect(redactedSuffix("  sk-admin-...x9Kp ")).toBe("x9Kp");
  });

  it("reads nothing from a value without an ellipsis, with two, with too short an end, or with other characters", () => {
    for (const bad of ["", "sk-admin-x9Kp", "sk-admin-...", "sk-admin-...ab", "sk...ab...cd", "sk-admin-...x9 Kp", "sk-admin-...x9Kp!", "sk-admin-....x9Kp", "[REDACTED]"]) {
      expect(redactedSuffix(bad), bad).toBeNull();
    }
  });

  it("reads the configured key as a full value, a redacted value or its last characters", () => {
    expect(configuredKeyTail(OWN)).toBe(OWN);
    expect(configuredKeyTail(" sk-admin-...x9Kp ")).toBe("x9Kp");
    expect(configuredKeyTail("x9Kp")).toBe("x9Kp");
    for (const bad of [undefined, null, "", "  ", "ab", "sk-admin-...", "sk admin with spaces"]) expect(configuredKeyTail(bad), String(bad)).toBeNull();
  });

  it("matches ends by the shorter of the two, case aside", () => {
    expect(tailsMatch("sk-admin-abcx9Kp", "x9Kp")).toBe(true);
    expect(tailsMatch("x9Kp", "X9KP")).toBe(true);
    expect(tailsMatch("x9Kp", "9Kp")).toBe(true);
    expect(tailsMatch("x9Kp", "x9Kq")).toBe(false);
    expect(tailsMatch("", "x9Kp")).toBe(false);
  });
});

describe("the own admin key verdict", () => {
  it("refuses the key that ends like the configured one, and allows another", () => {
    expect(ownAdminKeyVerdict(own, OWN, [own, other])).toEqual({
      safe: false,
      reason: 'admin key "keywarden" (key_own, sk-admin-...x9Kp) ends like the key Keywarden runs with (OPENAI_ADMIN_KEY): deleting it would cut Keywarden off',
    });
    expect(ownAdminKeyVerdict(other, OWN, [own, other])).toEqual({ safe: true });
  });

  it("refuses every key that shares the configured key's end when several do, naming them", () => {
    const twin = { id: "key_twin", name: null, redacted_value: "sk-admin-...x9Kp" };
    const verdict = ownAdminKeyVerdict(twin, OWN, [own, other, twin]);
    expect(verdict).toEqual({
      safe: false,
      reason:
        'admin key key_twin (sk-admin-...x9Kp) and "keywarden" (key_own, sk-admin-...x9Kp) end like the key Keywarden runs with (OPENAI_ADMIN_KEY): Keywarden cannot tell which one it is, so it deletes none of them',
    });
    expect(ownAdminKeyVerdict(own, OWN, [own, other, twin])).toMatchObject({ safe: false });
    expect(ownAdminKeyVerdict(other, OWN, [own, other, twin])).toEqual({ safe: true });
  });

  it("refuses when the target's redacted value cannot be read", () => {
    const unreadable = { id: "key_u", name: null, redacted_value: "hidden" };
    expect(ownAdminKeyVerdict(unreadable, OWN, [own, unreadable])).toEqual({
      safe: false,
      reason: "the redacted value of admin key key_u (hidden) cannot be read (expected e.g. sk-admin-...x9Kp), so Keywarden cannot tell whether it is the key it runs with",
    });
  });

  it("refuses when the configured key is missing or unreadable", () => {
    for (const configured of [undefined, null, "", "sk admin"]) {
      expect(ownAdminKeyVerdict(other, configured, [own, other]), String(configured)).toEqual({
        safe: false,
        reason: 'the admin key Keywarden runs with (OPENAI_ADMIN_KEY) is not set or cannot be read, so Keywarden cannot tell whether admin key "ops" (key_other, sk-admin-...Ab1c) is that key',
      });
    }
  });

  it("works from the configured key's redacted value or last characters too", () => {
    for (const configured of ["sk-admin-...x9Kp", "x9Kp", "9Kp"]) {
      expect(ownAdminKeyVerdict(own, configured, [own, other]).safe, configured).toBe(false);
      expect(ownAdminKeyVerdict(other, configured, [own, other]).safe, configured).toBe(true);
    }
  });

  it("never shows the configured key, even when the API's redacted value is the full key", () => {
    const leaky = { id: "key_leak", name: OWN, redacted_value: OWN };
    const verdict = ownAdminKeyVerdict(leaky, OWN, [leaky]);
    expect(verdict.safe).toBe(false);
    expect(JSON.stringify(verdict)).not.toContain("QQQQ");
  });
});

const keyChar = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
const keyBody = (min: number, max: number) => fc.array(keyChar, { minLength: min, maxLength: max }).map((chars) => chars.join(""));
const adminKeyRecord = fc.record({
  id: keyBody(3, 12).map((s) => `key_${s}`),
  name: fc.option(fc.string(), { nil: null }),
  redacted_value: fc.oneof(
    fc.tuple(fc.constantFrom("sk-admin-", "sk-admin", ""), fc.constantFrom("...", "…"), keyBody(3, 8)).map((parts) => parts.join("")),
    fc.string(),
  ),
});

describe("properties of the own admin key guard", () => {
  it("never allows deleting a key whose redacted end matches the configured key, however it is spelled and whatever else is listed", () => {
    fc.assert(
      fc.property(
        keyBody(20, 60),
        fc.integer({ min: 3, max: 8 }),
        fc.constantFrom("sk-admin-", "sk-admin", "sk-", ""),
        fc.constantFrom("...", "…"),
        fc.boolean(),
        fc.array(adminKeyRecord, { maxLength: 5 }),
        fc.constantFrom<"full" | "redacted" | "last4">("full", "redacted", "last4"),
        (body, shown, prefix, ellipsis, upper, others, spelling) => {
          const secret = `sk-admin-${body}`;
          const end = secret.slice(-shown);
          const target = { id: "key_target", name: null, redacted_value: `${prefix}${ellipsis}${upper ? end.toUpperCase() : end}` };
          const configured = spelling === "full" ? secret : spelling === "redacted" ? `sk-admin-...${secret.slice(-4)}` : secret.slice(-4);
          const verdict = ownAdminKeyVerdict(target, configured, [...others, target]);
          expect(verdict.safe).toBe(false);
          if (!verdict.safe) expect(verdict.reason).not.toContain(secret);
        },
      ),
    );
  });

  it("allows a key whose readable redacted end differs from the configured key's, and refuses any it cannot read", () => {
    fc.assert(
      fc.property(keyBody(20, 60), adminKeyRecord, fc.array(adminKeyRecord, { maxLength: 5 }), (body, target, others) => {
        const secret = `sk-admin-${body}`;
        const suffix = redactedSuffix(target.redacted_value);
        const verdict = ownAdminKeyVerdict(target, secret, [...others, target]);
        if (suffix === null) expect(verdict.safe).toBe(false);
        else expect(verdict.safe).toBe(!tailsMatch(secret, suffix));
        if (!verdict.safe) expect(verdict.reason).not.toContain(secret);
      }),
    );
  });
});
