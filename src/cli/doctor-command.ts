/**
 * `keywarden doctor --url https://<worker>`: checks a deployed Worker from outside (doctor-checks.ts)
 * and prints one line per check: ✓, ✗ with what to do, or – for what was not checked. The API token
 * is read from the environment (AUDIT_API_TOKEN, or --token-env NAME) and never printed.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { importPublicKey } from "../evidence/signing.js";
import { printableLine } from "../report/text.js";
import { type CheckResult, type DoctorTarget, checkHealth, checkLastEvidence, checkSigningKey, checkSlackRoute, checkToken } from "./doctor-checks.js";
import { type CliIo, processIo, redactingIo } from "./io.js";

export const DOCTOR_USAGE = `usage: keywarden doctor --url URL [--token-env NAME] [--public-key FILE]

  Checks a deployed Keywarden Worker from outside, one line per check with what to do when it fails:
    /healthz                 ready (settings valid, D1 migrated, a run completed recently)
    API token                GET /runs accepts the token (from AUDIT_API_TOKEN; never printed)
    evidence signing         GET /evidence/public-key serves a key, the one in --public-key FILE
    last run's evidence      the last finished run's evidence is stored and signed
    /slack/commands,         the Slack app's URLs reach the Worker: an unsigned request is
    /slack/interactions      refused with 401 (404: not routed)
  --url URL            the Worker's address: https://keywarden.<subdomain>.workers.dev
                       (http only for localhost, e.g. http://localhost:8787 under npm run dev)
  --token-env NAME     read the API token from NAME instead of AUDIT_API_TOKEN
  --public-key FILE    the public key your auditors keep (PEM, from GET /evidence/public-key)
  Exit 0: every check passed; 1: a check failed; 2: wrong command line.
`;

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const MARK: Record<CheckResult["status"], string> = { pass: "✓", fail: "✗", skip: "–" };

export async function doctorCommand(argv: string[], io: CliIo = processIo(), fetchImpl?: typeof fetch): Promise<number> {
  const usage = (message: string): number => {
    io.stderr.write(`keywarden doctor: ${printableLine(message)}\n${DOCTOR_USAGE}`);
    return EXIT_USAGE;
  };
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        url: { type: "string" },
        "token-env": { type: "string", default: "AUDIT_API_TOKEN" },
        "public-key": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    return usage((error as Error).message);
  }
  if (args.values.help) {
    io.stdout.write(DOCTOR_USAGE);
    return EXIT_OK;
  }
  const base = workerBase(args.values.url);
  if (typeof base !== "string") return usage(base.error);
  const tokenName = args.values["token-env"];
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenName)) return usage(`--token-env takes the name of an environment variable, e.g. AUDIT_API_TOKEN (got "${tokenName}")`);

  let expectedKey: DoctorTarget["expectedKey"];
  const keyFile = args.values["public-key"];
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(keyFile, "utf8");
    } catch (error) {
      return usage(`cannot read --public-key ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const imported = await importPublicKey(text);
    if (!imported.ok) return usage(`--public-key ${keyFile}: ${imported.message}`);
    expectedKey = { file: keyFile, key: imported.key };
  }

  const token = io.env[tokenName];
  // The token is sent, never shown: a second net over every line, whatever the Worker echoes.
  const out = redactingIo(io, [token]);
  const target: DoctorTarget = { base, token: { name: tokenName, value: token }, expectedKey, fetch: fetchImpl };
  out.stderr.write(`keywarden doctor: checking ${base}\n`);
  const say = (result: CheckResult): void => void out.stdout.write(`${MARK[result.status]} ${printableLine(result.line)}\n`);

  const results: CheckResult[] = [];
  const run = async (check: Promise<CheckResult>): Promise<void> => {
    const result = await check;
    results.push(result);
    say(result);
  };
  await run(checkHealth(target));
  const tokenCheck = await checkToken(target);
  results.push(tokenCheck.result);
  say(tokenCheck.result);
  await run(checkSigningKey(target));
  await run(checkLastEvidence(target, tokenCheck.runs));
  await run(checkSlackRoute(target, "/slack/commands"));
  await run(checkSlackRoute(target, "/slack/interactions"));

  const failed = results.filter((r) => r.status === "fail").length;
  out.stderr.write(failed === 0 ? "keywarden doctor: every check passed\n" : `keywarden doctor: ${failed} of ${results.length} checks failed\n`);
  return failed === 0 ? EXIT_OK : EXIT_FAILED;
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** The Worker's origin from --url, or what is wrong with it. */
export function workerBase(url: string | undefined): string | { error: string } {
  if (url === undefined) return { error: "give the Worker's address: --url https://keywarden.<subdomain>.workers.dev" };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { error: `--url must be an address like https://keywarden.<subdomain>.workers.dev (got "${url}")` };
  }
  if (parsed.username || parsed.password || parsed.search || parsed.hash) return { error: `--url is the Worker's address only, without credentials, query or fragment (got "${parsed.origin}…")` };
  if (parsed.protocol === "http:" && !LOOPBACK.has(parsed.hostname)) {
    return { error: `--url must be https:// (plain http only for localhost): the API token would cross the network unencrypted (got "${url}")` };
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") return { error: `--url must be https:// (got "${url}")` };
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}
