/**
 * `npm run evidence:example`: the evidence of the sample organization's run at a
 * fixed time, written to docs/examples/sample-org-evidence/ — the files
 * docs/evidence.md documents. A test rebuilds them and fails when they differ by
 * one byte, so the documentation cannot drift from the code.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runAuditWithInventory } from "../src/audit/run.js";
import { buildRunEvidence, importSigningKey } from "../src/report/evidence/index.js";
import { KEYWARDEN_VERSION } from "../src/version.js";
import { sampleOrg } from "../test/sim/sample-org.js";
import { startSimulator } from "../test/sim/server.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const EXAMPLE_DIR = join(root, "docs/examples/sample-org-evidence");
const NOW = new Date("2026-11-23T06:00:00.000Z");
const ADMIN_KEY = "sk-admin-example-not-a-real-key-000000";
/** A throwaway Ed25519 key, published on purpose: it signs only this example. */
export const EXAMPLE_SIGNING_KEY = "MC4CAQAwBQYDK2VwBCIEIPuMD6F32B2a+WkeTGglxg/V0JxKIwnzu78pX+ZKzbpB";

/** The example's files, path (relative to EXAMPLE_DIR) → bytes. */
export async function buildExampleEvidence(): Promise<Map<string, Uint8Array>> {
  const sim = await startSimulator({ org: sampleOrg(NOW), adminKey: ADMIN_KEY });
  try {
    const policyText = readFileSync(join(root, "test/sim/sample-policy.yaml"), "utf8");
    const { run, inventory } = await runAuditWithInventory({
      config: { adminKey: ADMIN_KEY, baseURL: sim.url },
      policy: { name: "sample-org", file: "test/sim/sample-policy.yaml", text: policyText },
      trigger: "cron",
      id: "run_20261123T060000Z_sample",
      now: () => NOW,
    });
    const signing = await importSigningKey(EXAMPLE_SIGNING_KEY);
    if (!signing.ok) throw new Error(signing.message);
    const evidence = await buildRunEvidence({
      run,
      inventory: inventory ? { keys: inventory.keys, projects: inventory.projects } : null,
      policyText,
      secrets: [ADMIN_KEY],
      previousManifestSha256: null,
      version: KEYWARDEN_VERSION,
      signingKey: signing.key,
    });
    return new Map(evidence.files.map((f) => [`${evidence.prefix}${f.name}`, f.content]));
  } finally {
    await sim.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  rmSync(EXAMPLE_DIR, { recursive: true, force: true });
  for (const [path, content] of await buildExampleEvidence()) {
    mkdirSync(dirname(join(EXAMPLE_DIR, path)), { recursive: true });
    writeFileSync(join(EXAMPLE_DIR, path), content);
  }
  console.log(`wrote ${EXAMPLE_DIR}`);
}
