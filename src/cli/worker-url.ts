/**
 * The Worker's public URL as a deployer types it (`https://keywarden.<subdomain>.workers.dev`, or a
 * custom domain), checked for what Slack's manifest needs: https, a host, nothing after it.
 */
export type WorkerUrl = { ok: true; origin: string } | { ok: false; message: string };

const EXAMPLE = "https://keywarden.<your-subdomain>.workers.dev";
/** The placeholder host slack-app-manifest.yaml ships with. */
export const PLACEHOLDER_HOST = "keywarden.example.workers.dev";

export function parseWorkerUrl(text: string): WorkerUrl {
  const given = text.trim();
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    const hint = /^[a-z0-9.-]+\.[a-z]{2,}(\/.*)?$/i.test(given) ? ` (did you mean https://${given}?)` : "";
    return { ok: false, message: `"${given}" is not a URL${hint}: give the Worker's URL, e.g. ${EXAMPLE}` };
  }
  if (url.protocol !== "https:") return { ok: false, message: `${url.protocol.replace(/:$/, "")} is not allowed: Slack sends commands only to https URLs (${EXAMPLE})` };
  if (url.username || url.password) return { ok: false, message: "the URL has a user or password: give only https://HOST" };
  if (!url.hostname.includes(".")) return { ok: false, message: `"${url.hostname}" is not a public host name: Slack must reach it, e.g. ${EXAMPLE}` };
  if (url.hostname === PLACEHOLDER_HOST) return { ok: false, message: `${PLACEHOLDER_HOST} is the manifest's placeholder: give your Worker's host (wrangler deploy prints it)` };
  if (url.pathname !== "/") return { ok: false, message: `the URL has a path (${url.pathname}): give only https://HOST, the manifest adds /slack/commands and /slack/interactions` };
  if (url.search || given.includes("?")) return { ok: false, message: `the URL has a query (${url.search || "?"}): give only https://HOST` };
  if (url.hash || given.includes("#")) return { ok: false, message: `the URL has a fragment (${url.hash || "#"}): give only https://HOST` };
  return { ok: true, origin: url.origin };
}
