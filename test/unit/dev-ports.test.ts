/**
 * `npm run dev` when one of its ports is taken (`keywarden sim` still running, another `npm run dev`,
 * a plain `wrangler dev`): one line that names the port, what probably holds it and how to choose
 * another; exit 1; no stack trace, and nothing started. The same for `keywarden sim` (exit 2: its command line).
 */
import { execFile } from "node:child_process";
import { type Server, createServer } from "node:http";
import { resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, freePorts } from "../support/free-port.js";

const ROOT = resolve(import.meta.dirname, "../..");

/** A plain node server holding `port`, as anything else on the machine would. */
function hold(port: number, host = "127.0.0.1"): Promise<Server> {
  return new Promise((done, fail) => {
    const server = createServer((_req, res) => res.end("someone else"));
    server.once("error", fail);
    server.listen(port, host, () => done(server));
  });
}

/** `script` (scripts/dev.ts, src/cli/keywarden.ts) run from source as its own process, stdout and stderr pipes. */
function run(script: string, args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script, ...args],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env } as unknown as NodeJS.ProcessEnv, timeout: 25_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function npmRunDev(env: Record<string, string>) {
  return run("scripts/dev.ts", [], env);
}

let held: Server | undefined;
afterEach(async () => {
  await new Promise((r) => (held ? held.close(r) : r(undefined)));
  held = undefined;
});

describe("npm run dev with a port taken", () => {
  const cases = [
    { env: "KEYWARDEN_SIM_PORT", line: (p: number) => `npm run dev: port ${p} (the Admin API simulator) is in use, probably by keywarden sim or another npm run dev: stop it, or choose another port: KEYWARDEN_SIM_PORT=` },
    { env: "KEYWARDEN_SLACK_PORT", line: (p: number) => `npm run dev: port ${p} (the fake Slack Web API) is in use, probably by another npm run dev: stop it, or choose another port: KEYWARDEN_SLACK_PORT=` },
    { env: "PORT", line: (p: number) => `npm run dev: port ${p} (the Worker, wrangler dev) is in use, probably by another npm run dev or wrangler dev: stop it, or choose another port: PORT=` },
    {
      env: "KEYWARDEN_ANTHROPIC_SIM_PORT",
      line: (p: number) => `npm run dev: port ${p} (the Anthropic Admin API simulator) is in use, probably by keywarden sim or another npm run dev: stop it, or choose another port: KEYWARDEN_ANTHROPIC_SIM_PORT=`,
    },
  ];
  for (const { env, line } of cases) {
    it(`says in one line which port (${env}) is taken, what probably holds it and how to choose another; exit 1, no stack trace`, async () => {
      const [sim, slack, worker, anthropic] = (await freePorts(4)) as [number, number, number, number];
      const ports = { KEYWARDEN_SIM_PORT: sim, KEYWARDEN_SLACK_PORT: slack, PORT: worker, KEYWARDEN_ANTHROPIC_SIM_PORT: anthropic };
      const taken = ports[env as keyof typeof ports];
      held = await hold(taken);
      const { code, stdout, stderr } = await npmRunDev(Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])));
      // One line, ending with a port to choose instead: a free one, none of the others.
      const [, said, suggested] = /^(.*=)(\d+) npm run dev\n$/.exec(stderr) ?? [undefined, stderr];
      expect(said).toBe(line(taken));
      expect(Object.values(ports)).not.toContain(Number(suggested));
      expect(stdout).toBe("");
      expect(code).toBe(1);
    });
  }

  it("names a port setting that is not a port", async () => {
    const { code, stderr } = await npmRunDev({ KEYWARDEN_SIM_PORT: "88o8" });
    expect(stderr).toBe('npm run dev: KEYWARDEN_SIM_PORT must be a port number 1..65535 (got "88o8")\n');
    expect(code).toBe(1);
  });
});

describe("keywarden sim with its port taken", () => {
  it("says in one line which port is taken, what probably holds it and how to choose another; exit 2, no stack trace", async () => {
    const port = await freePort();
    // On every address (node's default), as another program would: 127.0.0.1 is taken with it.
    held = await hold(port, "::");
    const { code, stdout, stderr } = await run("src/cli/keywarden.ts", ["sim", "--port", String(port)], {});
    expect(stderr).toBe(`keywarden sim: port ${port} on 127.0.0.1 is in use (another simulator, or npm run dev?): choose another with --port, or --port 0 for any free port\n`);
    expect(stdout).toBe("");
    expect(code).toBe(2);
  });
});
