/**
 * How long `keywarden` takes to start: the median wall time over 10 runs of the built CLI
 * (dist/, rebuilt first) next to `node -e 0`, and next to the CLI run from source through tsx
 * (what bin/keywarden.js did before the build). Target: `keywarden --help` under 300 ms and
 * within 5× of `node -e 0`. It prints figures; it asserts nothing.
 */
import { spawnSync } from "node:child_process";

const RUNS = 10;
const node = process.execPath;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Median milliseconds of `node …args`, after one warm-up run; fails loudly when the command does. */
function measure(args: string[]): number {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(node, args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, OPENAI_ADMIN_KEY: "" } });
    const elapsed = performance.now() - started;
    if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    if (i > 0) times.push(elapsed);
  }
  return median(times);
}

const build = spawnSync(node, ["--import", "tsx", "scripts/build.ts"], { stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const baseline = measure(["-e", "0"]);
const rows: [string, number][] = [
  ["node -e 0", baseline],
  ["keywarden --help", measure(["dist/keywarden.js", "--help"])],
  ["bin/keywarden.js --help (clone: checks dist/)", measure(["bin/keywarden.js", "--help"])],
  ["keywarden audit --help", measure(["dist/keywarden.js", "audit", "--help"])],
  ["keywarden policy check (default policy)", measure(["dist/keywarden.js", "policy", "check"])],
  ["keywarden --help from source (tsx, no build)", measure(["--import", "tsx", "src/cli/keywarden.ts", "--help"])],
];
console.log(`Startup, median of ${RUNS} runs (Node ${process.version}):`);
for (const [what, ms] of rows) {
  console.log(`  ${what.padEnd(46)} ${ms.toFixed(0).padStart(5)} ms  ${(ms / baseline).toFixed(1).padStart(5)}× node -e 0`);
}
const help = rows[1]?.[1] ?? Number.NaN;
console.log(`keywarden --help: ${help < 300 && help < 5 * baseline ? "within" : "OUTSIDE"} the target (under 300 ms and 5× node -e 0)`);
