/**
 * The four ports `npm run dev` listens on, checked before anything starts: a port already taken
 * (`keywarden sim` still running, another `npm run dev`, a plain `wrangler dev`) is said in one line —
 * which port, what probably holds it, how to choose another — instead of a stack trace.
 */
import { createServer } from "node:net";

export interface DevPort {
  /** The environment variable that chooses it. */
  env: string;
  port: number;
  /** What `npm run dev` serves on it. */
  what: string;
  /** What else usually listens there. */
  usual: string;
  /** Where it listens: the simulators on 127.0.0.1, wrangler on localhost (both loopbacks). */
  hosts: readonly string[];
}

/** The ports from the environment (defaults 8788, 8789, 8787, 8790), or the line that says which value is not a port. */
export function devPorts(env: Record<string, string | undefined>): DevPort[] | string {
  const specs = [
    { env: "KEYWARDEN_SIM_PORT", fallback: 8788, what: "the Admin API simulator", usual: "keywarden sim or another npm run dev", hosts: ["127.0.0.1"] },
    { env: "KEYWARDEN_SLACK_PORT", fallback: 8789, what: "the fake Slack Web API", usual: "another npm run dev", hosts: ["127.0.0.1"] },
    { env: "PORT", fallback: 8787, what: "the Worker, wrangler dev", usual: "another npm run dev or wrangler dev", hosts: ["127.0.0.1", "::1"] },
    { env: "KEYWARDEN_ANTHROPIC_SIM_PORT", fallback: 8790, what: "the Anthropic Admin API simulator", usual: "keywarden sim or another npm run dev", hosts: ["127.0.0.1"] },
  ];
  const ports: DevPort[] = [];
  for (const { fallback, ...spec } of specs) {
    const value = env[spec.env];
    const port = value === undefined || value === "" ? fallback : Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) return `npm run dev: ${spec.env} must be a port number 1..65535 (got "${value}")`;
    ports.push({ ...spec, port });
  }
  return ports;
}

/** Whether something listens on `port` of `host` (a host this machine does not have, e.g. no IPv6, counts as free). */
export function portTaken(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "EADDRINUSE" || error.code === "EACCES"));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}

/** The first port that is taken, with the line to print; null when all are free. */
export async function takenPortLine(ports: readonly DevPort[]): Promise<string | null> {
  for (const p of ports) {
    if (!(await anyTaken(p.port, p.hosts))) continue;
    const others = new Set(ports.map((o) => o.port));
    let suggestion = p.port + 1;
    while (suggestion < 65_535 && (others.has(suggestion) || (await anyTaken(suggestion, p.hosts)))) suggestion++;
    return `npm run dev: port ${p.port} (${p.what}) is in use, probably by ${p.usual}: stop it, or choose another port: ${p.env}=${suggestion} npm run dev`;
  }
  return null;
}

async function anyTaken(port: number, hosts: readonly string[]): Promise<boolean> {
  for (const host of hosts) if (await portTaken(port, host)) return true;
  return false;
}
