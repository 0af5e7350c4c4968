/** `npm run demo`, as a newcomer runs it: what it prints about the owners it could not reach. */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");

function demo(): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, ["--import", "tsx", "scripts/demo.ts"], { cwd: ROOT, env: { PATH: process.env.PATH ?? "" } as unknown as NodeJS.ProcessEnv, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe("npm run demo", () => {
  it("audits a sample OpenAI and a sample Anthropic organization, and names the owners Slack could not reach, as the report thread's reply names them (a count alone names nobody)", async () => {
    const { code, stdout, stderr } = await demo();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const line = stdout.split("\n").find((l) => l.startsWith("Owner messages: ")) ?? "";
    // The sample OpenAI and Anthropic organizations are audited in one run: each owner named, with their findings.
    const [, count, list] = /; not reachable: (\d+): (.+)$/.exec(line) ?? [];
    const named = (list ?? "").split(/, (?=\S*[^,]*: \d+ finding)/);
    expect(named).toHaveLength(Number(count));
    for (const owner of named) expect(owner).toMatch(/: \d+ finding\(s\) \(no owner\)$/);
    for (const account of ["deploy-bot", "svc-admin-bot", "svac_ant_deploy"]) expect(list).toContain(`service account ${account}: `);
    expect(stdout).toMatch(/^Simulated OpenAI Admin API at .*\nSimulated Anthropic Admin API at /);
    expect(stdout).not.toContain("sk-admin-fake-demo-key");
    expect(stdout).not.toContain("sk-ant-admin01-fake-demo-key");
    // The same evidence files a Worker's run stores, the decision logs included (docs/evidence.md).
    const files = readdirSync(join(ROOT, "out/evidence"), { recursive: true }).map(String).map((path) => path.split(sep).pop());
    for (const name of ["findings.json", "inventory.csv", "remediations.json", "acceptances.json", "acceptances.csv", "manifest.json"]) expect(files).toContain(name);
  });
});
