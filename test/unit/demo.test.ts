/** `npm run demo`, as a newcomer runs it: what it prints about the owners it could not reach. */
import { execFile } from "node:child_process";
import { resolve } from "node:path";
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
  it("names the owners Slack could not reach, as the report thread's reply names them (a count alone names nobody)", async () => {
    const { code, stdout, stderr } = await demo();
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const line = stdout.split("\n").find((l) => l.startsWith("Owner messages: ")) ?? "";
    expect(line).toMatch(/; not reachable: 2: service account \S+: \d+ finding\(s\) \(no owner\), service account \S+: \d+ finding\(s\) \(no owner\)$/);
    expect(stdout).not.toContain("sk-admin-fake-demo-key");
  });
});
