import { auditCommand } from "./audit-command.js";
import { VERIFY_USAGE, verifyCommand } from "./verify-command.js";

const USAGE = `usage: keywarden <command> [options]

commands:
  audit [--policy FILE] [--json] [--fail-on SEVERITY|none]
        Audit the organization of OPENAI_ADMIN_KEY (and OPENAI_BASE_URL when set).
        Exit 0: complete, nothing at or above the threshold; 1: findings at or above it
        (default threshold: info, i.e. any finding); 2: incomplete or failed run.
${VERIFY_USAGE}`;

/** Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "audit":
      return auditCommand(rest);
    case "verify":
      return verifyCommand(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`keywarden: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}
