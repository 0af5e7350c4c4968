import { NO_ADMIN_KEY } from "./audit-command.js";
import { parseArgs } from "node:util";
import { ConfigError, readConfig, readEnrichSettings } from "../config.js";
import type { RunFinding } from "../model/run.js";
import type { WatchFiring } from "../model/watch.js";
import { checkPolicy } from "../policy/check.js";
import { printableLine } from "../report/text.js";
import { redact } from "../util/redact.js";
import { fireWatch } from "../watch/fire.js";
import { MemoryWatchState } from "../watch/memory-state.js";
import type { WatchKnowledge } from "../watch/ports.js";
import { readPolicySource, runJson } from "./audit-command.js";
import { type CliIo, processIo } from "./io.js";

export const WATCH_USAGE = `usage: keywarden watch [--since DURATION] [--policy FILE] [--json]

  What the Worker's hourly watch does, from a laptop: finds the API keys created or
  changed in the last DURATION and judges just those keys against a policy, without
  an inventory, without Slack and without the Worker's state. OpenAI through its
  audit log (audit logging must be on in the organization: export OPENAI_ADMIN_KEY,
  OPENAI_BASE_URL for another endpoint such as keywarden sim's); Anthropic, with
  many accounts configured, through its key list (the keys created since then).
  --since DURATION  how far back: 30m, 1h, 6h, 2d (default 1h)
  --policy FILE     the policy to apply (default: Keywarden's policies/<POLICY>.yaml)
  --json            print the firing and its findings as JSON (default: readable text)
  Exit 0: nothing new breaks the policy; 1: new findings; 2: an account could not be
  watched fully (its audit log off or refused, a request failed, or an event or a key it
  names could not be read: partial), or the command line is wrong.
`;


/** `30m`, `1h`, `2d`: milliseconds, or null for anything else. */
export function parseDuration(text: string): number | null {
  const match = /^(\d{1,4})(m|h|d)$/.exec(text.trim());
  if (!match) return null;
  const n = Number(match[1]);
  const unit = { m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as "m" | "h" | "d"];
  return n > 0 ? n * unit : null;
}

/** A laptop keeps no state (every account starts at `--since`), was told nothing before, and accepted no risk in Slack. */
const NOTHING_KNOWN: WatchKnowledge = { lastCompleteRunStart: async () => null, told: async () => new Set(), accepted: async () => [] };

export async function watchCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`keywarden watch: ${message.split("\n").map(printableLine).join("\n")}\n`);
    return 2;
  };
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: { since: { type: "string", default: "1h" }, policy: { type: "string" }, json: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    return fail(`${(error as Error).message} (keywarden watch --help lists the options)`);
  }
  if (args.values.help) {
    io.stdout.write(WATCH_USAGE);
    return 0;
  }
  const sinceMs = parseDuration(args.values.since);
  if (sinceMs === null) return fail(`--since must be a duration such as 30m, 1h or 2d (got "${args.values.since}")`);
  if (!io.env.OPENAI_ADMIN_KEY && !io.env.ACCOUNTS && !io.env.ANTHROPIC_ADMIN_KEY) return fail(NO_ADMIN_KEY);
  let config;
  let enrich;
  try {
    // Only the settings the watch uses: a laptop's other variables (Slack tokens…) are not its business.
    const names = ["OPENAI_ADMIN_KEY", "OPENAI_BASE_URL", "ANTHROPIC_ADMIN_KEY", "ANTHROPIC_BASE_URL", "ACCOUNTS", "POLICY", ...accountSecrets(io.env.ACCOUNTS)];
    config = readConfig(Object.fromEntries(names.map((name) => [name, io.env[name]])), "cli");
    enrich = readEnrichSettings({ ENRICH: io.env.ENRICH });
  } catch (error) {
    if (error instanceof ConfigError) return fail(error.at("cli").problems.join("\n"));
    throw error;
  }
  let checked;
  try {
    checked = checkPolicy(readPolicySource(args.values.policy, config.policy));
  } catch (error) {
    return fail((error as Error).message);
  }
  if (!checked.ok) return fail(`policy ${checked.ref.file} is invalid:\n${checked.details.join("\n")}`);

  const now = new Date();
  const { firing, findings } = await fireWatch({
    settings: { ...config, enrich, policy: checked.ref.name },
    policy: checked.policy,
    state: new MemoryWatchState(),
    knowledge: NOTHING_KNOWN,
    notifier: null,
    since: new Date(now.getTime() - sinceMs),
    // A laptop is no Worker invocation: no subrequest limit to stay within.
    limits: { auditLogPages: 50, keys: 1_000 },
    now: () => new Date(),
  });
  io.stdout.write(args.values.json ? runJson({ firing, findings } as never, config.secrets) : redact(watchText(firing, findings, args.values.since), config.secrets));
  if (firing.accounts.some((a) => a.status !== "watched")) return 2;
  return findings.length > 0 ? 1 : 0;
}

/** The secrets ACCOUNTS names, read loosely (readConfig reports what is wrong with ACCOUNTS itself). */
function accountSecrets(accounts: string | undefined): string[] {
  try {
    const list: unknown = JSON.parse(accounts ?? "[]");
    return Array.isArray(list) ? list.map((entry) => (entry as { admin_key_secret?: unknown } | null)?.admin_key_secret).filter((name): name is string => typeof name === "string") : [];
  } catch {
    return [];
  }
}

/** The firing in words: each account, then each new finding. Every line printable (names come from the API). */
export function watchText(firing: WatchFiring, findings: readonly RunFinding[], since: string): string {
  const lines = [`Keywarden watch ${firing.id}: keys created or changed in the last ${since} (policy ${firing.policy})`];
  for (const a of firing.accounts) {
    const how = a.method === "audit_log" ? `${a.changes_read} audit-log event(s)` : `${a.changes_read} key(s) listed`;
    lines.push(`${a.status === "watched" ? "✔" : "⚠"} ${a.account} (${a.provider}): ${a.status}; ${how}, ${a.keys_seen} key(s) read, ${a.findings.length} new finding(s); ${a.requests} request(s)`);
    if (a.note) lines.push(`    ${a.note}`);
  }
  lines.push(findings.length === 0 ? "No new finding." : `${findings.length} new finding(s):`);
  for (const f of findings) {
    const key = f.key.name ? `"${f.key.name}" (${f.key.id})` : f.key.id;
    lines.push(`  ${f.severity.toUpperCase()} ${f.rule_id}: key ${key}${f.project ? ` in project ${f.project.name ?? f.project.id}` : ""}: ${f.sentence}`);
  }
  return `${lines.map(printableLine).join("\n")}\n`;
}
