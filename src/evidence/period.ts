/**
 * The period of a `GET /evidence?from=&to=` export: two real calendar days
 * (UTC, both included), `from` not after `to`, at most MAX_PERIOD_DAYS days —
 * one ZIP holds a year of weekly runs, leap year included, and no request
 * reads the whole bucket.
 */
import { parseCalendarDate } from "../util/calendar-date.js";

export const MAX_PERIOD_DAYS = 366;

export interface EvidencePeriod {
  from: string;
  to: string;
  /** Days in the period, both ends included. */
  days: number;
  /**
   * Bounds on run start times, as the run history writes them (`toISOString()`,
   * `2026-11-23T06:00:00.000Z`): a run is in the period when `start <= started_at < end`.
   * `end` is `<to>T24:00:00.000Z`, the end of the day `to` in ISO 8601 (also what
   * SQLite and `Date.parse` read as the next midnight). It sorts after every instant
   * of `to` and before every instant of the next day, and stays four-digit through
   * 9999-12-31 — where "the next day" would be `+010000-01-01`, which sorts first.
   */
  start: string;
  end: string;
}

export type CheckedPeriod = { ok: true; period: EvidencePeriod } | { ok: false; field: "from" | "to"; message: string };

export function checkPeriod(fromText: string, toText: string): CheckedPeriod {
  const from = parseCalendarDate(fromText);
  if (!from.ok) return { ok: false, field: "from", message: from.message };
  const to = parseCalendarDate(toText);
  if (!to.ok) return { ok: false, field: "to", message: to.message };
  if (to.day < from.day) return { ok: false, field: "to", message: `must not be before from (${to.date} is before ${from.date})` };
  const days = to.day - from.day + 1;
  if (days > MAX_PERIOD_DAYS) {
    return {
      ok: false,
      field: "to",
      message: `is too far after from: the period may be at most ${MAX_PERIOD_DAYS} days, and ${from.date} to ${to.date} is ${days} days`,
    };
  }
  return { ok: true, period: { from: from.date, to: to.date, days, start: `${from.date}T00:00:00.000Z`, end: `${to.date}T24:00:00.000Z` } };
}
