import type { SettingsPlace } from "../config.js";

/** A request to this machine (wrangler dev) or to a deployed Worker: which fix a settings problem needs. */
export function settingsPlaceOf(url: string): SettingsPlace {
  const host = new URL(url).hostname;
  return host === "localhost" || host.endsWith(".localhost") || /^127\./.test(host) || host === "[::1]" || host === "0.0.0.0" ? "local" : "deployed";
}
