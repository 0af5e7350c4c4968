/**
 * The Worker settings of remediation, read like config.ts reads the others (errors name the
 * setting, never its value); `readConfig` reports their problems with every other setting's.
 *
 * - REMEDIATION: `off` (default: every request is refused), `dry-run` (every guard applies
 *   exactly as with `on`, but the call is only described, never made) or `on`.
 * - REMEDIATION_APPROVALS: how many people must agree, the requester included: 2 by default (the
 *   requester and one approver); 1 (the requester alone) only when set explicitly; at most 5.
 * - REMEDIATION_MAX_PER_DAY: the most actions executed per UTC day across all requests (default 5).
 */
import { z } from "zod";
import { ConfigError } from "../config-error.js";

export const REMEDIATION_MODES = ["off", "dry-run", "on"] as const;
export type RemediationMode = (typeof REMEDIATION_MODES)[number];

export const DEFAULT_REMEDIATION_APPROVALS = 2;
export const MAX_REMEDIATION_APPROVALS = 5;
export const DEFAULT_REMEDIATION_MAX_PER_DAY = 5;
export const MAX_REMEDIATION_PER_DAY = 100;

export interface RemediationSettings {
  mode: RemediationMode;
  /** People who must agree, the requester included (1 = the requester alone). */
  approvals: number;
  /** Most actions executed per UTC day, across all requests. */
  maxPerDay: number;
}

export const DEFAULT_REMEDIATION_SETTINGS: RemediationSettings = {
  mode: "off",
  approvals: DEFAULT_REMEDIATION_APPROVALS,
  maxPerDay: DEFAULT_REMEDIATION_MAX_PER_DAY,
};

const wholeNumber = (min: number, max: number) =>
  z.coerce
    .number({ error: "must be a whole number" })
    .int({ error: "must be a whole number" })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

export const remediationSettingsSchema = z.object({
  REMEDIATION: z.enum(REMEDIATION_MODES, { error: `must be one of ${REMEDIATION_MODES.join(", ")}` }).default("off"),
  REMEDIATION_APPROVALS: wholeNumber(1, MAX_REMEDIATION_APPROVALS).default(DEFAULT_REMEDIATION_APPROVALS),
  REMEDIATION_MAX_PER_DAY: wholeNumber(1, MAX_REMEDIATION_PER_DAY).default(DEFAULT_REMEDIATION_MAX_PER_DAY),
});

/** `env` is the Worker's Env or process.env; an empty value (wrangler.toml's `""`) is unset. Throws ConfigError. */
export function readRemediationSettings(env: object): RemediationSettings {
  const settings = env as Record<string, unknown>;
  const input = Object.fromEntries(
    Object.keys(remediationSettingsSchema.shape).map((name) => {
      const value = settings[name];
      return [name, typeof value === "string" ? (value.trim() === "" ? undefined : value.trim()) : value];
    }),
  );
  const parsed = remediationSettingsSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => ({ setting: issue.path.join("."), problem: issue.message })));
  return { mode: parsed.data.REMEDIATION, approvals: parsed.data.REMEDIATION_APPROVALS, maxPerDay: parsed.data.REMEDIATION_MAX_PER_DAY };
}
