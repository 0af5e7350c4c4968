/**
 * `keywarden sim`: the Admin API simulator (src/sim/, bundled into dist/ with the CLI) serving the
 * sample organization, so Keywarden can be tried offline: it prints what to export, then runs until Ctrl-C.
 */
import { parseArgs } from "node:util";
import { countKeys } from "../sim/org.js";
import { sampleOrg } from "../sim/sample-org.js";
import { type Simulator, startSimulator } from "../sim/server.js";
import { type CliIo, processIo } from "./io.js";

/** Made up, and says so: the simulator accepts only this key. */
export const SIM_ADMIN_KEY = "sk-admin-fake-sim-key-000000000000";
export const DEFAULT_SIM_PORT = 8788;

export const SIM_USAGE = `usage: keywarden sim [--port ${DEFAULT_SIM_PORT}] [--host 127.0.0.1]

  Serves a simulated OpenAI Admin API with a sample organization (4 projects,
  one archived; 14 keys), to try Keywarden offline. Prints on stdout the lines
  to paste into another terminal before keywarden audit:
    export OPENAI_BASE_URL=http://127.0.0.1:${DEFAULT_SIM_PORT}/v1
    export OPENAI_ADMIN_KEY=${SIM_ADMIN_KEY}
  and runs until Ctrl-C. --port 0 picks any free port.
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

  const org = sampleOrg(new Date());
  let sim: Simulator;
  try {
    sim = await startSimulator({ org, adminKey: SIM_ADMIN_KEY, port, host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") return fail(`port ${port} on ${host} is in use (another simulator, or npm run dev?): choose another with --port, or --port 0 for any free port`);
    return fail(`cannot listen on ${host}:${port}: ${code ?? (error as Error).message}`);
  }
  const keys = countKeys(org);
  io.stderr.write(
    `keywarden sim: the OpenAI Admin API, simulated, with a sample organization (${org.projects.length} projects, ${keys.total} keys, ${org.users.length} users) on ${sim.url}\n` +
      "Paste these lines into another terminal, then run keywarden audit there:\n",
  );
  io.stdout.write(`export OPENAI_BASE_URL=${sim.url}\nexport OPENAI_ADMIN_KEY=${SIM_ADMIN_KEY}\n`);
  io.stderr.write("Ctrl-C stops the simulator.\n");
  await waitForStop();
  await sim.close();
  io.stderr.write("keywarden sim: stopped\n");
  return 0;
}
