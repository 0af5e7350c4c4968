/**
 * The deploy steps (README's Deploy section and docs/deploy.md) as far as they can be tried offline:
 * every wrangler command they name exists in this wrangler, with the flags and the number of
 * arguments written (its `--help` says so); the dry run and the `--var` they show work; the manifest
 * command writes the manifest; the retention rules cover the prefixes Keywarden really writes; and the
 * steps come in the order that works.
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { evidencePrefix } from "../../src/evidence/layout.js";
import { importSigningKey } from "../../src/evidence/signing.js";
import { RunWorkFiles } from "../../src/store/work-store.js";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const DEPLOY_SECTION = README.slice(README.indexOf("### Deploy\n"), README.indexOf("\n## Slack\n"));
const GUIDE = readFileSync(join(ROOT, "docs/deploy.md"), "utf8");
const DOCS = { "README.md (Deploy)": DEPLOY_SECTION, "docs/deploy.md": GUIDE };
/** Every document that shows wrangler commands: the whole README and docs/. */
const ALL_DOCS: Record<string, string> = {
  "README.md": README,
  ...Object.fromEntries(readdirSync(join(ROOT, "docs")).filter((name) => name.endsWith(".md")).map((name) => [`docs/${name}`, readFileSync(join(ROOT, "docs", name), "utf8")])),
};

let home: string;
beforeAll(() => {
  home = mkdtempSync(join(tmpdir(), "keywarden-deploy-docs-"));
});
afterAll(() => {
  rmSync(home, { recursive: true, force: true });
});

/** The ```sh blocks of a document, joined. */
function shellCode(doc: string): string {
  return [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]).join("\n");
}

/** Every wrangler command a document shows: the lines of its shell blocks, and the ones it names in `code`. */
function wranglerCommands(doc: string): string[] {
  const inBlocks = shellCode(doc)
    .split("\n")
    .filter((line) => line.includes("npx wrangler "))
    .map((line) => line.slice(line.indexOf("npx wrangler ")).split(/\s(?:&&|\|\||\||;|#)\s|\s+#\s/)[0] ?? "");
  const prose = doc.replace(/^```[\s\S]*?^```$/gm, "");
  const named = [...prose.matchAll(/`((?:npx )?wrangler [^`]+)`/g)].map((m) => m[1] ?? "");
  return [...inBlocks, ...named].map((command) => command.replace(/^npx /, "").trim());
}

interface Help {
  /** `wrangler r2 bucket lock add` */
  path: string[];
  positionals: { name: string; required: boolean; variadic: boolean }[];
  /** Every `--flag` (aliases too): whether it takes no value. */
  flags: Map<string, { boolean: boolean }>;
}

function run(file: string, args: string[], cwd = ROOT): Promise<{ code: number; output: string }> {
  const env = { PATH: process.env.PATH ?? "", HOME: home, XDG_CONFIG_HOME: join(home, ".config"), CI: "true", WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } as unknown as NodeJS.ProcessEnv;
  return new Promise((done) => {
    execFile(file, args, { cwd, env, timeout: 120_000 }, (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` }));
  });
}

/** `wrangler <words> --help`, parsed; null when wrangler knows no such command. */
async function help(words: string[]): Promise<Help | null> {
  const { code, output } = await run(WRANGLER, [...words, "--help"]);
  const usage = output.split("\n")[0] ?? "";
  if (code !== 0 || !usage.startsWith("wrangler ") || /Unknown argument/.test(output)) return null;
  const usageWords = usage.split(/\s+/).slice(1);
  const path = usageWords.filter((word) => /^[a-z][\w-]*$/.test(word));
  const positionals = usageWords
    .filter((word) => /^[<[]/.test(word))
    .map((word) => ({ name: word.replace(/[<>[\].]/g, ""), required: word.startsWith("<"), variadic: word.includes("..") }));
  const flags = new Map<string, { boolean: boolean }>();
  // One entry per flag line and its continuation lines: "  -c, --config  Path …  [string]".
  for (const entry of output.split(/\n(?=\s+(?:-\w, )?--[\w-])/)) {
    const names = /^\s+(?:-\w, )?(--[\w-]+(?:, --[\w-]+)*)/.exec(entry)?.[1];
    if (!names) continue;
    for (const name of names.split(", ")) flags.set(name, { boolean: /\[boolean\]/.test(entry) });
  }
  return { path, positionals, flags };
}

const helps = new Map<string, Promise<Help | null>>();
/** The help of the command `command` runs: everything before its first flag names it (wrangler ignores extra words). */
function helpOf(command: string): Promise<Help | null> {
  const words = command.split(/\s+/).slice(1);
  const firstFlag = words.findIndex((w) => w.startsWith("-"));
  const key = (firstFlag < 0 ? words : words.slice(0, firstFlag)).join(" ");
  if (!helps.has(key)) helps.set(key, help(key.split(" ").filter(Boolean)));
  return helps.get(key) as Promise<Help | null>;
}

/** What is wrong with `command` according to its help; [] when nothing. */
function problems(command: string, h: Help): string[] {
  const words = command.split(/\s+/).slice(1);
  if (words.slice(0, h.path.length).join(" ") !== h.path.join(" ")) return [`is not the command "wrangler ${h.path.join(" ")}" its help describes`];
  const args = words.slice(h.path.length);
  const found: string[] = [];
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (!arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    const name = arg.split("=")[0] as string;
    const flag = h.flags.get(name);
    if (!flag) found.push(`has no option ${name}`);
    else if (!flag.boolean && !arg.includes("=")) {
      if (args[i + 1] === undefined || args[i + 1]?.startsWith("--")) found.push(`${name} needs a value`);
      i++;
    }
  }
  const variadic = h.positionals.some((p) => p.variadic);
  if (!variadic && positionals.length > h.positionals.length) found.push(`takes ${h.positionals.length} arguments (${h.positionals.map((p) => p.name).join(", ")}), not ${positionals.length}: ${positionals.join(" ")}`);
  // A command named bare in the prose ("`wrangler r2 bucket lock remove`") is a name, not a command line.
  const required = h.positionals.filter((p) => p.required).length;
  if (args.length > 0 && positionals.length < required) found.push(`needs ${required} arguments (${h.positionals.map((p) => p.name).join(", ")})`);
  return found;
}

describe("the deploy steps, offline", { timeout: 120_000 }, () => {
  it("every wrangler command of the README and docs/ exists, with the options and arguments its --help describes", async () => {
    const commands = [...new Set(Object.values(ALL_DOCS).flatMap(wranglerCommands))];
    // The commands this test is about are found (the extraction works), and more.
    for (const expected of ["wrangler d1 migrations apply DB --remote", "wrangler r2 bucket lock add keywarden-evidence evidence runs/ --retention-days 400", "wrangler deploy --secrets-file deploy-secrets.json"]) {
      expect(commands).toContain(expected);
    }
    // At most 3 wrangler processes at a time: about 1 s of CPU each, on a shared 2-core machine.
    const keys = [...new Set(commands)];
    for (let i = 0; i < keys.length; i += 3) await Promise.all(keys.slice(i, i + 3).map(helpOf));
    const wrong: string[] = [];
    for (const command of commands) {
      const h = await helpOf(command);
      if (!h) wrong.push(`${command}: wrangler has no such command`);
      else for (const problem of problems(command, h)) wrong.push(`${command}: ${problem}`);
    }
    expect(wrong).toEqual([]);
  });

  it("the checker itself refuses an unknown command, an unknown option, a missing value and an extra argument", async () => {
    const lock = await helpOf("wrangler r2 bucket lock add");
    expect(lock).not.toBeNull();
    expect(problems("wrangler r2 bucket lock add b name runs/ --retention 400", lock as Help)).toContain("has no option --retention");
    expect(problems("wrangler r2 bucket lock add b name runs/ extra --retention-days 400", lock as Help)).toEqual([expect.stringMatching(/^takes 3 arguments/)]);
    expect(problems("wrangler r2 bucket lock add b name runs/ --retention-days", lock as Help)).toEqual(["--retention-days needs a value"]);
    expect(await helpOf("wrangler subdomain")).toBeNull();
  });

  it("the dry run shown deploys nothing, bundles the Worker with its bindings, and --var NAME:VALUE as shown sets the var", async () => {
    const dryRun = wranglerCommands(GUIDE).find((c) => c.startsWith("wrangler deploy --dry-run"));
    const withVar = Object.values(DOCS).flatMap(wranglerCommands).find((c) => /^wrangler deploy --var SLACK_CHANNEL:\S+$/.test(c));
    expect(dryRun).toBeDefined();
    expect(withVar).toBeDefined();
    const out = join(home, "dry-run");
    // The shown command, its --outdir moved out of the repository; the --var one as a dry run.
    const first = await run(WRANGLER, [...(dryRun as string).split(/\s+/).slice(1, -1), out]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain("--dry-run: exiting now.");
    expect(first.output).toMatch(/env\.DB \(keywarden\)\s+D1 Database/);
    expect(first.output).toMatch(/env\.EVIDENCE \(keywarden-evidence\)\s+R2 Bucket/);
    expect(first.output).toMatch(/env\.SLACK_CHANNEL \(""\)/);
    const second = await run(WRANGLER, [...(withVar as string).split(/\s+/).slice(1), "--dry-run", "--outdir", out]);
    expect(second.code, second.output).toBe(0);
    // wrangler hides a --var's value; what matters is that wrangler.toml's empty one is replaced
    // (written NAME=VALUE instead, it would be ignored without a word).
    expect(second.output).toMatch(/env\.SLACK_CHANNEL \("\(hidden\)"\)/);
  });

  it("the secrets files are written as shown, readable by you alone, with every required secret (Slack off) and then Slack's two; wrangler reads them", async () => {
    const required = JSON.parse(/^required = (\[.*\])$/m.exec(readFileSync(join(ROOT, "wrangler.toml"), "utf8"))?.[1] ?? "[]") as string[];
    expect(required).toContain("SLACK_BOT_TOKEN");
    for (const [doc, text] of Object.entries(DOCS)) {
      const code = shellCode(text).split("\n");
      // The lines that write the file: the openssl lines before the heredoc, the heredoc in its umask 077
      // subshell, up to the first npx command (which needs the network or an account).
      const upTo = (file: string) => {
        let start = code.findIndex((line) => line.includes(`cat > ${file} <<`));
        expect(start, `${doc}: ${file}`).toBeGreaterThanOrEqual(0);
        while (start > 0 && code[start - 1]?.startsWith("openssl ")) start--;
        const end = code.findIndex((line, i) => i > start && line.startsWith("npx "));
        return code.slice(start, end).join("\n");
      };
      const cwd = join(home, doc.replace(/\W+/g, "-"));
      mkdirSync(cwd, { recursive: true });
      for (const [file, names] of [
        ["deploy-secrets.json", required],
        ["slack-secrets.json", ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]],
      ] as const) {
        const shell = await run("bash", ["--norc", "-euc", upTo(file)], cwd);
        expect(shell, `${doc}: ${file}`).toEqual({ code: 0, output: "" });
        expect(statSync(join(cwd, file)).mode & 0o077, `${doc}: ${file} is readable by others`).toBe(0);
        // JSON, which wrangler reads as it is (a dotenv file's values give way to the shell's exports).
        const values = JSON.parse(readFileSync(join(cwd, file), "utf8")) as Record<string, string>;
        expect(Object.keys(values).sort(), `${doc}: ${file}`).toEqual([...names].sort());
        if (file === "deploy-secrets.json") {
          expect([values.SLACK_BOT_TOKEN, values.SLACK_SIGNING_SECRET]).toEqual(["off", "off"]);
          expect(values.AUDIT_API_TOKEN).toMatch(/^[0-9a-f]{64}$/);
          expect((await importSigningKey(values.EVIDENCE_SIGNING_KEY ?? "")).ok, `${doc}: EVIDENCE_SIGNING_KEY`).toBe(true);
        }
      }
    }
    // wrangler parses the file the first deploy reads (a dry run reads --secrets-file too) and lists every secret.
    const dry = await run(WRANGLER, ["deploy", "--dry-run", "--outdir", join(home, "dry-run-secrets"), "--secrets-file", join(home, "docs-deploy-md", "deploy-secrets.json")]);
    expect(dry.code, dry.output).toBe(0);
    for (const name of required) expect(dry.output).toMatch(new RegExp(`env\\.${name} \\("\\(hidden\\)"\\)`));
  });

  it("the manifest command as shown writes a manifest whose every URL is on the Worker's host", async () => {
    for (const [doc, text] of Object.entries(DOCS)) {
      const line = shellCode(text)
        .split("\n")
        .find((l) => l.startsWith("npx keywarden slack-manifest "));
      expect(line, doc).toBeDefined();
      const file = join(home, "slack-manifest.yaml");
      const args = (line as string)
        .replace("<your-subdomain>", "acme")
        .split(/\s+#/)[0]
        ?.trim()
        .split(/\s+/)
        .slice(2)
        .map((arg) => (arg === "slack-manifest.yaml" ? file : arg)) as string[];
      let stderr = "";
      const io: CliIo = { stdout: { write: () => true }, stderr: { write: (t: string) => (stderr += t) }, env: {} };
      expect(await main(args, io), stderr).toBe(0);
      const manifest = parse(readFileSync(file, "utf8")) as { features: { slash_commands: { url: string }[] }; settings: { interactivity: { request_url: string } } };
      expect(manifest.features.slash_commands[0]?.url).toBe("https://keywarden.acme.workers.dev/slack/commands");
      expect(manifest.settings.interactivity.request_url).toBe("https://keywarden.acme.workers.dev/slack/interactions");
    }
  });

  it("the bucket locks cover the evidence Keywarden writes (and the CLI revoke records the README keeps), not its scratch; the lifecycle rule covers the scratch and not the evidence", () => {
    const evidence = evidencePrefix({ id: "run_20261123T060000Z_abc123", started_at: "2026-11-23T06:00:00.000Z" });
    const scratch = new (class extends RunWorkFiles {
      file = this.key("part-0");
    })({} as R2Bucket, "run_20261123T060000Z_abc123").file;
    // Where the README's "Revoking a key" puts a CLI revoke's record: npx wrangler r2 object put keywarden-evidence/<key> …
    const cliRevoke = /npx wrangler r2 object put keywarden-evidence\/(\S+)/.exec(README)?.[1] ?? "";
    expect(cliRevoke).toMatch(/^cli-revokes\//);
    for (const [doc, text] of Object.entries(DOCS)) {
      const args = (verb: string) =>
        wranglerCommands(text)
          .filter((c) => c.startsWith(`wrangler r2 bucket ${verb} add `))
          .map((c) => c.split(/\s+/).slice(5, 8));
      const locks = args("lock");
      const lifecycles = args("lifecycle");
      expect(lifecycles.length, doc).toBe(1);
      expect([...locks, ...lifecycles].map(([bucket]) => bucket)).toEqual([...locks, ...lifecycles].map(() => "keywarden-evidence"));
      const lockPrefixes = locks.map(([, , prefix]) => prefix ?? "");
      const [, , lifecyclePrefix] = lifecycles[0] as string[];
      expect(lockPrefixes.some((prefix) => evidence.startsWith(prefix)), `${doc}: no lock covers ${evidence}`).toBe(true);
      expect(lockPrefixes.filter((prefix) => scratch.startsWith(prefix)), `${doc}: a lock covers the scratch ${scratch}`).toEqual([]);
      expect(lockPrefixes.some((prefix) => cliRevoke.startsWith(prefix)), `${doc}: no lock covers the CLI revoke records the README keeps at ${cliRevoke}`).toBe(true);
      expect(scratch.startsWith(lifecyclePrefix as string), `${doc}: the lifecycle rule misses ${scratch}`).toBe(true);
      expect(evidence.startsWith(lifecyclePrefix as string), `${doc}: the lifecycle rule would expire evidence`).toBe(false);
    }
    const bucket = /bucket_name = "([^"]+)"/.exec(readFileSync(join(ROOT, "wrangler.toml"), "utf8"))?.[1];
    expect(bucket).toBe("keywarden-evidence");
  });

  it("the steps come in the order that works: prerequisites, D1 and R2, migrations, retention, deploy without Slack, the Slack app, the Slack settings, the first run, monitoring", () => {
    const steps = [
      "| Cloudflare **Workers Paid**",
      "npx wrangler d1 create keywarden",
      "npx wrangler r2 bucket create keywarden-evidence",
      "npx wrangler d1 migrations apply DB --remote",
      "npx wrangler r2 bucket lock add",
      "\"SLACK_BOT_TOKEN\": \"off\"",
      "npx wrangler deploy --secrets-file deploy-secrets.json",
      "npx keywarden slack-manifest --url",
      "/invite @Keywarden",
      'SLACK_CHANNEL = "C',
      "npx wrangler deploy --secrets-file slack-secrets.json",
      "curl -X POST",
      "Uptime monitoring",
    ];
    for (const [doc, text] of Object.entries(DOCS)) {
      const at = steps.map((step) => text.indexOf(step));
      expect(steps.filter((_, i) => (at[i] as number) < 0), doc).toEqual([]);
      expect([...at].sort((a, b) => a - b), `${doc}: ${steps.join(" → ")}`).toEqual(at);
    }
  });

  it("the prerequisites say where each Slack value is, and what each OpenAI feature needs", () => {
    for (const [doc, markdown] of Object.entries(DOCS)) {
      const text = markdown.replaceAll("*", "").replace(/\s+/g, " ");
      for (const said of ["Bot User OAuth Token", "OAuth & Permissions", "Signing Secret", "Basic Information → App Credentials", "Channel ID", "audit logging", "no scopes", "REMEDIATION=on", "R2"]) {
        expect(text.includes(said), `${doc} should say ${said}`).toBe(true);
      }
    }
  });
});
