/**
 * `keywarden doctor --url …` against a small node server standing in for a deployed Worker (the
 * routes and answers of src/http/app.ts): one line per check, ✓ or ✗ with what to do; exit 0 / 1 / 2;
 * the API token never printed, not even when it is refused.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { exportPublicKey } from "../../src/evidence/signing.js";
import { generateSigningKey } from "../support/evidence-fixture.js";
import { freePort } from "../support/free-port.js";

const TOKEN = "doctor-test-token-7f3a9c2e5b1d8046";
const RUN = "run_20261130T060000Z_0006";

interface Worker {
  health: { status: number; body: unknown };
  /** null: no AUDIT_API_TOKEN on the Worker. */
  token: string | null;
  publicKeyPem: string | null;
  runs: { id: string; status: string }[];
  run: unknown;
  signed: boolean;
  slack: "signed" | "off" | "missing";
}

let worker: Worker;
let server: Server;
let url: string;
let dir: string;
let keptPem: string;
let otherPem: string;

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};
const error = (res: ServerResponse, status: number, code: string, message: string) => json(res, status, { error: { code, message } });

/** The Worker's answers, as src/http/app.ts gives them. */
function answer(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? "/", "http://x").pathname;
  if (req.method === "GET" && path === "/healthz") return json(res, worker.health.status, worker.health.body);
  if (req.method === "GET" && path === "/evidence/public-key") {
    if (!worker.publicKeyPem) return error(res, 404, "not_found", "evidence is not signed (EVIDENCE_SIGNING_KEY is off)");
    res.writeHead(200, { "content-type": "application/x-pem-file; charset=utf-8" });
    return void res.end(worker.publicKeyPem);
  }
  if (req.method === "POST" && path.startsWith("/slack/")) {
    if (worker.slack === "missing") return error(res, 404, "not_found", `no route for POST ${path}`);
    if (worker.slack === "off") return error(res, 401, "unauthorized", "Slack requests are refused: SLACK_SIGNING_SECRET is off");
    return error(res, 401, "unauthorized", "request not verified: missing x-slack-request-timestamp");
  }
  if (worker.token === null) return error(res, 401, "unauthorized", "this API is disabled until AUDIT_API_TOKEN is set");
  if (req.headers.authorization !== `Bearer ${worker.token}`) return error(res, 401, "unauthorized", req.headers.authorization ? "invalid bearer token" : "missing bearer token (Authorization: Bearer <AUDIT_API_TOKEN>)");
  if (req.method === "GET" && path === "/runs") return json(res, 200, { runs: worker.runs, next_cursor: null });
  if (req.method === "GET" && path === `/runs/${RUN}`) return json(res, 200, worker.run);
  if (req.method === "GET" && path === `/runs/${RUN}/evidence`) return json(res, 200, { run_id: RUN, signed: worker.signed, files: [] });
  return error(res, 404, "not_found", `no route for ${req.method} ${path}`);
}

const healthy = { status: 200, body: { ok: true, service: "keywarden", version: "0.1.0", problems: [], last_complete_run: { id: RUN, finished_at: "2026-11-30T06:00:41.120Z" }, stale: false } };

beforeAll(async () => {
  const kept = await exportPublicKey((await generateSigningKey()).publicKey);
  keptPem = kept.pem;
  otherPem = (await exportPublicKey((await generateSigningKey()).publicKey)).pem;
  dir = mkdtempSync(join(tmpdir(), "keywarden-doctor-"));
  writeFileSync(join(dir, "evidence-public.pem"), keptPem);
  const port = await freePort();
  server = createServer(answer);
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  url = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  worker = { health: healthy, token: TOKEN, publicKeyPem: keptPem, runs: [{ id: RUN, status: "complete" }], run: { id: RUN, status: "complete", evidence: { stored: true, prefix: "runs/2026/11/x/" } }, signed: true, slack: "signed" };
});

async function doctor(args: string[], env: Record<string, string> = { AUDIT_API_TOKEN: TOKEN }): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) }, env };
  const code = await main(["doctor", ...args], io);
  return { code, stdout, stderr };
}

const lines = (stdout: string) => stdout.trimEnd().split("\n");

describe("keywarden doctor", () => {
  it("a Worker that is ready, accepts the token, signs with the kept key and routes Slack: six ✓ lines, exit 0", async () => {
    const { code, stdout, stderr } = await doctor(["--url", url, "--public-key", join(dir, "evidence-public.pem")]);
    expect(lines(stdout)).toEqual([
      `✓ /healthz: ready (Keywarden 0.1.0; last complete run ${RUN}, finished 2026-11-30T06:00:41.120Z)`,
      "✓ API token (AUDIT_API_TOKEN): accepted by GET /runs",
      expect.stringMatching(new RegExp(`^✓ evidence signing: on, with the key of ${join(dir, "evidence-public.pem")} \\(sha256:[0-9a-f]{64}\\)$`)),
      `✓ last run's evidence: run ${RUN}, stored and signed`,
      "✓ /slack/commands: routed (an unsigned request is refused with 401)",
      "✓ /slack/interactions: routed (an unsigned request is refused with 401)",
    ]);
    expect(stderr).toBe(`keywarden doctor: checking ${url}\nkeywarden doctor: every check passed\n`);
    expect(code).toBe(0);
  });

  it("a token the Worker refuses: ✗ with what to do, exit 1, and the token printed nowhere", async () => {
    const wrong = "doctor-test-wrong-token-0a1b2c3d4e5f";
    const { code, stdout, stderr } = await doctor(["--url", url], { AUDIT_API_TOKEN: wrong });
    expect(lines(stdout)[1]).toBe(
      "✗ API token (AUDIT_API_TOKEN): refused (invalid bearer token): it is not the Worker's AUDIT_API_TOKEN: export that value, or set the Worker's again with npx wrangler secret put AUDIT_API_TOKEN",
    );
    expect(lines(stdout)[3]).toBe("– last run's evidence: not checked (needs an accepted API token)");
    expect(stdout + stderr).not.toContain(wrong);
    expect(stderr).toMatch(/keywarden doctor: 1 of 6 checks failed\n$/);
    expect(code).toBe(1);
  });

  it("never prints the token, even when the Worker echoes it", async () => {
    worker.health = { status: 503, body: { ok: false, service: "keywarden", version: "0.1.0", problems: [`setting AUDIT_API_TOKEN ${TOKEN} is odd`] } };
    const { stdout, stderr } = await doctor(["--url", url]);
    expect(stdout + stderr).not.toContain(TOKEN);
    expect(lines(stdout)[0]).toBe("✗ /healthz: not ready (HTTP 503): setting AUDIT_API_TOKEN [REDACTED] is odd");
  });

  it("reads the token from --token-env NAME, and says when that variable is not set", async () => {
    expect(lines((await doctor(["--url", url, "--token-env", "KW_TOKEN"], { KW_TOKEN: TOKEN })).stdout)[1]).toBe("✓ API token (KW_TOKEN): accepted by GET /runs");
    const unset = await doctor(["--url", url], {});
    expect(lines(unset.stdout)[1]).toBe(
      "✗ API token: AUDIT_API_TOKEN is not set here: export the token the Worker has (npx wrangler secret put AUDIT_API_TOKEN), or name its variable with --token-env",
    );
    expect(unset.code).toBe(1);
  });

  it("a Worker without AUDIT_API_TOKEN: says its API refuses everyone and how to set it", async () => {
    worker.token = null;
    expect(lines((await doctor(["--url", url])).stdout)[1]).toBe("✗ API token: the Worker has no AUDIT_API_TOKEN, so its API refuses everyone: npx wrangler secret put AUDIT_API_TOKEN");
  });

  it("not ready: each problem /healthz names, on one line", async () => {
    worker.health = { status: 503, body: { ok: false, service: "keywarden", version: "0.1.0", problems: ["database: D1 is not migrated (missing 0003_x.sql): run npx wrangler d1 migrations apply DB --remote", "stale: no run has completed yet (POST /runs starts one)"], last_complete_run: null } };
    const { code, stdout } = await doctor(["--url", url]);
    expect(lines(stdout)[0]).toBe(
      "✗ /healthz: not ready (HTTP 503): database: D1 is not migrated (missing 0003_x.sql): run npx wrangler d1 migrations apply DB --remote; stale: no run has completed yet (POST /runs starts one)",
    );
    expect(code).toBe(1);
  });

  it("shows what the Worker says as text: a control character cannot start a line of its own or clear the screen", async () => {
    worker.health = { status: 503, body: { ok: false, service: "keywarden", version: "0.1.0", problems: ["bad\n✓ everything fine\u001b[2J"] } };
    const { stdout } = await doctor(["--url", url]);
    expect(lines(stdout)[0]).toBe("✗ /healthz: not ready (HTTP 503): bad\\n✓ everything fine\\x1b[2J");
    expect(lines(stdout)).toHaveLength(6);
  });

  it("a served public key that is not the kept one: ✗ naming both, exit 1", async () => {
    worker.publicKeyPem = otherPem;
    const { code, stdout } = await doctor(["--url", url, "--public-key", join(dir, "evidence-public.pem")]);
    expect(lines(stdout)[2]).toMatch(/^✗ evidence signing: the Worker's public key \(sha256:[0-9a-f]{64}\) is not the one in .*evidence-public\.pem \(sha256:[0-9a-f]{64}\): the Worker signs with another EVIDENCE_SIGNING_KEY/);
    expect(code).toBe(1);
  });

  it("unsigned evidence: ✗ with how to sign it; the last run's unsigned manifest too", async () => {
    worker.publicKeyPem = null;
    worker.signed = false;
    const { stdout } = await doctor(["--url", url]);
    expect(lines(stdout)[2]).toBe(
      "✗ evidence signing: evidence is not signed (EVIDENCE_SIGNING_KEY is off): generate an Ed25519 key and set EVIDENCE_SIGNING_KEY (README, Deploy), so auditors can tell the evidence is the Worker's",
    );
    expect(lines(stdout)[3]).toBe(`✗ last run's evidence: run ${RUN} is stored but not signed: set EVIDENCE_SIGNING_KEY (an Ed25519 key, README Deploy) so that the runs after it are signed`);
  });

  it("Slack URLs that do not reach Keywarden: ✗ with the Request URL to set; SLACK_SIGNING_SECRET off: – (not a failure)", async () => {
    worker.slack = "missing";
    const missing = await doctor(["--url", url]);
    expect(lines(missing.stdout)[4]).toBe(`✗ /slack/commands: not found (HTTP 404): the slash command's Request URL must be ${url}/slack/commands, on a current deployment (npx wrangler deploy)`);
    expect(lines(missing.stdout)[5]).toBe(`✗ /slack/interactions: not found (HTTP 404): the Interactivity Request URL must be ${url}/slack/interactions, on a current deployment (npx wrangler deploy)`);
    worker.slack = "off";
    const off = await doctor(["--url", url]);
    expect(lines(off.stdout)[4]).toBe("– /slack/commands: routed, but SLACK_SIGNING_SECRET is off, so Slack's requests are refused: set it to use the Slack app");
    expect(off.code).toBe(0);
  });

  it("nothing listening at the address: ✗ on every check with what to check, exit 1", async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    const { code, stdout } = await doctor(["--url", closed]);
    expect(lines(stdout)[0]).toBe(`✗ /healthz: no answer from ${closed} (ECONNREFUSED): check --url (npx wrangler deploy prints the Worker's address) and that the Worker is deployed`);
    expect(lines(stdout).every((l) => l.startsWith("✗") || l.startsWith("–"))).toBe(true);
    expect(code).toBe(1);
  });

  it("something else at the address: says it is not Keywarden's readiness answer", async () => {
    worker.health = { status: 200, body: { hello: "world" } };
    expect(lines((await doctor(["--url", url])).stdout)[0]).toBe("✗ /healthz: HTTP 200, not Keywarden's readiness answer: check that --url is the Worker's address");
  });

  describe("a wrong command line: exit 2, what was wrong, the usage", () => {
    const cases: [string, string[], string][] = [
      ["no --url", [], "give the Worker's address: --url https://keywarden.<subdomain>.workers.dev"],
      ["not an address", ["--url", "keywarden.example"], '--url must be an address like https://keywarden.<subdomain>.workers.dev (got "keywarden.example")'],
      ["plain http to another host", ["--url", "http://keywarden.example.workers.dev"], '--url must be https:// (plain http only for localhost): the API token would cross the network unencrypted (got "http://keywarden.example.workers.dev")'],
      ["credentials in the address", ["--url", "https://me:secret@keywarden.example"], `--url is the Worker's address only, without credentials, query or fragment (got "https://keywarden.example…")`],
      ["a bad variable name", ["--url", "https://keywarden.example", "--token-env", "$TOKEN"], '--token-env takes the name of an environment variable, e.g. AUDIT_API_TOKEN (got "$TOKEN")'],
      ["an unknown option", ["--url", "https://keywarden.example", "--token", "x"], "Unknown option '--token'"],
    ];
    for (const [what, args, message] of cases) {
      it(what, async () => {
        const { code, stdout, stderr } = await doctor(args);
        expect(stderr.split("\n")[0]).toContain(`keywarden doctor: ${message}`);
        expect(stderr).toContain("usage: keywarden doctor --url URL");
        expect(stdout).toBe("");
        expect(code).toBe(2);
      });
    }

    it("a --public-key file that is missing, or not a public key", async () => {
      const missing = await doctor(["--url", url, "--public-key", join(dir, "nope.pem")]);
      expect(missing.stderr.split("\n")[0]).toBe(`keywarden doctor: cannot read --public-key ${join(dir, "nope.pem")}: ENOENT`);
      expect(missing.code).toBe(2);
      writeFileSync(join(dir, "private.pem"), "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAecrjG339RbfXFrvHXf0UlpANJpoyzF4+LtXB1Ju3Tn\n-----END PRIVATE KEY-----\n");
      const wrong = await doctor(["--url", url, "--public-key", join(dir, "private.pem")]);
      expect(wrong.stderr.split("\n")[0]).toBe(`keywarden doctor: --public-key ${join(dir, "private.pem")}: this is a private key; verification needs the public key only (GET /evidence/public-key)`);
      expect(wrong.code).toBe(2);
    });
  });

  it("keywarden doctor --help prints the usage on stdout, exit 0; keywarden --help lists doctor", async () => {
    const help = await doctor(["--help"]);
    expect(help.stdout).toMatch(/^usage: keywarden doctor --url URL/);
    expect(help.code).toBe(0);
    let stdout = "";
    await main(["--help"], { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true }, env: {} });
    expect(stdout).toContain("  doctor         check a deployed Worker from outside");
  });
});
