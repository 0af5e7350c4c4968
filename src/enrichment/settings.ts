/**
 * ENRICH: which enrichment sources a run asks for, read like config.ts reads the other settings
 * (errors name the setting, never its value).
 *
 * - unset: all of them (`audit_log,usage,costs`);
 * - a comma-separated list of `audit_log`, `usage`, `costs` (any order, repeats ignored);
 * - `off`, or an empty list (`""`, `" , "`): none; a run then makes no enrichment request.
 */
import { z } from "zod";
import { ConfigError } from "../config-error.js";
import { ENRICH_SOURCES, type EnrichSource } from "../model/enrichment.js";

const sourceSchema = z.enum(ENRICH_SOURCES);

/** `env` is the Worker's Env or process.env. Throws ConfigError naming ENRICH. */
export function readEnrichSettings(env: object): EnrichSource[] {
  const value = (env as Record<string, unknown>)["ENRICH"];
  if (value === undefined || value === null) return [...ENRICH_SOURCES];
  if (typeof value !== "string") throw new ConfigError([{ setting: "ENRICH", problem: "must be a comma-separated list of audit_log, usage, costs, or off" }]);
  const text = value.trim();
  if (text.toLowerCase() === "off") return [];
  const items = text
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
  const problems: { setting: string; problem: string }[] = [];
  const chosen = new Set<EnrichSource>();
  items.forEach((item, index) => {
    const parsed = sourceSchema.safeParse(item);
    if (parsed.success) chosen.add(parsed.data);
    else problems.push({ setting: "ENRICH", problem: `item ${index + 1} is not a source: use audit_log, usage, costs (comma-separated), or off` });
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return ENRICH_SOURCES.filter((source) => chosen.has(source));
}
