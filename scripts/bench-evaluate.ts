/** Evaluation of 100,000 keys × 10 rules; run by scripts/bench.ts under a 128 MB heap ceiling. */
import type { KeyRecord } from "../src/model/inventory.js";
import { evaluate, loadPolicy } from "../src/policy/index.js";

const KEYS = 100_000;
const NOW = new Date("2026-11-25T00:00:00Z");
const DAY = 86_400_000;

const POLICY = `
version: 1
name: bench
rules:
  - { id: unused-90d, kind: unused, days: 90, severity: high }
  - { id: unused-30d-admin, kind: unused, days: 30, severity: medium, scope: { kinds: [admin] } }
  - { id: key-age-365d, kind: key-age, days: 365, severity: medium }
  - id: owner-not-allowed
    kind: owner-allowlist
    severity: medium
    allow: { emails: ["*@example.com", "*@corp.example.org"], service_accounts: ["ci-*", "svc-*"] }
  - { id: service-account-owner, kind: service-account-role, roles: [owner], severity: critical }
  - id: admin-key-no-expiry
    kind: match
    severity: medium
    where: { all: [ { field: kind, eq: admin }, { field: expires_at, absent: true } ] }
  - { id: owner-lost-access, kind: match, severity: high, where: { field: owner_access, eq: inactive } }
  - id: archived-project-key
    kind: match
    severity: low
    scope: { archived: only }
    where: { field: kind, eq: project }
  - id: prod-keys-by-people
    kind: match
    severity: low
    scope: { projects: ["prod-*"] }
    where: { all: [ { field: owner.type, eq: user }, { not: { field: name, glob: "*-ci" } } ] }
  - id: recent-unused
    kind: match
    severity: info
    where: { all: [ { field: last_used_at, absent: true }, { field: created_at, newer-than: 7d } ] }
`;

function makeKeys(): KeyRecord[] {
  const keys: KeyRecord[] = [];
  for (let i = 0; i < KEYS; i++) {
    const project = i % 50 === 0 ? null : { id: `proj_${i % 997}`, name: `${i % 3 === 0 ? "prod" : "dev"}-${i % 997}`, archived: i % 41 === 0 };
    const isServiceAccount = i % 7 === 0;
    keys.push({
      kind: project ? "project" : "admin",
      id: `key_${i}`,
      name: `key ${i}${i % 5 === 0 ? "-ci" : ""}`,
      redacted_value: `sk-proj-...${String(i).padStart(4, "0")}`,
      created_at: new Date(NOW.getTime() - (i % 800) * DAY).toISOString(),
      last_used_at: i % 9 === 0 ? null : new Date(NOW.getTime() - (i % 200) * DAY).toISOString(),
      expires_at: i % 4 === 0 ? new Date(NOW.getTime() + 30 * DAY).toISOString() : null,
      project,
      owner: isServiceAccount
        ? { type: "service_account", id: `sa_${i % 300}`, name: i % 2 ? `ci-${i % 300}` : `deploy-${i % 300}`, email: null, role: i % 3 === 0 ? "owner" : "member" }
        : { type: "user", id: `user_${i % 5000}`, name: `User ${i % 5000}`, email: i % 11 === 0 ? `u${i}@gmail.com` : `U${i}@Example.com`, role: "member" },
      owner_access: project ? (i % 13 === 0 ? "inactive" : "active") : null,
    });
  }
  return keys;
}

const loaded = loadPolicy(POLICY, "bench.yaml");
if (!loaded.ok) throw new Error(`bench policy invalid: ${JSON.stringify(loaded.errors)}`);
const keys = makeKeys();
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
let peak = heapBefore;
const started = performance.now();
const evaluation = evaluate(keys, loaded.policy, NOW);
const elapsed = performance.now() - started;
peak = Math.max(peak, process.memoryUsage().heapUsed);
const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
console.log(`Evaluation: ${KEYS.toLocaleString("en")} keys × ${loaded.policy.rules.length} rules`);
console.log(`  findings                 ${evaluation.findings.length.toLocaleString("en")}`);
console.log(`  time                     ${elapsed.toFixed(0)} ms (target < 1000 ms)`);
console.log(`  heap                     ${mb(heapBefore)} MB with the keys loaded → ${mb(peak)} MB after evaluation (process ran with --max-old-space-size=128; target < 128 MB)`);
