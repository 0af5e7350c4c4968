/**
 * `keywarden slack-manifest --url https://HOST [--out FILE]`: Keywarden's Slack app manifest
 * (slack-app-manifest.yaml, shipped with the package) with every URL on the deployed Worker's host,
 * ready to paste at api.slack.com/apps → Create New App → From a manifest. Nobody edits YAML by hand.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse } from "yaml";
import type { CliIo } from "./io.js";
import { keywardenRoot } from "./keywarden-root.js";
import { PLACEHOLDER_HOST, parseWorkerUrl } from "./worker-url.js";

export const EXIT_WRITTEN = 0;
export const EXIT_USAGE = 2;

export const SLACK_MANIFEST_USAGE = `usage: keywarden slack-manifest --url https://HOST [--out FILE]

  Prints Keywarden's Slack app manifest with the /keywarden command and the
  interactivity URL on your deployed Worker (HOST: what wrangler deploy printed,
  e.g. keywarden.<your-subdomain>.workers.dev, or your custom domain), or writes
  it to FILE with --out. Paste it at https://api.slack.com/apps: Create New App
  → From a manifest. The URL must be https with a host and nothing after it.
  Exit 0: printed or written; 2: a wrong URL or command line, or FILE not writable.
`;

export function slackManifestCommand(argv: string[], io: CliIo): number {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { url: { type: "string" }, out: { type: "string" }, help: { type: "boolean", short: "h", default: false } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    return usageError(io, (error as Error).message);
  }
  if (args.values.help) {
    io.stdout.write(SLACK_MANIFEST_USAGE);
    return EXIT_WRITTEN;
  }
  if (args.values.url === undefined) return usageError(io, "give the Worker's URL with --url https://HOST");
  const url = parseWorkerUrl(args.values.url);
  if (!url.ok) return usageError(io, `--url: ${url.message}`);
  const manifest = renderSlackManifest(readFileSync(join(keywardenRoot(), "slack-app-manifest.yaml"), "utf8"), url.origin);
  const out = args.values.out;
  if (out === undefined) {
    io.stdout.write(manifest);
    return EXIT_WRITTEN;
  }
  try {
    writeFileSync(out, manifest);
  } catch (error) {
    io.stderr.write(`keywarden slack-manifest: cannot write ${out}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`);
    return EXIT_USAGE;
  }
  io.stdout.write(`wrote ${out}: paste it at https://api.slack.com/apps → Create New App → From a manifest\n`);
  return EXIT_WRITTEN;
}

/**
 * The manifest template with its placeholder host replaced by `origin`, the template's opening comment
 * (how to edit it by hand) replaced by where this one came from. Throws when a URL of the result is
 * not on `origin`: a template URL this does not know would otherwise reach Slack unchanged.
 */
export function renderSlackManifest(template: string, origin: string): string {
  const lines = template.split("\n");
  const firstContent = lines.findIndex((line) => !line.startsWith("#"));
  const body = lines.slice(firstContent).join("\n").replaceAll(`https://${PLACEHOLDER_HOST}/`, `${origin}/`);
  const urls = stringsIn(parse(body)).filter((value) => /^[a-z]+:\/\//i.test(value));
  const elsewhere = urls.filter((value) => !value.startsWith(`${origin}/`));
  if (urls.length === 0 || elsewhere.length > 0) throw new Error(`slack-app-manifest.yaml has URLs not on the placeholder host ${PLACEHOLDER_HOST}: ${elsewhere.join(", ") || "none at all"}`);
  return `# Keywarden's Slack app, for the Worker at ${origin} (written by keywarden slack-manifest).\n# Paste it at https://api.slack.com/apps: Create New App → From a manifest.\n${body}`;
}

function stringsIn(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(stringsIn);
  if (value !== null && typeof value === "object") return Object.values(value).flatMap(stringsIn);
  return [];
}

function usageError(io: CliIo, message: string): number {
  io.stderr.write(`keywarden slack-manifest: ${message}\n${SLACK_MANIFEST_USAGE}`);
  return EXIT_USAGE;
}
