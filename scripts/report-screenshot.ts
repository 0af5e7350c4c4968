/**
 * `npm run report:screenshot` (from the repository root): the period report of a sample month,
 * rendered by headless Chromium into docs/report.png, the picture docs/report.md shows.
 *
 * The sample is real audits of the sample organization (src/sim/sample-org.ts) on the simulator,
 * through November 2026: weekly scheduled runs and a few by hand; keys revoked along the way; one
 * run incomplete (a project's keys could not be listed), one failed (the admin key was refused),
 * one without stored evidence; a risk accepted in Slack. Their evidence is built and chained as the
 * Worker builds it. The remediations are illustrative: written as a remediations.json beside the
 * last run's files when the run has none of its own.
 *
 * Needs Debian's Chromium (`sudo apt-get install chromium`; another binary: CHROMIUM=/path). Writes
 * out/report-screenshot/report.html (the page) and report.pdf (printed by Chromium, to check the
 * print rules), and docs/report.png (1200×2400 CSS pixels; --height N for another height).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { runAuditWithInventory } from "../src/audit/run.js";
import { ENRICH_SOURCES } from "../src/model/enrichment.js";
import { type RunEvidence, buildRunEvidence, importSigningKey } from "../src/evidence/index.js";
import type { RunWithoutEvidence } from "../src/evidence/archive.js";
import { type PeriodReportInput, renderPeriodReport } from "../src/report/html/period-report.js";
import { KEYWARDEN_VERSION } from "../src/version.js";
import type { SimOrg } from "../src/sim/org.js";
import { sampleOrg } from "../src/sim/sample-org.js";
import { type Fault, startSimulator } from "../src/sim/server.js";
import { EXAMPLE_ACCEPTANCE, EXAMPLE_SIGNING_KEY } from "./evidence-example.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const OUT_DIR = join(ROOT, "out/report-screenshot");
export const SCREENSHOT = join(ROOT, "docs/report.png");
const PERIOD = { from: "2026-11-01", to: "2026-11-30" };
const ADMIN_KEY = "sk-admin-example-not-a-real-key-000000";

interface SampleRun {
  at: string;
  trigger: "cron" | "http";
  /** Keys revoked before this run (they stay revoked). */
  revoke?: string[];
  fault?: Fault;
}

const SAMPLE_RUNS: SampleRun[] = [
  { at: "2026-11-02T06:00:00.000Z", trigger: "cron" },
  { at: "2026-11-09T06:00:00.000Z", trigger: "cron" },
  { at: "2026-11-12T14:30:00.000Z", trigger: "http", revoke: ["key_data_deploy"] },
  { at: "2026-11-16T06:00:00.000Z", trigger: "cron", fault: { match: { path: "/organization/projects/proj_legacy/api_keys" }, effect: { kind: "status", status: 403 } } },
  { at: "2026-11-23T06:00:00.000Z", trigger: "cron", revoke: ["key_web_old"] },
  { at: "2026-11-27T09:15:00.000Z", trigger: "http", fault: { match: { path: "/organization/admin_api_keys" }, effect: { kind: "status", status: 401 } } },
  { at: "2026-11-30T06:00:00.000Z", trigger: "cron", revoke: ["key_web_mallory", "key_data_eve"] },
];

const GAP: RunWithoutEvidence = {
  id: "run_20261126T060000Z_r2down",
  started_at: "2026-11-26T06:00:00.000Z",
  status: "complete",
  reason: "R2 answered 503 Service Unavailable to every write: the run's evidence could not be stored",
};

/** The period report's input for the sample month. */
export async function sampleReportInput(): Promise<PeriodReportInput> {
  const policyText = readFileSync(join(ROOT, "test/sim/sample-policy.yaml"), "utf8");
  const signing = await importSigningKey(EXAMPLE_SIGNING_KEY);
  if (!signing.ok) throw new Error(signing.message);
  const sim = await startSimulator({ org: sampleOrg(new Date(SAMPLE_RUNS[0]?.at ?? PERIOD.from)), adminKey: ADMIN_KEY });
  const chain: RunEvidence[] = [];
  const revoked = new Set<string>();
  try {
    for (const [i, sample] of SAMPLE_RUNS.entries()) {
      const now = new Date(sample.at);
      for (const id of sample.revoke ?? []) revoked.add(id);
      sim.setOrg(withoutKeys(sampleOrg(now), revoked));
      sim.clearFaults();
      if (sample.fault) sim.addFault(sample.fault);
      const { run, inventory } = await runAuditWithInventory({
        config: { adminKey: ADMIN_KEY, baseURL: sim.url, retry: { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, budgetMs: 0 } },
        policy: { name: "sample-org", file: "test/sim/sample-policy.yaml", text: policyText },
        // As deployed: every enrichment source on (ENRICH's default).
        enrich: ENRICH_SOURCES,
        trigger: sample.trigger,
        id: `run_${sample.at.replace(/[-:]/g, "").replace(/\.\d{3}/, "")}_${String(i).padStart(4, "0")}`,
        now: () => now,
        accepted: now >= new Date(EXAMPLE_ACCEPTANCE.accepted_at) ? [EXAMPLE_ACCEPTANCE] : [],
      });
      chain.push(
        await buildRunEvidence({
          run,
          inventory: inventory && !inventory.fatal ? { keys: inventory.keys, projects: inventory.projects } : null,
          policyText,
          secrets: [ADMIN_KEY],
          previousManifestSha256: chain.at(-1)?.manifestSha256 ?? null,
          version: KEYWARDEN_VERSION,
          signingKey: signing.key,
        }),
      );
    }
  } finally {
    await sim.close();
  }
  const runs = chain.map((ev) => ({ prefix: ev.prefix, files: Object.fromEntries(ev.files.map((f) => [f.name, f.content])) }));
  const last = runs.at(-1);
  if (last && !last.files["remediations.json"]) last.files["remediations.json"] = new TextEncoder().encode(JSON.stringify(ILLUSTRATIVE_REMEDIATIONS));
  return { period: PERIOD, runs, withoutEvidence: [GAP], deployment: "https://keywarden.example.workers.dev", verify: { publicKeyUrl: "https://keywarden.example.workers.dev/evidence/public-key" } };
}

const ILLUSTRATIVE_REMEDIATIONS = {
  run_id: "run_20261130T060000Z_0006",
  remediations: [
    {
      id: "rem_20261128_mallory",
      status: "executed",
      mode: "on",
      action: "revoke-project-key",
      summary: "revoke mallory-test (key_web_mallory) in project web-app",
      rule_id: "owner-not-allowed",
      key_id: "key_web_mallory",
      reason: "owner outside example.com; no business need",
      requested_by: "U0SAM00001",
      requested_by_name: "Sam Rivera",
      requested_at: "2026-11-28T10:02:00.000Z",
      approvals: [{ by: "U0DANA0001", name: "Dana Okafor", at: "2026-11-28T10:20:00.000Z" }],
      executed_at: "2026-11-28T10:20:03.000Z",
      outcome: "revoked: the key no longer appears in the project's key list",
    },
    {
      id: "rem_20261129_eve",
      status: "executed",
      mode: "on",
      action: "revoke-project-key",
      summary: "revoke eve analysis notebook (key_data_eve) in project data-pipeline",
      rule_id: "owner-lost-access",
      key_id: "key_data_eve",
      reason: "owner left the project in October",
      requested_by: "U0SAM00001",
      requested_by_name: "Sam Rivera",
      requested_at: "2026-11-29T08:40:00.000Z",
      approvals: [{ by: "U0ALEX0001", name: "Alex Kim", at: "2026-11-29T09:05:00.000Z" }],
      executed_at: "2026-11-29T09:05:02.000Z",
      outcome: "revoked: the key no longer appears in the project's key list",
    },
  ],
};

function withoutKeys(org: SimOrg, revoked: ReadonlySet<string>): SimOrg {
  return {
    ...org,
    adminKeys: org.adminKeys.filter((k) => !revoked.has(k.id)),
    projectKeys: Object.fromEntries(Object.entries(org.projectKeys).map(([project, keys]) => [project, keys.filter((k) => !revoked.has(k.id))])),
  };
}

/** Chromium's path, or null with the reason printed. */
function chromium(): string | null {
  const path = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (existsSync(path)) return path;
  console.error(`report:screenshot: no Chromium at ${path}. Install Debian's package:\n\n  sudo apt-get install chromium\n\n(or set CHROMIUM to another Chromium or Chrome binary)`);
  return null;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { height: { type: "string", default: "2400" } } });
  const height = Number(values.height);
  if (!Number.isInteger(height) || height < 200) {
    console.error(`report:screenshot: --height must be a whole number of pixels, at least 200 (got ${values.height})`);
    return 2;
  }
  const binary = chromium();
  if (!binary) return 1;
  const page = join(OUT_DIR, "report.html");
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(page, renderPeriodReport(await sampleReportInput()));
  // Chromium refuses its sandbox to root (containers, CI): only then without it.
  const common = ["--headless", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--force-device-scale-factor=1", ...(process.getuid?.() === 0 ? ["--no-sandbox"] : [])];
  const run = (args: string[]) => execFileSync(binary, [...common, ...args, pathToFileURL(page).href], { stdio: ["ignore", "ignore", "pipe"], timeout: 120_000 });
  run([`--screenshot=${SCREENSHOT}`, `--window-size=1200,${height}`]);
  run([`--print-to-pdf=${join(OUT_DIR, "report.pdf")}`, "--no-pdf-header-footer"]);
  console.log(`wrote ${page}, ${join(OUT_DIR, "report.pdf")} and ${SCREENSHOT}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main();
