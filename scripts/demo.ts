/**
 * `npm run demo`: the simulator serves the sample organization on loopback, and
 * the same runAudit the Worker calls audits it. Offline; writes out/.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runAuditWithInventory } from "../src/audit/run.js";
import { verifyCommand } from "../src/cli/verify-command.js";
import { buildRunEvidence } from "../src/report/evidence/index.js";
import { KEYWARDEN_VERSION } from "../src/version.js";
import { blockKitBuilderJson, renderPlainTextPreview } from "../src/report/slack/preview.js";
import { renderSlackReport } from "../src/report/slack/render.js";
import { renderTextReport } from "../src/report/text.js";
import { sampleOrg } from "../test/sim/sample-org.js";
import { startSimulator } from "../test/sim/server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "out");
const adminKey = "sk-admin-fake-demo-key-0000000000000";
const policyFile = "test/sim/sample-policy.yaml";

const sim = await startSimulator({ org: sampleOrg(new Date()), adminKey });
try {
  console.log(`Simulated OpenAI Admin API at ${sim.url} (sample organization)\n`);
  const policyText = readFileSync(join(root, policyFile), "utf8");
  const { run, inventory } = await runAuditWithInventory({
    config: { adminKey, baseURL: sim.url },
    policy: { name: "sample-org", file: policyFile, text: policyText },
    trigger: "demo",
  });
  console.log(renderTextReport(run));
  mkdirSync(out, { recursive: true });
  const json = `${JSON.stringify(run, null, 2)}\n`;
  writeFileSync(join(out, `run-${run.id}.json`), json);
  writeFileSync(join(out, "latest-run.json"), json);
  console.log(`\nRun JSON: out/run-${run.id}.json (also out/latest-run.json)`);

  // The same evidence files the Worker stores in R2, then verified offline as an auditor would.
  const evidence = await buildRunEvidence({
    run,
    inventory: inventory ? { keys: inventory.keys, projects: inventory.projects } : null,
    policyText,
    secrets: [adminKey],
    previousManifestSha256: null,
    version: KEYWARDEN_VERSION,
  });
  const evidenceDir = join(out, "evidence");
  rmSync(evidenceDir, { recursive: true, force: true });
  for (const file of evidence.files) {
    mkdirSync(join(evidenceDir, evidence.prefix), { recursive: true });
    writeFileSync(join(evidenceDir, evidence.prefix, file.name), file.content);
  }
  // As in the Worker, the evidence exists before Slack hears of the run, so the report says where it is.
  const slack = renderSlackReport({ ...run, evidence: { stored: true, prefix: evidence.prefix, manifest_sha256: evidence.manifestSha256 } }, { channel: "C0KEYWARDEN" });
  const slackDir = join(out, "slack");
  rmSync(slackDir, { recursive: true, force: true });
  mkdirSync(slackDir, { recursive: true });
  writeFileSync(join(slackDir, "main.json"), blockKitBuilderJson(slack.main));
  slack.thread.forEach((message, i) => writeFileSync(join(slackDir, `thread-${String(i + 1).padStart(2, "0")}.json`), blockKitBuilderJson(message)));
  writeFileSync(join(slackDir, slack.csv.filename), slack.csv.content);
  console.log(`\nSlack main message (preview; Block Kit JSON in out/slack/, paste into https://app.slack.com/block-kit-builder):\n`);
  console.log(renderPlainTextPreview(slack.main));
  console.log(`\n+ ${slack.thread.length} thread message(s) and ${slack.csv.filename} in out/slack/`);

  console.log(`\nEvidence: out/evidence/${evidence.prefix} (manifest sha256 ${evidence.manifestSha256})`);
  console.log("$ npx keywarden verify out/evidence");
  await verifyCommand([evidenceDir]);
} finally {
  await sim.close();
}
