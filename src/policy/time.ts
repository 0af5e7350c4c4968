import type { KeyRecord } from "../model/inventory.js";

export const MS_PER_DAY = 86_400_000;

/** A key's timestamps parsed once (epoch ms), so rules do not re-parse ISO strings per check. */
export interface KeyTimes {
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
}

export type DateField = keyof KeyTimes;

export function keyTimes(key: KeyRecord): KeyTimes {
  return {
    created_at: Date.parse(key.created_at),
    last_used_at: key.last_used_at === null ? null : Date.parse(key.last_used_at),
    expires_at: key.expires_at === null ? null : Date.parse(key.expires_at),
  };
}

/** `2026-07-03`, or the raw text when it was not a date (so a sentence still shows what was there). */
export function isoDay(ms: number, raw: string): string {
  return Number.isNaN(ms) ? raw : new Date(ms).toISOString().slice(0, 10);
}

export function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? "" : "s"}`;
}

export type AgoSentence = (thenMs: number, raw: string, nowMs: number) => string;

const CACHE_LIMIT = 20_000;
const DAY_SLOTS = 2 ** 22;

/**
 * Builds sentences like "last used 143 days ago, on 2026-07-03" from (whole days ago, ISO day).
 * Many keys share both numbers, so each distinct sentence is built once and the string shared:
 * 100,000 findings then cost one string per distinct day, not one per finding.
 */
export function agoSentence(render: (daysAgo: number, day: string) => string, unreadable: (raw: string) => string): AgoSentence {
  const cache = new Map<number, string>();
  return (thenMs, raw, nowMs) => {
    if (!Number.isFinite(thenMs)) return unreadable(raw);
    const daysAgo = Math.floor((nowMs - thenMs) / MS_PER_DAY);
    const epochDay = Math.floor(thenMs / MS_PER_DAY);
    const cacheKey = daysAgo * DAY_SLOTS + epochDay;
    let sentence = cache.get(cacheKey);
    if (sentence === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      sentence = render(daysAgo, isoDay(thenMs, raw));
      cache.set(cacheKey, sentence);
    }
    return sentence;
  };
}
