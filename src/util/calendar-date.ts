/**
 * Calendar dates written `YYYY-MM-DD` (ISO 8601, four-digit year, proleptic
 * Gregorian calendar, UTC), checked against the calendar itself: `2026-02-29`
 * and `2026-02-30` are not dates, `2024-02-29` is. `Date.parse` is no judge:
 * it rolls 2026-02-30 over to March 2.
 */

export type ParsedCalendarDate =
  /** `day`: days since 1970-01-01 (negative before), so dates compare and subtract as numbers. */
  | { ok: true; date: string; year: number; month: number; dayOfMonth: number; day: number }
  /** `message` reads after the field's name: "from is not a real date: …". */
  | { ok: false; message: string };

const FORMAT = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1..12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/**
 * Days from 1970-01-01 to the date (proleptic Gregorian), without `Date`,
 * whose two-digit years mean 19xx (Howard Hinnant's days_from_civil).
 */
export function dayNumber(year: number, month: number, dayOfMonth: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + dayOfMonth - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

export function parseCalendarDate(text: string): ParsedCalendarDate {
  const match = FORMAT.exec(text);
  if (!match) return { ok: false, message: "must be a date YYYY-MM-DD" };
  const [, yyyy = "", mm = "", dd = ""] = match;
  const year = Number(yyyy);
  const month = Number(mm);
  const dayOfMonth = Number(dd);
  if (month < 1 || month > 12) return { ok: false, message: `is not a real date: ${text} (there is no month ${mm})` };
  const days = daysInMonth(year, month);
  if (dayOfMonth < 1 || dayOfMonth > days) {
    return { ok: false, message: `is not a real date: ${text} (${MONTH_NAMES[month - 1]} ${yyyy} has ${days} days)` };
  }
  return { ok: true, date: text, year, month, dayOfMonth, day: dayNumber(year, month, dayOfMonth) };
}
