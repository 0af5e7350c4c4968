import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_PERIOD_DAYS, checkPeriod } from "../../src/evidence/period.js";
import { daysInMonth, isLeapYear, parseCalendarDate } from "../../src/util/calendar-date.js";

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const ymd = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;

describe("parseCalendarDate", () => {
  it.each(["2026-01-01", "2026-02-28", "2024-02-29", "2000-02-29", "2026-04-30", "2026-12-31", "9999-12-31", "0001-01-01", "1970-01-01"])("accepts the real date %s", (text) => {
    expect(parseCalendarDate(text)).toMatchObject({ ok: true, date: text });
  });

  it.each([
    ["2026-02-29", "February 2026 has 28 days"],
    ["2026-02-30", "February 2026 has 28 days"],
    ["2024-02-30", "February 2024 has 29 days"],
    ["1900-02-29", "February 1900 has 28 days"],
    ["2100-02-29", "February 2100 has 28 days"],
    ["2026-04-31", "April 2026 has 30 days"],
    ["2026-01-32", "January 2026 has 31 days"],
    ["2026-01-00", "January 2026 has 31 days"],
    ["2026-13-01", "there is no month 13"],
    ["2026-00-10", "there is no month 00"],
  ])("rejects %s, which is not on the calendar (%s)", (text, why) => {
    const parsed = parseCalendarDate(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.message).toBe(`is not a real date: ${text} (${why})`);
  });

  it.each(["", "2026-1-01", "2026-01-1", "26-01-01", "20260101", "2026/01/01", "2026-01-01T00:00:00Z", " 2026-01-01", "2026-01-01 ", "+02026-01-01", "2026-01-01\n", "２０２６-01-01", "abcd-ef-gh"])(
    "rejects %j, which is not written YYYY-MM-DD",
    (text) => {
      expect(parseCalendarDate(text)).toEqual({ ok: false, message: "must be a date YYYY-MM-DD" });
    },
  );

  it("knows the Gregorian leap years", () => {
    expect([1900, 2000, 2023, 2024, 2100, 2400].filter(isLeapYear)).toEqual([2000, 2024, 2400]);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2024, m))).toEqual([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
    expect(daysInMonth(2026, 2)).toBe(28);
  });

  it("agrees with the JavaScript calendar on every YYYY-MM-DD from year 0 to 9999, numbering days like Date does", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const text = ymd(y, m, d);
        const reference = new Date(0);
        reference.setUTCFullYear(y, m - 1, d);
        const real = m >= 1 && m <= 12 && d >= 1 && reference.getUTCFullYear() === y && reference.getUTCMonth() === m - 1 && reference.getUTCDate() === d;
        const parsed = parseCalendarDate(text);
        expect(parsed.ok).toBe(real);
        if (parsed.ok) {
          expect(parsed.day).toBe(reference.getTime() / 86_400_000);
          expect(reference.toISOString().slice(0, 10)).toBe(text);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("checkPeriod (GET /evidence?from=&to=)", () => {
  it("accepts from ≤ to, both days included, up to 366 days", () => {
    expect(MAX_PERIOD_DAYS).toBe(366);
    expect(checkPeriod("2026-03-05", "2026-03-05")).toMatchObject({ ok: true, period: { from: "2026-03-05", to: "2026-03-05", days: 1 } });
    expect(checkPeriod("2024-01-01", "2024-12-31")).toMatchObject({ ok: true, period: { days: 366 } });
    expect(checkPeriod("2025-01-01", "2026-01-01")).toMatchObject({ ok: true, period: { days: 366 } });
    expect(checkPeriod("2026-02-28", "2026-03-01")).toMatchObject({ ok: true, period: { days: 2 } });
    expect(checkPeriod("2024-02-28", "2024-03-01")).toMatchObject({ ok: true, period: { days: 3 } });
    expect(checkPeriod("9999-01-01", "9999-12-31")).toMatchObject({ ok: true, period: { days: 365 } });
  });

  it("refuses a longer period, naming to and the limit", () => {
    expect(checkPeriod("2025-01-01", "2026-01-02")).toEqual({
      ok: false,
      field: "to",
      message: "is too far after from: the period may be at most 366 days, and 2025-01-01 to 2026-01-02 is 367 days",
    });
    expect(checkPeriod("2026-01-01", "9999-12-31")).toMatchObject({ ok: false, field: "to", message: expect.stringContaining("the period may be at most 366 days") });
  });

  it("refuses to before from, comparing dates across months and years", () => {
    expect(checkPeriod("2026-12-02", "2026-12-01")).toEqual({ ok: false, field: "to", message: "must not be before from (2026-12-01 is before 2026-12-02)" });
    expect(checkPeriod("2027-01-01", "2026-12-31")).toMatchObject({ ok: false, field: "to" });
  });

  it("names the field holding a date that is not real, from first", () => {
    expect(checkPeriod("2026-02-30", "2026-02-31")).toEqual({ ok: false, field: "from", message: "is not a real date: 2026-02-30 (February 2026 has 28 days)" });
    expect(checkPeriod("2026-02-01", "2026-02-29")).toEqual({ ok: false, field: "to", message: "is not a real date: 2026-02-29 (February 2026 has 28 days)" });
    expect(checkPeriod("yesterday", "2026-02-01")).toEqual({ ok: false, field: "from", message: "must be a date YYYY-MM-DD" });
  });

  it("bounds exactly the instants of the period's days, as run start times are written (toISOString), up to the last day of year 9999", () => {
    const MIN = new Date("0000-01-01T00:00:00.000Z").getTime();
    const MAX = new Date("9999-12-31T23:59:59.999Z").getTime();
    fc.assert(
      fc.property(
        fc.integer({ min: MIN, max: MAX }),
        fc.integer({ min: MIN, max: MAX }),
        fc.integer({ min: 0, max: MAX_PERIOD_DAYS - 1 }),
        fc.integer({ min: -2, max: 2 }),
        (fromMs, instantMs, length, nudge) => {
          const from = new Date(fromMs).toISOString().slice(0, 10);
          const fromDay = Math.floor(fromMs / 86_400_000);
          const toDate = new Date((fromDay + length) * 86_400_000);
          if (toDate.getTime() > MAX) return;
          const to = toDate.toISOString().slice(0, 10);
          const checked = checkPeriod(from, to);
          if (!checked.ok) throw new Error(checked.message);
          // An arbitrary instant, and instants right at the edges of the period.
          for (const ms of [instantMs, fromDay * 86_400_000 + nudge, (fromDay + length + 1) * 86_400_000 + nudge]) {
            if (ms < MIN || ms > MAX) continue;
            const startedAt = new Date(ms).toISOString();
            const day = Math.floor(ms / 86_400_000);
            const inPeriod = day >= fromDay && day <= fromDay + length;
            const selected = startedAt >= checked.period.start && startedAt < checked.period.end;
            expect(selected, `${startedAt} in ${from}..${to}`).toBe(inPeriod);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("keeps a run at the very end of 9999-12-31 inside a period ending that day", () => {
    const checked = checkPeriod("9999-12-01", "9999-12-31");
    if (!checked.ok) throw new Error(checked.message);
    expect("9999-12-31T23:59:59.999Z" < checked.period.end).toBe(true);
    expect("9999-12-01T00:00:00.000Z" >= checked.period.start).toBe(true);
    expect("9999-11-30T23:59:59.999Z" < checked.period.start).toBe(true);
  });
});
