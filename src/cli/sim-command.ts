/**
 * `keywarden sim`: the Admin API simulators (src/sim/, bundled into dist/ with the CLI) serving a
 * sample OpenAI organization and a sample Anthropic organization, so Keywarden can be tried offline:
 * it prints what to export, then runs until Ctrl-C.
 */
import { parseArgs } from "node:util";
import { sampleAnthropicOrg } from "../sim/anthropic/sample-org.js";
import { type AnthropicSimulator, startAnthropicSimulator } from "../sim/anthropic/server.js";
import { countKeys } from "../sim/org.js";
import { sampleOrg } from "../sim/sample-org.js";
import { type Simulator, startSimulator } from "../sim/server.js";
import { type CliIo, processIo } from "./io.js";

/** Made up, and says so: the simulator accepts only this key. */
export const SIM_ADMIN_KEY = "sk-admin-fake-sim-key-000000000000";
/** Made up, and says so: the Anthropic simulator accepts only this key. */
export const SIM_ANTHROPIC_ADMIN_KEY = "sk-ant-admin01-fake-sim-key-000000000000";
export const DEFAULT_SIM_PORT = 8788;
/** Not 8789: npm run dev's fake Slack listens there. */
export const DEFAULT_ANTHROPIC_SIM_PORT = 8790;

export const SIM_USAGE = `usage: keywarden sim [--port ${DEFAULT_SIM_PORT}] [--anthropic-port ${DEFAULT_ANTHROPIC_SIM_PORT}] [--host 127.0.0.1]

  Serves a simulated OpenAI Admin API with a sample organization (4 projects,
  one archived; 14 keys) and a simulated Anthropic Admin API with a sample
  organization (4 workspaces, one archived; 14 keys), to try Keywarden offline.
  Prints on stdout the lines to paste into another terminal before keywarden audit:
    export OPENAI_BASE_URL=http://127.0.0.1:${DEFAULT_SIM_PORT}/v1
    export OPENAI_ADMIN_KEY=${SIM_ADMIN_KEY}
    export ANTHROPIC_BASE_URL=http://127.0.0.1:${DEFAULT_ANTHROPIC_SIM_PORT}
    export ANTHROPIC_ADMIN_KEY=${SIM_ANTHROPIC_ADMIN_KEY}
  and runs until Ctrl-C. --port 0 picks any free port (for both, unless
  --anthropic-port says otherwise).
`;

/** Resolves on Ctrl-C (SIGINT) or SIGTERM. */
export function untilInterrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

export async function simCommand(argv: string[], io: CliIo = processIo(), waitForStop: () => Promise<unknown> = untilInterrupted): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`keywarden sim: ${message}\n`);
    return 2;
  };
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        port: { type: "string", default: String(DEFAULT_SIM_PORT) },
        "anthropic-port": { type: "string" },
        host: { type: "string", default: "127.0.0.1" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    return fail(`${(error as Error).message}\n${SIM_USAGE}`);
  }
  if (args.values.help) {
    io.stdout.write(SIM_USAGE);
    return 0;
  }
  const { host } = args.values;
  const port = Number(args.values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) return fail(`--port must be a port number 0..65535 (got "${args.values.port}")`);
  const anthropicPortText = args.values["anthropic-port"] ?? String(port === 0 ? 0 : DEFAULT_ANTHROPIC_SIM_PORT);
  const anthropicPort = Number(anthropicPortText);
  if (!Number.isInteger(anthropicPort) || anthropicPort < 0 || anthropicPort > 65_535) return fail(`--anthropic-port must be a port number 0..65535 (got "${anthropicPortText}")`);

  const now = new Date();
  const org = sampleOrg(now);
  const anthropicOrg = sampleAnthropicOrg(now);
  let sim: Simulator;
  let anthropic: AnthropicSimulator;
  try {
    sim = await startSimulator({ org, adminKey: SIM_ADMIN_KEY, port, host });
  } catch (error) {
    return fail(listenProblem(error, host, port, "--port"));
  }
  try {
    anthropic = await startAnthropicSimulator({ org: anthropicOrg, adminKey: SIM_ANTHROPIC_ADMIN_KEY, port: anthropicPort, host });
  } catch (error) {
    await sim.close();
    return fail(listenProblem(error, host, anthropicPort, "--anthropic-port"));
  }
  const keys = countKeys(org);
  io.stderr.write(
    `keywarden sim: the OpenAI Admin API, simulated, with a sample organization (${org.projects.length} projects, ${keys.total} keys, ${org.users.length} users) on ${sim.url}\n` +
      `keywarden sim: the Anthropic Admin API, simulated, with a sample organization (${anthropicOrg.workspaces.length} workspaces, ${anthropicOrg.apiKeys.length} keys, ${anthropicOrg.users.length} users) on ${anthropic.url}\n` +
      "Paste these lines into another terminal, then run keywarden audit there (it audits both; --account openai or --account anthropic audits one):\n",
  );
  io.stdout.write(`export OPENAI_BASE_URL=${sim.url}\nexport OPENAI_ADMIN_KEY=${SIM_ADMIN_KEY}\nexport ANTHROPIC_BASE_URL=${anthropic.url}\nexport ANTHROPIC_ADMIN_KEY=${SIM_ANTHROPIC_ADMIN_KEY}\n`);
  io.stderr.write("Ctrl-C stops the simulators.\n");
  await waitForStop();
  await Promise.all([sim.close(), anthropic.close()]);
  io.stderr.write("keywarden sim: stopped\n");
  return 0;
}

function listenProblem(error: unknown, host: string, port: number, option: string): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EADDRINUSE") return `port ${port} on ${host} is in use (another simulator, or npm run dev?): choose another with ${option}, or ${option} 0 for any free port`;
  return `cannot listen on ${host}:${port}: ${code ?? (error as Error).message}`;
}
