/**
 * "A reason of at least 10 characters" counts what a reader sees: spaces and invisible format
 * characters (zero-width spaces, joiners, byte-order marks) do not make a reason, in either form.
 */
import { describe, expect, it } from "vitest";
import { REASON_BLOCK as REVOKE_REASON_BLOCK } from "../../src/decide/form.js";
import { readAcceptanceForm } from "../../src/decide/accept-risk.js";
import { EXPIRES_BLOCK, REASON_BLOCK } from "../../src/decide/form.js";
import { submitRevoke } from "../../src/decide/revoke-request.js";

const NOW = new Date("2026-11-26T12:00:00Z");
const EMPTY_LOOKING: [string, string][] = [
  ["ten spaces", "          "],
  ["ten zero-width spaces", "\u200b".repeat(10)],
  ["spaces, joiners, a byte-order mark, tabs and line breaks", "\u200b \u200c\u200d\u2060\ufeff\u00a0\u3000\t\n\u180e\u2028"],
  ["spaces between zero-width spaces", " \u200b".repeat(6)],
  ["Hangul fillers and blank Braille", "\u3164\uffa0\u115f\u1160\u2800".repeat(2)],
  ["combining marks and variation selectors alone", "\u034f\ufe0f\u0300\u20dd\u0301".repeat(2)],
  ["private-use and unassigned code points", "\ue000\u2065\uf8ff\u{10ffff}\u0378".repeat(2)],
];

describe("a reason's length is what a reader sees", () => {
  it.each(EMPTY_LOOKING)("the Accept-risk form refuses %s", (_, reason) => {
    const form = readAcceptanceForm({ [REASON_BLOCK]: { value: { value: reason } }, [EXPIRES_BLOCK]: { value: { selected_date: "2026-12-01" } } }, NOW, 90);
    expect(form).toEqual({ ok: false, errors: { [REASON_BLOCK]: expect.stringContaining("at least 10") } });
  });

  it("the Accept-risk form counts visible characters, not spaces between them", () => {
    const values = (reason: string) => ({ [REASON_BLOCK]: { value: { value: reason } }, [EXPIRES_BLOCK]: { value: { selected_date: "2026-12-01" } } });
    expect(readAcceptanceForm(values("a b c d e f g h i"), NOW, 90)).toMatchObject({ ok: false });
    expect(readAcceptanceForm(values("\u200bmigration\u200b"), NOW, 90)).toMatchObject({ ok: false });
    expect(readAcceptanceForm(values("migrations"), NOW, 90)).toMatchObject({ ok: true, input: { reason: "migrations" } });
    expect(readAcceptanceForm(values("ключ в работе"), NOW, 90)).toMatchObject({ ok: true });
    // Accented letters written with combining marks still count once each.
    expect(readAcceptanceForm(values("re\u0301sume\u0301 okay"), NOW, 90)).toMatchObject({ ok: true });
  });

  it.each(EMPTY_LOOKING)("the Revoke form refuses %s before anything is read or requested", async (_, reason) => {
    // Refused before the D1 or the Admin API is touched: neither exists here.
    const outcome = await submitRevoke({} as never, { id: "U_ALLOWED", name: "allowed" }, JSON.stringify({ f: "fp", r: "run_x", k: {} }), {
      [REVOKE_REASON_BLOCK]: { value: { value: reason } },
    });
    expect(outcome).toEqual({ ok: false, errors: { [REVOKE_REASON_BLOCK]: expect.stringContaining("at least 10") } });
  });
});
