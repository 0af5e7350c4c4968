/**
 * `npm run demo`: the simulators serve a sample OpenAI organization and a sample Anthropic
 * organization on loopback, and the same runAudit the Worker calls audits both in one run, one
 * account each (`openai`, `anthropic`). Offline; writes out/.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { applyLifecycle } from "../src/model/lifecycle.js";
import { runAuditWithInventory } from "../src/audit/run.js";
import { readEnrichSettings } from "../src/config.js";
import { verifyCommand } from "../src/cli/verify-command.js";
import { buildRunEvidence } from "../src/evidence/index.js";
import { KEYWARDEN_VERSION } from "../src/version.js";
import { blockKitBuilderJson, renderPlainTextPreview } from "../src/slack/preview.js";
import type { OwnerResolution } from "../src/slack/owner-directory.js";
import { keyOwnerName, planOwnerMessages } from "../src/slack/owner-messages.js";
import { renderSlackReport } from "../src/slack/render.js";
import { readAcceptanceForm } from "../src/decide/accept-risk.js";
import { acceptanceModal } from "../src/slack/accept-modal.js";
import { markAccepted } from "../src/slack/accepted-message.js";
import { printableLine, renderTextReport } from "../src/report/text.js";
import type { AccountSettings } from "../src/config.js";
import { sampleAnthropicOrg } from "../src/sim/anthropic/sample-org.js";
import { startAnthropicSimulator } from "../src/sim/anthropic/server.js";
import { sampleOrg } from "../src/sim/sample-org.js";
import { startSimulator } from "../src/sim/server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "out");
const adminKey = "sk-admin-fake-demo-key-0000000000000";
const anthropicKey = "sk-ant-admin01-fake-demo-key-0000000000";
const policyFile = "test/sim/sample-policy.yaml";

const now = new Date();
const sim = await startSimulator({ org: sampleOrg(now), adminKey });
const anthropicSim = await startAnthropicSimulator({ org: sampleAnthropicOrg(now), adminKey: anthropicKey });
const accounts: AccountSettings[] = [
  { name: "openai", provider: "openai", adminKeySecret: "OPENAI_ADMIN_KEY", adminKey, baseUrl: sim.url },
  { name: "anthropic", provider: "anthropic", adminKeySecret: "ANTHROPIC_ADMIN_KEY", adminKey: anthropicKey, baseUrl: anthropicSim.url },
];
try {
  console.log(`Simulated OpenAI Admin API at ${sim.url} (sample organization)`);
  console.log(`Simulated Anthropic Admin API at ${anthropicSim.url} (sample organization)\n`);
  const policyText = readFileSync(join(root, policyFile), "utf8");
  const { run, inventory } = await runAuditWithInventory({
    config: {},
    accounts,
    policy: { name: "sample-org", file: policyFile, text: policyText },
    trigger: "demo",
    enrich: readEnrichSettings(process.env),
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
    secrets: [adminKey, anthropicKey],
    previousManifestSha256: null,
    version: KEYWARDEN_VERSION,
    // The files a Worker's run has: the demo decides no revoke (that takes Slack), so none since ever.
    remediations: { window: { after: null, until: run.started_at }, items: [] },
    // Nor any acceptance before it: the one the demo makes below comes after the run, in the next run's evidence.
    acceptances: { window: { after: null, until: run.started_at }, events: [] },
  });
  const evidenceDir = join(out, "evidence");
  rmSync(evidenceDir, { recursive: true, force: true });
  for (const file of evidence.files) {
    mkdirSync(join(evidenceDir, evidence.prefix), { recursive: true });
    writeFileSync(join(evidenceDir, evidence.prefix, file.name), file.content);
  }
  // As in the Worker, the evidence exists before Slack hears of the run, so the report says where it is.
  const slack = renderSlackReport(
    { ...run, evidence: { stored: true, prefix: evidence.prefix, manifest_sha256: evidence.manifestSha256 } },
    { channel: "C0KEYWARDEN", acceptButtons: true },
  );
  const slackDir = join(out, "slack");
  rmSync(slackDir, { recursive: true, force: true });
  mkdirSync(slackDir, { recursive: true });
  writeFileSync(join(slackDir, "main.json"), blockKitBuilderJson(slack.main));
  slack.thread.forEach((message, i) => writeFileSync(join(slackDir, `thread-${String(i + 1).padStart(2, "0")}.json`), blockKitBuilderJson(message)));
  writeFileSync(join(slackDir, slack.csv.filename), slack.csv.content);
  console.log(`\nSlack main message (preview; Block Kit JSON in out/slack/, paste into https://app.slack.com/block-kit-builder):\n`);
  console.log(renderPlainTextPreview(slack.main));
  console.log(`\n+ ${slack.thread.length} thread message(s) and ${slack.csv.filename} in out/slack/`);

  // Owners are told: one message per owner with only their findings (Slack ids simulated from the emails).
  const firstRun = applyLifecycle(run, new Map());
  const resolutions = new Map<string, OwnerResolution>(
    firstRun.findings.map((f) => [
      f.fingerprint,
      f.owner.type === "user" && f.owner.email
        ? { kind: "user", id: `U${f.owner.email.split("@")[0]?.replace(/[^A-Za-z0-9]/g, "").toUpperCase()}` }
        : { kind: "report_channel", reason: "no owner", detail: "a service account with no owners route" },
    ]),
  );
  const plan = planOwnerMessages(firstRun, resolutions, { reportChannel: "C0KEYWARDEN" });
  for (const owner of plan.messages) {
    owner.messages.forEach((message, i) =>
      writeFileSync(join(slackDir, `owner-${owner.owner.id}${i > 0 ? `-${i}` : ""}.json`), blockKitBuilderJson({ channel: owner.owner.id, ...message })),
    );
  }
  // Named as the report thread's reply names them (their findings are only in the channel report).
  const unreachable = plan.unreachable.length === 0 ? "" : `: ${plan.unreachable.map((u) => `${printableLine(keyOwnerName(u.key_owner))}: ${u.findings} finding(s) (${u.reason})`).join(", ")}`;
  console.log(`\nOwner messages: ${plan.messages.map((m) => `${m.owner.id} (${m.findings.length})`).join(", ")} in out/slack/owner-*.json; not reachable: ${plan.unreachable.length}${unreachable}`);

  // A risk accepted from Slack (a simulated click on the first high finding's button, then the form).
  const target = firstRun.findings.find((f) => f.severity === "high");
  if (target) {
    const now = new Date();
    writeFileSync(join(slackDir, "accept-risk-modal.json"), `${JSON.stringify(acceptanceModal(target, firstRun.id, 90, now), null, 2)}\n`);
    const expires = new Date(now.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
    const form = readAcceptanceForm(
      { reason: { value: { value: "the team is moving to a new key this sprint" } }, expires: { value: { selected_date: expires } }, ticket: { value: { value: "https://tickets.example/SEC-42" } } },
      now,
      90,
    );
    if (!form.ok) throw new Error(`demo acceptance refused: ${JSON.stringify(form.errors)}`);
    const accepted_by = { id: "U0SECLEAD", name: "Security Lead" };
    const threadMessage = slack.thread.find((m) => m.blocks.some((b) => b.block_id === `f-${target.fingerprint}`));
    if (threadMessage) {
      const updated = markAccepted(threadMessage, target.fingerprint, { accepted_by_name: accepted_by.name, expires, reason: form.input.reason });
      writeFileSync(join(slackDir, "thread-after-acceptance.json"), `${JSON.stringify({ blocks: updated.blocks }, null, 2)}\n`);
    }
    const again = await runAuditWithInventory({
      config: {},
      accounts,
      policy: { name: "sample-org", file: policyFile, text: policyText },
      trigger: "demo",
      accepted: [{ id: "acc_demo000000000001", rule: target.rule_id, key: target.key.id, reason: form.input.reason, expires, ticket: "https://tickets.example/SEC-42", accepted_by, accepted_at: now.toISOString() }],
    });
    console.log(
      `Accepted in Slack (simulated): ${target.rule_id} on ${target.key.id} by ${accepted_by.name} until ${expires}; the next run has ${again.run.findings.length} findings (was ${run.findings.length}) and lists it as accepted. Modal and updated message in out/slack/.`,
    );
  }

  console.log(`\nEvidence: out/evidence/${evidence.prefix} (manifest sha256 ${evidence.manifestSha256})`);
  console.log("$ npx keywarden verify out/evidence");
  await verifyCommand([evidenceDir]);
} finally {
  await Promise.all([sim.close(), anthropicSim.close()]);
}
