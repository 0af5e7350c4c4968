import type { KeyRecord } from "../model/inventory.js";
import { USAGE_WINDOW_DAYS } from "../model/enrichment.js";

/** A key as the run holds it, or as findings.json records it. */
type Enriched = { kind?: string | null; created_by?: { display: string } | null } & Pick<KeyRecord, "requests_30d" | "spend_30d_usd">;

/**
 * What the enrichment knows about a key, in one line for a finding:
 * `created by alice@example.com · 1,234 requests, spent $123.45 in 30 days`. Unknown facts are
 * left out (the run says once which source was unavailable), and so are an admin key's requests and
 * spend (always none: admin keys cannot call models); null when nothing is known.
 */
export function enrichmentSummary(key: Enriched): string | null {
  const parts: string[] = [];
  if (key.created_by) parts.push(`created by ${key.created_by.display}`);
  const use: string[] = [];
  if (key.kind === "admin") return parts.length > 0 ? parts.join(" · ") : null;
  if (typeof key.requests_30d === "number") use.push(`${formatCount(key.requests_30d)} ${key.requests_30d === 1 ? "request" : "requests"}`);
  if (typeof key.spend_30d_usd === "number") use.push(`spent ${formatUsd(key.spend_30d_usd)}`);
  if (use.length > 0) parts.push(`${use.join(", ")} in ${USAGE_WINDOW_DAYS} days`);
  return parts.length > 0 ? parts.join(" · ") : null;
}

/** 1234567 → `1,234,567`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Dollars to the cent (`$1,234.50`); a spend above zero that rounds to nothing is `<$0.01`, not `$0.00`. */
export function formatUsd(value: number): string {
  if (value > 0 && value < 0.005) return "<$0.01";
  const sign = value < 0 ? "-" : "";
  return `${sign}$${Math.abs(value).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}
