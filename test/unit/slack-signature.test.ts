import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifySlackSignature } from "../../src/http/slack-signature.js";
import { timingSafeEqualStrings } from "../../src/util/constant-time.js";

// Slack's worked example: https://docs.slack.dev/authentication/verifying-requests-from-slack
const SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const TIMESTAMP = "1531420618";
const BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const NOW = Number(TIMESTAMP);

const verify = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}) =>
  verifySlackSignature({ signingSecret: SECRET, timestamp: TIMESTAMP, signature: SIGNATURE, rawBody: BODY, nowSeconds: NOW, ...overrides });

const sign = (secret: string, ts: string, body: string) => `v0=${createHmac("sha256", secret).update(`v0:${ts}:${body}`).digest("hex")}`;

describe("verifySlackSignature", () => {
  it("accepts Slack's documented example", async () => {
    expect(await verify()).toEqual({ ok: true });
  });

  it("accepts a timestamp up to 5 minutes away, either way, and refuses one second more", async () => {
    expect(await verify({ nowSeconds: NOW + 300 })).toEqual({ ok: true });
    expect(await verify({ nowSeconds: NOW - 300 })).toEqual({ ok: true });
    expect(await verify({ nowSeconds: NOW + 301 })).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(await verify({ nowSeconds: NOW - 301 })).toEqual({ ok: false, reason: "stale_timestamp" });
  });

  it("refuses a replay with a fresh timestamp but the old signature", async () => {
    const ts = String(NOW + 1000);
    expect(await verify({ timestamp: ts, nowSeconds: NOW + 1000 })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ timestamp: ts, nowSeconds: NOW + 1000, signature: sign(SECRET, ts, BODY) })).toEqual({ ok: true });
  });

  it("refuses an altered body", async () => {
    expect(await verify({ rawBody: BODY.replace("text=", "text=run") })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ rawBody: `${BODY} ` })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses a signature made with another secret, a malformed one, or an empty secret", async () => {
    expect(await verify({ signature: sign("another-secret", TIMESTAMP, BODY) })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ signature: "v0=zz" })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ signature: SIGNATURE.replace("v0=", "v1=") })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ signature: SIGNATURE.toUpperCase() })).toEqual({ ok: false, reason: "bad_signature" });
    expect(await verify({ signingSecret: "", signature: sign("", TIMESTAMP, BODY) })).toEqual({ ok: false, reason: "bad_signature" });
  });

  it("refuses missing headers and a timestamp that is not a number", async () => {
    expect(await verify({ signature: null })).toEqual({ ok: false, reason: "missing_headers" });
    expect(await verify({ signature: "" })).toEqual({ ok: false, reason: "missing_headers" });
    expect(await verify({ timestamp: undefined })).toEqual({ ok: false, reason: "missing_headers" });
    expect(await verify({ timestamp: "1531420618.5" })).toEqual({ ok: false, reason: "stale_timestamp" });
    expect(await verify({ timestamp: "-1" })).toEqual({ ok: false, reason: "stale_timestamp" });
  });
});

describe("timingSafeEqualStrings", () => {
  it("compares whole strings, lengths included", () => {
    expect(timingSafeEqualStrings("v0=abc", "v0=abc")).toBe(true);
    expect(timingSafeEqualStrings("v0=abc", "v0=abd")).toBe(false);
    expect(timingSafeEqualStrings("v0=abc", "v0=ab")).toBe(false);
    expect(timingSafeEqualStrings("", "")).toBe(true);
    expect(timingSafeEqualStrings("é", "e")).toBe(false);
  });
});
