import { KEYWARDEN_VERSION } from "../version.js";
import { adminKeysOf } from "./account-env.js";
import { type CliIo, processIo, redactingIo } from "./io.js";

// Each command is imported when it runs, so `keywarden --help` loads nothing else.
const USAGE = `usage: keywarden <command> [options]

commands:
  audit          audit every API key of every configured account (OpenAI, Anthropic) against a policy
  verify         check compliance evidence (a directory or ZIP) offline
  policy check   validate policy files without calling any API
  sim            serve simulated OpenAI and Anthropic Admin APIs with sample organizations, to try Keywarden offline
  revoke         plan (and, when allowed, execute) revoking a key a finding is on
  watch          judge only the keys created or changed lately (the Worker's hourly watch)
  doctor         check a deployed Worker from outside: health, token, evidence signing, Slack URLs
  slack-manifest the Slack app manifest for your deployed Worker (--url https://HOST)

keywarden <command> --help shows a command's options; keywarden --version its version.
`;

/** Exit code for an error no command expected: no result, as for a failed run. */
export const EXIT_UNEXPECTED = 2;

/**
 * Runs one command line; returns the process exit code. Everything it writes goes through one
 * redacting exit: every account's admin key, wherever it hides (a key's name), is printed as [REDACTED]. Two
 * commands do not use it: `keywarden sim`, whose output is the simulator's made-up key to paste (and
 * nothing else that is not its own), and `keywarden verify`, which writes to the process itself and
 * reads no admin key (it shows run ids and file names from the evidence, escaped).
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const out = redactingIo(io, adminKeysOf(io.env));
  try {
    return await dispatch(argv, out, io);
  } catch (error) {
    out.stderr.write(await describeUnexpected(argv[0], error));
    return EXIT_UNEXPECTED;
  }
}

/** An error that escaped a command, its message (which may quote the API) made printable, then where it was thrown. */
async function describeUnexpected(command: string | undefined, error: unknown): Promise<string> {
  const { printableLine } = await import("../report/text.js");
  const frames = error instanceof Error ? (error.stack ?? "").split("\n").filter((line) => /^\s+at /.test(line)) : [];
  return [`keywarden${command ? ` ${printableLine(command)}` : ""}: unexpected error: ${printableLine(String(error))}`, ...frames.map(printableLine)].map((line) => `${line}\n`).join("");
}

/** `io` redacted; `raw` only for `keywarden sim`. */
async function dispatch(argv: string[], io: CliIo, raw: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "audit":
      return (await import("./audit-command.js")).auditCommand(rest, io);
    case "verify":
      return (await import("./verify-command.js")).verifyCommand(rest);
    case "policy":
      return (await import("./policy-check.js")).policyCommand(rest, io);
    case "sim":
      return (await import("./sim-command.js")).simCommand(rest, raw);
    case "revoke":
      return (await import("./revoke-command.js")).revokeCommand(rest, io);
    case "watch":
      return (await import("./watch-command.js")).watchCommand(rest, io);
    case "doctor":
      return (await import("./doctor-command.js")).doctorCommand(rest, io);
    case "slack-manifest":
      return (await import("./slack-manifest-command.js")).slackManifestCommand(rest, io);
    case "help":
    case "--help":
    case "-h":
      if (command === "help" && rest[0] !== undefined) return dispatch([...rest, "--help"], io, raw);
      io.stdout.write(USAGE);
      return 0;
    case "--version":
    case "-v":
      io.stdout.write(`keywarden ${KEYWARDEN_VERSION}\n`);
      return 0;
    case undefined:
      io.stderr.write(`keywarden: give a command\n${USAGE}`);
      return 2;
    default:
      io.stderr.write(`keywarden: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}
