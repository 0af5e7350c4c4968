/**
 * Local settings work as documented: every setting the README names, put in `.dev.vars`, reaches the
 * Worker under plain `wrangler dev` (wrangler loads from .dev.vars only names listed in `[vars]` or
 * `[secrets] required`; anything else is dropped without a word).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { workerSettingNames } from "../../scripts/dev-env.js";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { derivePublicKey } from "../../src/evidence/signing.js";
import { sampleAnthropicOrg } from "../../src/sim/anthropic/sample-org.js";
import { type AnthropicSimulator, startAnthropicSimulator } from "../../src/sim/anthropic/server.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";
import { type FakeSlack, startFakeSlack } from "../../src/sim/slack-server.js";
import { freePorts } from "../support/free-port.js";

const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");

/** The settings table of the README: the names a user is told to set. */
function readmeSettings(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const table = readme.slice(readme.indexOf("### Settings"));
  return [...table.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1] as string);
}

/** The names wrangler.toml declares: keys of `[vars]` and `[secrets] required`. */
function declaredInWranglerToml(): Set<string> {
  return new Set(workerSettingNames(readFileSync(join(ROOT, "wrangler.toml"), "utf8")));
}

describe("settings", () => {
  it("every setting the README names is declared in wrangler.toml, so wrangler dev loads it from .dev.vars", () => {
    const declared = declaredInWranglerToml();
    const settings = readmeSettings();
    expect(settings.length).toBeGreaterThan(10);
    expect(settings.filter((name) => !declared.has(name))).toEqual([]);
  });

  it(".dev.vars.example names every setting of the README, and nothing wrangler.toml does not declare", () => {
    const example = readFileSync(join(ROOT, ".dev.vars.example"), "utf8");
    const names = [...example.matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1] as string);
    expect([...names].sort()).toEqual([...readmeSettings()].sort());
    const declared = declaredInWranglerToml();
    expect(names.filter((name) => !declared.has(name))).toEqual([]);
  });
});

const ADMIN_KEY = "sk-admin-fake-local-settings-000000000";
const ANTHROPIC_KEY = "sk-ant-admin01-fake-local-settings-00000000";
const API_TOKEN = "local-settings-api-token-0123456789";
const SIGNING_SECRET = "local-settings-signing-secret-abcdef";
// A throwaway Ed25519 key (PKCS#8, base64) made for tests only (the same one vitest.config.ts uses).
const EVIDENCE_KEY = "MC4CAQAwBQYDK2VwBCIEIAecrjG339RbfXFrvHXf0UlpANJpoyzF4+LtXB1Ju3Tn";

/**
 * Polls /healthz until the Worker answers it (its JSON, not whatever else holds the port); false when
 * wrangler exited, said the address is in use, or the deadline passed.
 */
async function ready(child: ChildProcess, deadline: number, output: () => string): Promise<boolean> {
  for (;;) {
    const answered = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
      async (r) => {
        const body = (await r.json().catch(() => null)) as { ok?: unknown } | null;
        return body !== null && typeof body === "object" && "ok" in body;
      },
      () => false,
    );
    if (answered) return true;
    if (child.exitCode !== null || output().includes("Address already in use") || Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // Already gone.
  }
  await exited;
}

let base: string;

/**
 * Plain `wrangler dev` in `dir` with `values` as its .dev.vars and the repository's wrangler.toml (the
 * two paths relative to it made absolute, then `edit`ed), its local D1 migrated; `base` is then its
 * address. `onOutput` is told everything it printed so far.
 */
async function bootWranglerDev(dir: string, values: Record<string, string>, onOutput: (output: string) => void, edit: (toml: string) => string = (toml) => toml): Promise<ChildProcess> {
  // A value with double quotes (ACCOUNTS' JSON) in single quotes, as the README says: dotenv keeps \" in double quotes as it is.
  const quoted = (v: string) => (v.includes('"') && !v.includes("'") ? `'${v}'` : JSON.stringify(v));
  writeFileSync(join(dir, ".dev.vars"), Object.entries(values).map(([k, v]) => `${k}=${quoted(v)}`).join("\n"));
  // The repository's wrangler.toml, byte for byte, except the two paths that are relative to it.
  const toml = readFileSync(join(ROOT, "wrangler.toml"), "utf8")
    .replace(/^main = "src\/index.ts"$/m, `main = ${JSON.stringify(join(ROOT, "src/index.ts"))}`)
    .replace(/^migrations_dir = "migrations"$/m, `migrations_dir = ${JSON.stringify(join(ROOT, "migrations"))}`);
  writeFileSync(join(dir, "wrangler.toml"), edit(toml));
  const childEnv = { PATH: process.env.PATH ?? "", HOME: dir, CI: "true", WRANGLER_SEND_METRICS: "false", XDG_CONFIG_HOME: join(dir, ".config") } as unknown as NodeJS.ProcessEnv;
  const migrate = spawnSync(WRANGLER, ["d1", "migrations", "apply", "DB", "--local", "--config", join(dir, "wrangler.toml"), "--persist-to", join(dir, "state")], {
    env: childEnv,
    encoding: "utf8",
  });
  if (migrate.status !== 0) throw new Error(`migrations failed: ${migrate.stderr}${migrate.stdout}`);
  // A port named before wrangler binds it can be taken meanwhile by another test file's server (or
  // wrangler's own internal sockets can collide): "Address already in use" is tried again with new ports.
  for (let attempt = 1; ; attempt++) {
    const [port, inspectorPort] = (await freePorts(2)) as [number, number];
    base = `http://127.0.0.1:${port}`;
    let output = "";
    onOutput(output);
    const child = spawn(
      WRANGLER,
      ["dev", "--config", join(dir, "wrangler.toml"), "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(inspectorPort), "--persist-to", join(dir, "state")],
      { env: childEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (chunk) => onOutput((output += chunk)));
    child.stderr?.on("data", (chunk) => onOutput((output += chunk)));
    if (await ready(child, Date.now() + 90_000, () => output)) return child;
    await stop(child);
    if (attempt >= 3 || !output.includes("Address already in use")) throw new Error(`wrangler dev did not start:\n${output}`);
  }
}

describe("plain `wrangler dev` with every setting in .dev.vars", { timeout: 180_000 }, () => {
  let dir: string;
  let sim: Simulator;
  let anthropic: AnthropicSimulator;
  let slack: FakeSlack;
  let wrangler: ChildProcess | undefined;
  let output = "";

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keywarden-dev-vars-"));
    sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY, port: 0 });
    anthropic = await startAnthropicSimulator({ org: sampleAnthropicOrg(new Date()), adminKey: ANTHROPIC_KEY, port: 0 });
    slack = await startFakeSlack({ port: 0 });
    const values: Record<string, string> = {
      OPENAI_ADMIN_KEY: ADMIN_KEY,
      ANTHROPIC_ADMIN_KEY: ANTHROPIC_KEY,
      ANTHROPIC_BASE_URL: anthropic.url,
      // Empty: the accounts of the two keys above.
      ACCOUNTS: "",
      AUDIT_API_TOKEN: API_TOKEN,
      SLACK_BOT_TOKEN: slack.token,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      EVIDENCE_SIGNING_KEY: EVIDENCE_KEY,
      OPENAI_BASE_URL: sim.url,
      POLICY: "default",
      SLACK_API_URL: slack.url,
      SLACK_CHANNEL: "C0LOCALDEV",
      SLACK_ALLOWED_USERS: "U_LOCAL",
      SLACK_RESPONSE_URL_PREFIX: `${slack.base}/response/`,
      SLACK_NOTIFY_OWNERS: "false",
      SLACK_OWNER_MESSAGES_MAX: "50",
      AUDIT_SUBREQUESTS_PER_STEP: "45",
      STALE_AFTER_DAYS: "8",
      ENRICH: "audit_log,usage,costs",
      REMEDIATION: "dry-run",
      REMEDIATION_APPROVALS: "2",
      REMEDIATION_MAX_PER_DAY: "5",
      WATCH: "on",
    };
    const missing = readmeSettings().filter((name) => !(name in values));
    if (missing.length > 0) throw new Error(`this test has no local value for ${missing.join(", ")}: add one`);
    wrangler = await bootWranglerDev(dir, values, (child) => (output = child));
  }, 150_000);

  afterAll(async () => {
    if (wrangler?.pid && wrangler.exitCode === null) {
      const exited = new Promise((r) => wrangler?.once("exit", r));
      process.kill(-wrangler.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000))]);
      if (wrangler.exitCode === null) process.kill(-wrangler.pid, "SIGKILL");
    }
    await Promise.all([sim?.close(), anthropic?.close(), slack?.close()]);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("warns about no missing secret, is ready, runs an audit of both organizations reported to Slack, and accepts a signed /keywarden", async () => {
    expect(output).not.toMatch(/Missing required secrets/);

    const health = await fetch(`${base}/healthz`);
    const healthBody = (await health.json()) as { ok: boolean; problems?: string[] };
    expect(healthBody.problems ?? []).not.toContainEqual(expect.stringMatching(/SLACK|OPENAI|ANTHROPIC|ACCOUNTS|AUDIT|EVIDENCE/));

    const started = await fetch(`${base}/runs`, { method: "POST", headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(started.status).toBe(202);
    const { id } = (await started.json()) as { id: string };
    const deadline = Date.now() + 90_000;
    let run: { status: string; evidence?: { stored: boolean; manifest_sha256?: string }; delivery?: { status: string }; findings?: { key: { account?: string } }[] } = { status: "running" };
    while ((run.status === "running" || !run.delivery) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300));
      run = (await (await fetch(`${base}/runs/${id}`, { headers: { authorization: `Bearer ${API_TOKEN}` } })).json()) as typeof run;
    }
    expect(run.status).toBe("complete");
    // ANTHROPIC_ADMIN_KEY from .dev.vars reached the Worker: the Anthropic organization was audited too.
    expect(new Set((run.findings ?? []).map((f) => f.key.account ?? "openai"))).toEqual(new Set(["openai", "anthropic"]));
    expect(run.delivery?.status).toBe("delivered");
    expect(run.evidence?.stored).toBe(true);
    const posts = slack.calls.filter((call) => call.method === "chat.postMessage");
    expect(posts[0]?.body.channel).toBe("C0LOCALDEV");
    // Signed with EVIDENCE_SIGNING_KEY from .dev.vars: the public key route answers.
    const publicKey = await fetch(`${base}/evidence/public-key`);
    expect(publicKey.status).toBe(200);

    const body = new URLSearchParams({
      team_id: "T0001",
      channel_id: "C0LOCALDEV",
      user_id: "U_LOCAL",
      user_name: "local",
      command: "/keywarden",
      text: "help",
      response_url: `${slack.base}/response/local`,
      trigger_id: "1.2.3",
    }).toString();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = `v0=${createHmac("sha256", SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest("hex")}`;
    const command = await fetch(`${base}/slack/commands`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(timestamp), "x-slack-signature": signature },
      body,
    });
    expect(command.status).toBe(200);
  });

  it("keywarden doctor finds this Worker ready, its token accepted, its evidence signed with the kept key and its Slack URLs routed", async () => {
    // The public key an auditor keeps: what GET /evidence/public-key serves for EVIDENCE_SIGNING_KEY.
    writeFileSync(join(dir, "evidence-public.pem"), (await derivePublicKey(EVIDENCE_KEY)).pem);
    let stdout = "";
    const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: { AUDIT_API_TOKEN: API_TOKEN } };
    const code = await main(["doctor", "--url", base, "--public-key", join(dir, "evidence-public.pem")], io);
    expect(stdout.trimEnd().split("\n").map((line) => line.split(":")[0])).toEqual(["✓ /healthz", "✓ API token (AUDIT_API_TOKEN)", "✓ evidence signing", "✓ last run's evidence", "✓ /slack/commands", "✓ /slack/interactions"]);
    expect(stdout).not.toContain(API_TOKEN);
    expect(code).toBe(0);
  });
});

describe("an account's secret under plain `wrangler dev`", { timeout: 180_000 }, () => {
  let dir: string;
  let wrangler: ChildProcess | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "keywarden-dev-accounts-"));
    const values: Record<string, string> = {
      ACCOUNTS: JSON.stringify([
        { name: "openai-us", provider: "openai", admin_key_secret: "OPENAI_US_ADMIN_KEY" },
        { name: "openai-eu", provider: "openai", admin_key_secret: "OPENAI_EU_ADMIN_KEY" },
      ]),
      OPENAI_US_ADMIN_KEY: ADMIN_KEY,
      // In .dev.vars, but declared nowhere in wrangler.toml: wrangler dev drops it.
      OPENAI_EU_ADMIN_KEY: ADMIN_KEY,
      OPENAI_ADMIN_KEY: "off",
      ANTHROPIC_ADMIN_KEY: "off",
      AUDIT_API_TOKEN: API_TOKEN,
      SLACK_BOT_TOKEN: "off",
      SLACK_SIGNING_SECRET: "off",
      EVIDENCE_SIGNING_KEY: "off",
    };
    // As the README says to add an account: its secret declared in [secrets] required (only the first one here).
    const declareUs = (toml: string) => toml.replace(/^required = \[/m, 'required = ["OPENAI_US_ADMIN_KEY", ');
    wrangler = await bootWranglerDev(dir, values, () => undefined, declareUs);
  }, 150_000);

  afterAll(async () => {
    if (wrangler) await stop(wrangler);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("is loaded from .dev.vars when wrangler.toml declares it, and named with its fix when it does not", async () => {
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    const { problems = [] } = (await health.json()) as { problems?: string[] };
    const settings = problems.filter((p) => p.startsWith("setting "));
    expect(settings).toEqual([
      "setting OPENAI_EU_ADMIN_KEY is not set: ACCOUNTS[1] (openai-eu) reads its admin key from it — fix: put OPENAI_EU_ADMIN_KEY=… in .dev.vars and list OPENAI_EU_ADMIN_KEY in wrangler.toml [secrets] required (wrangler dev loads no other name from .dev.vars), then restart wrangler dev",
    ]);
  });
});
