import { z } from "zod";

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION = /^(\d+)([smhdw])$/;

/** "90d", "12h", "2w" (units s, m, h, d, w). */
export const durationSchema = z
  .string()
  .regex(DURATION, { error: 'expected a duration like "90d", "12h" or "2w" (units: s, m, h, d, w)' })
  .meta({ description: 'A duration: an integer and a unit (s, m, h, d, w), e.g. "90d".' });

export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

export const daysSchema = z
  .number({ error: "expected a whole number of days, like 90" })
  .int({ error: "expected a whole number of days, like 90" })
  .positive({ error: "days must be at least 1" });
