/**
 * `npm run dev`: the Worker under `wrangler dev`, against the Admin API simulators
 * serving a sample OpenAI organization and a sample Anthropic organization (two
 * accounts, `openai` and `anthropic`) and the fake Slack Web API, with the local D1
 * migrated. Offline.
 *   curl -X POST -H "Authorization: Bearer dev-token" localhost:8787/runs
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { sampleAnthropicOrg } from "../src/sim/anthropic/sample-org.js";
import { startAnthropicSimulator } from "../src/sim/anthropic/server.js";
import { sampleOrg } from "../src/sim/sample-org.js";
import { startSimulator } from "../src/sim/server.js";
import { FAKE_SLACK_TOKEN, startFakeSlack } from "../src/sim/slack-server.js";
import { workerSettingNames, wranglerEnv } from "./dev-env.js";
import { devPorts, takenPortLine } from "./dev-ports.js";

// Each port checked before anything starts: one taken (keywarden sim still running…) is one line, exit 1.
const ports = devPorts(process.env);
const problem = typeof ports === "string" ? ports : await takenPortLine(ports);
if (problem !== null || typeof ports === "string") {
  console.error(problem);
  process.exit(1);
}
const [SIM_PORT, SLACK_PORT, WORKER_PORT, ANTHROPIC_SIM_PORT] = ports.map((p) => p.port) as [number, number, number, number];
const ADMIN_KEY = "sk-admin-fake-dev-key-0000000000000";
const ANTHROPIC_ADMIN_KEY = "sk-ant-admin01-fake-dev-key-000000000000";
const API_TOKEN = process.env.AUDIT_API_TOKEN ?? "dev-token";
const SIGNING_SECRET = "dev-signing-secret";

const sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY, port: SIM_PORT });
console.log(`Admin API simulator (sample organization): ${sim.url}`);
console.log(`  faults and request log: http://127.0.0.1:${SIM_PORT}/__sim/requests`);
const anthropic = await startAnthropicSimulator({ org: sampleAnthropicOrg(new Date()), adminKey: ANTHROPIC_ADMIN_KEY, port: ANTHROPIC_SIM_PORT });
console.log(`Anthropic Admin API simulator (sample organization): ${anthropic.url}`);
console.log(`  faults and request log: ${anthropic.url}/__sim/requests`);
const slack = await startFakeSlack({ port: SLACK_PORT });
console.log(`Fake Slack Web API: ${slack.url}  (what Keywarden posted: ${slack.base}/__slack/calls)`);

// The simulated Worker's D1 and R2 are its own: plain `wrangler dev` (your .dev.vars) keeps its runs,
// evidence and health apart from these.
const STATE = ".wrangler/dev-simulated-state";
const without = wranglerEnv(process.env, workerSettingNames(readFileSync("wrangler.toml", "utf8")));
// Offline by design: miniflare's download of request.cf data (which Keywarden does not read) only printed stack traces.
const childEnv = { ...without.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" } as unknown as NodeJS.ProcessEnv;
// AUDIT_API_TOKEN from the shell is used, as the simulated Worker's token (through the env file).
const ignored = without.ignored.filter((name) => name !== "AUDIT_API_TOKEN");
if (ignored.length > 0) console.log(`Not passed to the Worker (it runs with the simulated settings): ${ignored.join(", ")} from your shell.`);
// wrangler prints its table of migrations again after each one: shown only when something went wrong.
const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local", "--persist-to", STATE], { encoding: "utf8", env: { ...childEnv, CI: "true" } });
if (migrate.status !== 0) {
  process.stdout.write(migrate.stdout ?? "");
  process.stderr.write(migrate.stderr ?? "");
  if (migrate.error) console.error(`npm run dev: could not run wrangler d1 migrations apply: ${migrate.error.message}`);
  await Promise.all([sim.close(), anthropic.close(), slack.close()]);
  process.exit(migrate.status ?? 1);
}
console.log(`Local D1 migrated (${STATE}).`);

console.log(`\nKeywarden on http://localhost:${WORKER_PORT}  (API token: ${API_TOKEN === "dev-token" ? "dev-token" : "from AUDIT_API_TOKEN"})`);
console.log(`  curl -X POST -H "Authorization: Bearer ${API_TOKEN === "dev-token" ? "dev-token" : "$AUDIT_API_TOKEN"}" localhost:${WORKER_PORT}/runs\n`);
// The simulated settings go in an env file of their own (your .dev.vars, if any, is for plain
// `wrangler dev` against real services and is not read here), so every required secret is there.
const settings: Record<string, string> = {
  OPENAI_BASE_URL: sim.url,
  OPENAI_ADMIN_KEY: ADMIN_KEY,
  ANTHROPIC_BASE_URL: anthropic.url,
  ANTHROPIC_ADMIN_KEY,
  AUDIT_API_TOKEN: API_TOKEN,
  SLACK_API_URL: slack.url,
  SLACK_BOT_TOKEN: FAKE_SLACK_TOKEN,
  SLACK_CHANNEL: "C0KEYWARDEN",
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_RESPONSE_URL_PREFIX: `${slack.base}/response/`,
  EVIDENCE_SIGNING_KEY: "off",
};
mkdirSync(".wrangler", { recursive: true });
const envFile = ".wrangler/dev-simulated.env";
writeFileSync(envFile, Object.entries(settings).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join("\n"));
const wrangler = spawn("npx", ["wrangler", "dev", "--port", String(WORKER_PORT), "--test-scheduled", "--env-file", envFile, "--persist-to", STATE], { stdio: "inherit", env: childEnv });

const stop = async () => {
  wrangler.kill("SIGINT");
  await Promise.all([sim.close(), anthropic.close(), slack.close()]);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
wrangler.on("exit", async (code) => {
  await Promise.all([sim.close(), anthropic.close(), slack.close()]);
  process.exit(code ?? 0);
});
