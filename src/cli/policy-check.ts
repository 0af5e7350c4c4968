/**
 * `keywarden policy check [file…]` (also `npm run policy:check`): validates policy files without
 * calling any API, the way `custodian validate` does.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type Policy, formatPolicyError, loadPolicy } from "../policy/index.js";
import { displayPath } from "./display-path.js";
import { type CliIo, processIo } from "./io.js";
import { policiesDir } from "./keywarden-root.js";

/** As `keywarden audit` exits for an invalid policy (a failed run) or a wrong command line. */
export const EXIT_VALID = 0;
export const EXIT_INVALID = 2;

export const POLICY_USAGE = `usage: keywarden policy check [FILE...]

  Validates policy files without calling any API (default: every policy in
  Keywarden's policies/ directory, the ones POLICY can name). Prints "ok FILE"
  with its rule count, or each error as FILE:LINE:COLUMN field.path: message.
  Exit 0: every file is valid; 2: a file is invalid or unreadable, or the
  command line is wrong (as keywarden audit exits for an invalid policy).
`;

/** Checks each file: "ok" lines go to `print`, errors to `printError`; returns how many files failed. */
export function checkPolicyFiles(files: readonly string[], print: (line: string) => void = console.log, printError: (line: string) => void = print): number {
  let failures = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      printError(`${file}:1:1 cannot read the file: ${(error as Error).message}`);
      failures++;
      continue;
    }
    const result = loadPolicy(text, file);
    if (result.ok) {
      const { rules, exemptions = [] } = result.policy;
      print(`ok ${file} (${plural(rules.length, "rule")}, ${plural(exemptions.length, "exemption")})`);
      for (const warning of placeholderWarnings(result.policy)) print(`warning ${file}: ${warning}`);
    } else {
      for (const error of result.errors) printError(formatPolicyError(error));
      failures++;
    }
  }
  return failures;
}

/**
 * The default policy ships with an allowlist for example.com: valid, but deployed as it is, it flags
 * every real owner's key. Said after "ok", so the policy still checks.
 */
function placeholderWarnings(policy: Policy): string[] {
  return policy.rules.flatMap((rule, index) => {
    const emails = (rule as { allow?: { emails?: readonly string[] } }).allow?.emails ?? [];
    const placeholders = emails.filter((pattern) => /(^|[@.*])example\.(com|org|net)$/i.test(pattern));
    return placeholders.length > 0
      ? [`rules[${index}] (${rule.id}) still allows ${placeholders.join(", ")}, the example domain: put your own domain there, or every real owner's key is a finding`]
      : [];
  });
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** `keywarden policy <subcommand>`: only `check` for now. */
export function policyCommand(argv: string[], io: CliIo = processIo()): number {
  const [subcommand, ...rest] = argv;
  if (subcommand === "--help" || subcommand === "-h" || subcommand === "help") {
    io.stdout.write(POLICY_USAGE);
    return EXIT_VALID;
  }
  if (subcommand !== "check") {
    io.stderr.write(`keywarden policy: ${subcommand === undefined ? "give a subcommand" : `unknown subcommand "${subcommand}"`}\n${POLICY_USAGE}`);
    return EXIT_INVALID;
  }
  let args;
  try {
    args = parseArgs({ args: rest, options: { help: { type: "boolean", short: "h", default: false } }, strict: true, allowPositionals: true });
  } catch (error) {
    io.stderr.write(`keywarden policy check: ${(error as Error).message}\n${POLICY_USAGE}`);
    return EXIT_INVALID;
  }
  if (args.values.help) {
    io.stdout.write(POLICY_USAGE);
    return EXIT_VALID;
  }
  const files = args.positionals.length > 0 ? args.positionals : defaultFiles();
  if (files.length === 0) {
    io.stderr.write(`keywarden policy check: no policy files given and none found in ${displayPath(policiesDir())}\n`);
    return EXIT_INVALID;
  }
  const failures = checkPolicyFiles(
    files,
    (line) => io.stdout.write(`${line}\n`),
    (line) => io.stderr.write(`${line}\n`),
  );
  return failures > 0 ? EXIT_INVALID : EXIT_VALID;
}

function defaultFiles(): string[] {
  const dir = policiesDir();
  return readdirSync(dir)
    .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
    .sort()
    .map((name) => displayPath(join(dir, name)));
}
