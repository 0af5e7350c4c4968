/**
 * Run the Admin API simulator until killed:
 *
 *   npx tsx test/sim/cli.ts [--port 8788] [--host 127.0.0.1] [--org sample|generated]
 *                           [--admin-key KEY] [--latency-ms 0] [--seed 1]
 *
 * Prints the base URL (ending in /v1) on stdout. Control it over HTTP via
 * /__sim/faults, /__sim/requests and /__sim/org (see server.ts). `keywarden sim`
 * (src/cli/sim-command.ts) is the user-facing one: the sample organization only,
 * printing the lines to export.
 */
import { parseArgs } from "node:util";
import { generateOrg } from "../../src/sim/generate.js";
import type { SimOrg } from "../../src/sim/org.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { startSimulator } from "../../src/sim/server.js";

export const DEFAULT_ADMIN_KEY = "sk-admin-sim-local-0000000000";

function toInt(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer, got '${value}'`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string", default: "8788" },
      host: { type: "string", default: "127.0.0.1" },
      org: { type: "string", default: "sample" },
      "admin-key": { type: "string", default: DEFAULT_ADMIN_KEY },
      "latency-ms": { type: "string", default: "0" },
      seed: { type: "string", default: "1" },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(
      "usage: tsx test/sim/cli.ts [--port 8788] [--host 127.0.0.1] [--org sample|generated] [--admin-key KEY] [--latency-ms 0] [--seed 1]",
    );
    return;
  }
  const now = new Date();
  let org: SimOrg;
  if (values.org === "sample") {
    org = sampleOrg(now);
  } else if (values.org === "generated") {
    org = generateOrg({ projects: 60, keysPerProject: 25, users: 250, adminKeys: 6, archivedEvery: 10, now, seed: toInt("seed", values.seed) });
  } else {
    throw new Error(`--org must be 'sample' or 'generated', got '${values.org}'`);
  }

  const sim = await startSimulator({
    org,
    adminKey: values["admin-key"],
    port: toInt("port", values.port),
    host: values.host,
    latencyMs: toInt("latency-ms", values["latency-ms"]),
  });
  const keyCount = org.adminKeys.length + Object.values(org.projectKeys).reduce((n, k) => n + k.length, 0);
  console.log(sim.url);
  console.error(
    `keywarden admin-api simulator: ${values.org} org (${org.projects.length} projects, ${keyCount} keys, ${org.users.length} users)` +
      (values["admin-key"] === DEFAULT_ADMIN_KEY ? `; admin key ${DEFAULT_ADMIN_KEY}` : "; custom admin key") +
      "; Ctrl-C to stop",
  );

  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
