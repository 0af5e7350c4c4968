/**
 * `npm run policy:check [file…]`: validates policy files (default: every policies/*.yaml) the way
 * `custodian validate` does, without calling any API. Exit code 1 when any file has an error.
 */
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { formatPolicyError, loadPolicy } from "../policy/index.js";

const POLICY_DIR = "policies";

function defaultFiles(): string[] {
  return readdirSync(POLICY_DIR)
    .filter((name) => name.endsWith(".yaml") || name.endsWith(".yml"))
    .sort()
    .map((name) => join(POLICY_DIR, name));
}

/** Checks each file and prints one line per file or error; returns how many files failed. */
export function checkPolicyFiles(files: readonly string[], print: (line: string) => void = console.log): number {
  let failures = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      print(`${file}:1:1 cannot read the file: ${(error as Error).message}`);
      failures++;
      continue;
    }
    const result = loadPolicy(text, file);
    if (result.ok) {
      const { rules, exemptions = [] } = result.policy;
      print(`ok ${file} (${plural(rules.length, "rule")}, ${plural(exemptions.length, "exemption")})`);
    } else {
      for (const error of result.errors) print(formatPolicyError(error));
      failures++;
    }
  }
  return failures;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

export function main(args: string[]): number {
  const files = args.length > 0 ? args : defaultFiles();
  if (files.length === 0) {
    console.error(`no policy files given and none found in ${POLICY_DIR}/`);
    return 1;
  }
  return checkPolicyFiles(files) > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = main(process.argv.slice(2));
}
