/**
 * `npm run evidence:example` (from the repository root): the evidence of the sample
 * organization's run at a fixed time — the files docs/evidence.md documents:
 *
 * - docs/examples/sample-org-evidence/: the run's files, exactly as stored in R2 — the only
 *   thing in docs/examples/, so that `keywarden verify docs/examples` (what the README says)
 *   verifies: it fails on any file that is not evidence;
 * - docs/keywarden-evidence-2026-11-01-to-2026-11-30.zip: the period export
 *   (`GET /evidence?from=2026-11-01&to=2026-11-30`, saved under the name the Worker gives it);
 * - docs/sample-org-public-key.pem: the public key of the throwaway key that signs them (what
 *   `GET /evidence/public-key` serves), outside the evidence folder.
 *
 * The run has both kinds of exemption: the sample policy's (the break-glass admin key) and a
 * risk accepted in Slack (EXAMPLE_ACCEPTANCE) and a revoke decided before it (EXAMPLE_REMEDIATION);
 * its acceptances.json has a decision of each kind (EXAMPLE_ACCEPTANCE_DECISIONS): that acceptance,
 * one made and revoked before the run, and one whose last day ended before the run.
 *
 * A test rebuilds them and fails when they differ by one byte, so the documentation
 * cannot drift from the code.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runAuditWithInventory } from "../src/audit/run.js";
import { ENRICH_SOURCES } from "../src/model/enrichment.js";
import type { AcceptedExemption } from "../src/policy/index.js";
import { findingFingerprint } from "../src/policy/fingerprint.js";
import type { AcceptanceEvent } from "../src/model/acceptance.js";
import type { RemediationView } from "../src/model/remediation.js";
import { buildEvidenceZip, buildRunEvidence, derivePublicKey, importSigningKey } from "../src/evidence/index.js";
import { KEYWARDEN_VERSION } from "../src/version.js";
import { sampleOrg } from "../src/sim/sample-org.js";
import { startSimulator } from "../src/sim/server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Evidence only: `keywarden verify docs/examples` verifies it. */
export const EXAMPLES_DIR = join(root, "docs/examples");
export const EXAMPLE_DIR = join(EXAMPLES_DIR, "sample-org-evidence");
/** The period export of November 2026, named as `GET /evidence` names it; outside docs/examples/, which it would make fail verify. */
export const EXAMPLE_ZIP = join(root, "docs/keywarden-evidence-2026-11-01-to-2026-11-30.zip");
/** Outside the evidence, not in it. */
export const EXAMPLE_PUBLIC_KEY = join(root, "docs/sample-org-public-key.pem");
const PERIOD = { from: "2026-11-01", to: "2026-11-30" };
const NOW = new Date("2026-11-23T06:00:00.000Z");
const ADMIN_KEY = "sk-admin-example-not-a-real-key-000000";
/** A throwaway Ed25519 key, published on purpose: it signs only this example. */
export const EXAMPLE_SIGNING_KEY = "MC4CAQAwBQYDK2VwBCIEIPuMD6F32B2a+WkeTGglxg/V0JxKIwnzu78pX+ZKzbpB";
/** A risk accepted in Slack before the run: the old research key may stay until its experiment ends. */
/** A revoke decided before the run: requested, approved by a second person, executed and confirmed. */
export const EXAMPLE_REMEDIATION: RemediationView = {
  id: "rem_20261120_intern",
  status: "done",
  mode: "on",
  action: "delete_project_key",
  summary: 'Delete project key "intern laptop" (key_web_intern) of project "web" (proj_web)',
  request: { method: "DELETE", path: "/organization/projects/proj_web/api_keys/key_web_intern", body: null },
  keys_affected: [{ id: "key_web_intern", name: "intern laptop", kind: "project", project_id: "proj_web" }],
  policy: "sample-org",
  rule_id: "owner-not-allowed",
  key_id: "key_web_intern",
  fingerprint: "4b1d0c0ffee0000000000000intern01",
  reason: "the internship ended; the key's owner left the project",
  acknowledged_in_use: false,
  requested_by: "U0DANA0001",
  requested_by_name: "Dana Okafor",
  requested_at: "2026-11-20T09:12:00.000Z",
  approvals: [{ by: "U0SAM00002", name: "Sam Lee", at: "2026-11-20T09:40:00.000Z" }],
  decided_at: "2026-11-20T09:40:02.000Z",
  decided_by: null,
  executed_at: "2026-11-20T09:40:00.000Z",
  http_status: 200,
  outcome: 'Deleted project key "intern laptop" (key_web_intern); the listing no longer shows it.',
};

export const EXAMPLE_ACCEPTANCE: AcceptedExemption = {
  id: "acc_20261120_ml_ancient",
  rule: "key-age-365d",
  key: "key_ml_ancient",
  reason: "pinned by a running training experiment; rotated when it ends",
  expires: "2026-12-15",
  ticket: "https://tickets.example.com/SEC-142",
  accepted_by: { id: "U0DANA0001", name: "Dana Okafor" },
  accepted_at: "2026-11-20T14:05:00.000Z",
};

/** Accepted when the legacy project was archived; its last day ended two days before the run. */
export const EXAMPLE_EXPIRED_ACCEPTANCE: AcceptedExemption = {
  id: "acc_20261030_legacy",
  rule: "archived-project-key",
  key: "key_legacy_old",
  reason: "the legacy chatbot is shut down on 2026-11-21; its key goes with the project",
  expires: "2026-11-21",
  accepted_by: { id: "U0DANA0001", name: "Dana Okafor" },
  accepted_at: "2026-10-30T09:00:00.000Z",
};

const sam = { id: "U0SAM00002", name: "Sam Lee" };

/** The decisions on accepted risks before the run (the first run of its chain: all of them). */
export const EXAMPLE_ACCEPTANCE_DECISIONS: AcceptanceEvent[] = [
  decision(EXAMPLE_EXPIRED_ACCEPTANCE, "low", { at: EXAMPLE_EXPIRED_ACCEPTANCE.accepted_at, event: "accepted", by: EXAMPLE_EXPIRED_ACCEPTANCE.accepted_by, via: "slack" }),
  decision(
    {
      id: "acc_20261117_web_old",
      rule: "unused-90d",
      key: "key_web_old",
      reason: "Bob is back from leave next week and rotates it then",
      expires: "2026-12-01",
      accepted_by: sam,
      accepted_at: "2026-11-17T10:20:00.000Z",
    },
    "high",
    { at: "2026-11-17T10:20:00.000Z", event: "accepted", by: sam, via: "slack" },
    { at: "2026-11-19T16:45:00.000Z", event: "revoked", by: { id: null, name: "dana.okafor@example.com" }, via: "api", revoke_reason: "Bob left the company: the key is to be deleted" },
  ),
  decision(EXAMPLE_ACCEPTANCE, "medium", { at: EXAMPLE_ACCEPTANCE.accepted_at, event: "accepted", by: EXAMPLE_ACCEPTANCE.accepted_by, via: "slack" }),
  decision(EXAMPLE_EXPIRED_ACCEPTANCE, "low", { at: "2026-11-22T00:00:00.000Z", event: "expired", by: null, via: null }),
].flat();

type Decision = Pick<AcceptanceEvent, "at" | "event" | "via"> & { by: { id: string | null; name: string } | null; revoke_reason?: string };

function decision(a: AcceptedExemption, severity: string, ...decisions: Decision[]): AcceptanceEvent[] {
  const keyKind = a.key.startsWith("key_admin") ? "admin" : "project";
  return decisions.map((d) => ({
    at: d.at,
    event: d.event,
    acceptance_id: a.id,
    by_id: d.by?.id ?? null,
    by_name: d.by?.name ?? null,
    via: d.via,
    revoke_reason: d.revoke_reason ?? null,
    policy_name: "sample-org",
    rule_id: a.rule,
    key_id: a.key,
    fingerprint: findingFingerprint(a.rule, keyKind, a.key),
    severity,
    reason: a.reason,
    expires: a.expires,
    ticket: a.ticket ?? null,
    accepted_by_id: a.accepted_by.id,
    accepted_by_name: a.accepted_by.name,
    accepted_at: a.accepted_at,
  }));
}

export interface ExampleFiles {
  /** The run's files, path relative to EXAMPLE_DIR (`runs/yyyy/mm/<id>/<name>`) → bytes. */
  evidence: Map<string, Uint8Array>;
  /** The bytes of EXAMPLE_ZIP. */
  zip: Uint8Array;
  /** The text of EXAMPLE_PUBLIC_KEY: PEM SubjectPublicKeyInfo of EXAMPLE_SIGNING_KEY. */
  publicKeyPem: string;
}

/** Everything the example holds, built from the code. */
export async function buildExample(): Promise<ExampleFiles> {
  const sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY });
  try {
    const policyText = readFileSync(join(root, "test/sim/sample-policy.yaml"), "utf8");
    const { run, inventory } = await runAuditWithInventory({
      config: { adminKey: ADMIN_KEY, baseURL: sim.url },
      policy: { name: "sample-org", file: "test/sim/sample-policy.yaml", text: policyText },
      // As deployed: every enrichment source on (ENRICH's default).
      enrich: ENRICH_SOURCES,
      trigger: "cron",
      id: "run_20261123T060000Z_sample",
      now: () => NOW,
      // As the Worker passes them: every acceptance not revoked, the expired one included.
      accepted: [EXAMPLE_EXPIRED_ACCEPTANCE, EXAMPLE_ACCEPTANCE],
    });
    const signing = await importSigningKey(EXAMPLE_SIGNING_KEY);
    if (!signing.ok) throw new Error(signing.message);
    const evidence = await buildRunEvidence({
      run,
      inventory: inventory ? { keys: inventory.keys, projects: inventory.projects } : null,
      policyText,
      secrets: [ADMIN_KEY],
      previousManifestSha256: null,
      remediations: { window: { after: null, until: run.started_at }, items: [EXAMPLE_REMEDIATION] },
      acceptances: { window: { after: null, until: run.started_at }, events: EXAMPLE_ACCEPTANCE_DECISIONS },
      version: KEYWARDEN_VERSION,
      signingKey: signing.key,
    });
    const stored = { prefix: evidence.prefix, files: Object.fromEntries(evidence.files.map((f) => [f.name, f.content])) };
    return {
      evidence: new Map(evidence.files.map((f) => [`${evidence.prefix}${f.name}`, f.content])),
      zip: await buildEvidenceZip([stored], PERIOD, [], { signingKey: signing.key, version: KEYWARDEN_VERSION }),
      publicKeyPem: (await derivePublicKey(signing.key)).pem,
    };
  } finally {
    await sim.close();
  }
}

/** The example's run files, path relative to EXAMPLE_DIR → bytes. */
export async function buildExampleEvidence(): Promise<Map<string, Uint8Array>> {
  return (await buildExample()).evidence;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const example = await buildExample();
  rmSync(EXAMPLE_DIR, { recursive: true, force: true });
  for (const [path, content] of example.evidence) {
    mkdirSync(dirname(join(EXAMPLE_DIR, path)), { recursive: true });
    writeFileSync(join(EXAMPLE_DIR, path), content);
  }
  writeFileSync(EXAMPLE_ZIP, example.zip);
  writeFileSync(EXAMPLE_PUBLIC_KEY, example.publicKeyPem);
  console.log(`wrote ${EXAMPLE_DIR}/, ${EXAMPLE_ZIP} and ${EXAMPLE_PUBLIC_KEY}`);
}
