import { KEYWARDEN_VERSION } from "../version.js";
import { type CliIo, processIo } from "./io.js";

// Each command is imported when it runs, so `keywarden --help` loads nothing else.
const USAGE = `usage: keywarden <command> [options]

commands:
  audit          audit every API key of the organization of OPENAI_ADMIN_KEY against a policy
  verify         check compliance evidence (a directory or ZIP) offline
  policy check   validate policy files without calling any API
  sim            serve a simulated Admin API with a sample organization, to try Keywarden offline

keywarden <command> --help shows a command's options; keywarden --version its version.
`;

/** Runs one command line; returns the process exit code. */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "audit":
      return (await import("./audit-command.js")).auditCommand(rest, io);
    case "verify":
      return (await import("./verify-command.js")).verifyCommand(rest);
    case "policy":
      return (await import("./policy-check.js")).policyCommand(rest, io);
    case "sim":
      return (await import("./sim-command.js")).simCommand(rest, io);
    case "help":
    case "--help":
    case "-h":
      if (command === "help" && rest[0] !== undefined) return main([...rest, "--help"], io);
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
