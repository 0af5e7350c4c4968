import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/model/run.js";
import type { KeyRecord, ProjectRecord } from "../../src/model/inventory.js";
import { findingFingerprint } from "../../src/policy/fingerprint.js";
import {
  ACCEPTANCES_CSV_COLUMNS,
  EXEMPTIONS_CSV_COLUMNS,
  FINDINGS_CSV_COLUMNS,
  INVENTORY_CSV_COLUMNS,
  type EvidenceSigningKey,
  type RunEvidence,
  type StoredRun,
  buildEvidenceFiles,
  buildEvidenceZip,
  buildRunEvidence,
  derivePublicKey,
  evidencePrefix,
  importPublicKey,
  importSigningKey,
  manifestSha256,
  monthPrefixes,
  parseManifest,
  readEvidenceZip,
  serializeManifest,
  signManifest,
  verifyEvidence,
  verifyManifestSignature,
} from "../../src/evidence/index.js";
import { toBase64 } from "../../src/util/base64.js";
import { sha256Hex } from "../../src/util/hash.js";
import { WATCH_CSV_COLUMNS } from "../../src/evidence/watch.js";

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const POLICY = [
  "version: 1",
  "name: default",
  "rules:",
  "  - id: unused-90d",
  "    kind: unused",
  "    days: 90",
  "    severity: high",
  "exemptions:",
  "  - rule: unused-90d",
  "    key: key_admin_ci",
  "    reason: break-glass admin key, kept offline",
  '    expires: "2027-03-31"',
  "    approved_by: security@example.com",
  "",
].join("\n");

const PROJECTS: ProjectRecord[] = [
  { id: "proj_web", name: "web-app", created_at: "2025-11-02T06:00:00.000Z", archived: false, archived_at: null },
  { id: "proj_old", name: 'legacy, "v1"', created_at: "2024-01-10T00:00:00.000Z", archived: true, archived_at: "2026-03-01T00:00:00.000Z" },
];
const WEB_KEY: KeyRecord = {
  kind: "project",
  id: "key_web_prod",
  name: '=HYPERLINK("x")',
  redacted_value: "sk-proj-...9xYz",
  created_at: "2026-01-05T10:00:00.000Z",
  last_used_at: "2026-07-03T10:00:00.000Z",
  expires_at: null,
  project: { id: "proj_web", name: "web-app", archived: false },
  owner: { type: "user", id: "user_bob", name: "Bob Chen", email: "bob@example.com", role: "member" },
  owner_access: "active",
};
const ADMIN_KEY: KeyRecord = {
  kind: "admin",
  id: "key_admin_ci",
  name: "ci admin",
  redacted_value: "sk-admin-...Ab12",
  created_at: "2025-06-01T00:00:00.000Z",
  last_used_at: null,
  expires_at: null,
  project: null,
  owner: { type: "service_account", id: "user_svc", name: "svc-admin-bot", email: null, role: "owner" },
  owner_access: null,
};
const INVENTORY = { keys: [WEB_KEY, ADMIN_KEY], projects: PROJECTS };

function fixtureRun(overrides: Partial<AuditRun> = {}): AuditRun {
  const { project, owner, ...key } = WEB_KEY;
  return {
    id: "run_20261102T060000Z_a1b2c3",
    trigger: "cron",
    policy: { name: "default", file: "policies/default.yaml", sha256: sha256Hex(POLICY) },
    started_at: "2026-11-02T06:00:00.000Z",
    finished_at: "2026-11-02T06:00:04.250Z",
    status: "complete",
    counts: {
      admin_keys: 1,
      projects: 2,
      archived_projects: 1,
      project_keys: 1,
      users: 3,
      api_requests: 5,
      findings: { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 },
    },
    findings: [
      {
        rule_id: "unused-90d",
        rule_kind: "unused",
        severity: "high",
        fingerprint: findingFingerprint("unused-90d", "project", "key_web_prod"),
        sentence: "last used 122 days ago, on 2026-07-03",
        remediation: "revoke it: unused keys are pure risk; if it is still needed, rotate it",
        dashboard_url: "https://platform.openai.com/settings/proj_web/api-keys",
        key,
        project,
        owner,
        lifecycle: "new",
      },
    ],
    exemptions: [
      {
        rule_id: "unused-90d",
        key_id: "key_admin_ci",
        reason: "break-glass admin key, kept offline",
        expires: "2027-03-31",
        fingerprint: findingFingerprint("unused-90d", "admin", "key_admin_ci"),
        source: "policy",
        approved_by: "security@example.com",
      },
    ],
    exemption_notices: [],
    exemptions_in_force: [
      { rule_id: "unused-90d", key_id: "key_admin_ci", reason: "break-glass admin key, kept offline", expires: "2027-03-31", status: "applied", source: "policy", approved_by: "security@example.com" },
    ],
    errors: [],
    ...overrides,
  };
}

const filesOf = (ev: RunEvidence): Record<string, Uint8Array> => Object.fromEntries(ev.files.map((f) => [f.name, f.content]));
const stored = (ev: RunEvidence): StoredRun => ({ prefix: ev.prefix, files: filesOf(ev) });

/** A deep copy, so a test can tamper with it. */
function treeOf(runs: readonly StoredRun[]): Map<string, Record<string, Uint8Array>> {
  return new Map(runs.map((r) => [r.prefix, Object.fromEntries(Object.entries(r.files).map(([n, b]) => [n, new Uint8Array(b)]))]));
}

function flipByte(bytes: Uint8Array, at = Math.floor(bytes.length / 2)): Uint8Array {
  const copy = new Uint8Array(bytes);
  copy[at] = (copy[at] ?? 0) ^ 0x01;
  return copy;
}

async function newSigningKey(): Promise<{ pem: string; key: EvidenceSigningKey }> {
  const pair = (await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"])) as CryptoKeyPair;
  const pkcs8 = new Uint8Array((await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer);
  const pem = `-----BEGIN PRIVATE KEY-----\n${toBase64(pkcs8)}\n-----END PRIVATE KEY-----\n`;
  const imported = await importSigningKey(pem);
  if (!imported.ok) throw new Error(imported.message);
  return { pem, key: imported.key };
}

const CHAIN_STARTS = ["2026-10-26T06:00:00.000Z", "2026-11-02T06:00:00.000Z", "2026-11-09T06:00:00.000Z", "2026-11-16T06:00:00.000Z"];

/** Four weekly runs, each linked to the previous one; the first is failed (no inventory), like a bad first deploy. */
async function buildChain(signingKey?: EvidenceSigningKey, firstPrevious: string | null = null): Promise<{ runs: StoredRun[]; evidence: RunEvidence[] }> {
  const evidence: RunEvidence[] = [];
  let previous = firstPrevious;
  for (const [i, started] of CHAIN_STARTS.entries()) {
    const id = `run_${started.slice(0, 10).replaceAll("-", "")}T060000Z_00000${i}`;
    const failed = i === 0;
    const run = failed
      ? fixtureRun({ id, started_at: started, finished_at: started, status: "failed", failure: { reason: "bad credentials", details: [] }, findings: [] })
      : fixtureRun({ id, started_at: started, finished_at: started.replace("06:00:00", "06:00:05") });
    const ev = await buildRunEvidence({
      run,
      inventory: failed ? null : INVENTORY,
      policyText: POLICY,
      previousManifestSha256: previous,
      version: "0.1.0",
      signingKey: signingKey ?? null,
    });
    evidence.push(ev);
    previous = ev.manifestSha256;
  }
  return { runs: evidence.map(stored), evidence };
}

const idOf = (ev: RunEvidence | undefined) => ev?.manifest.run.id ?? "";

describe("evidence files of one run", () => {
  it("are exactly the documented bytes", async () => {
    const ev = await buildRunEvidence({ run: fixtureRun(), inventory: INVENTORY, policyText: POLICY, previousManifestSha256: null, version: "0.1.0" });
    const files = filesOf(ev);
    expect(ev.prefix).toBe("runs/2026/11/run_20261102T060000Z_a1b2c3/");
    expect(ev.files.map((f) => [f.name, f.contentType])).toEqual([
      ["exemptions.csv", "text/csv; charset=utf-8; header=present"],
      ["exemptions.json", "application/json; charset=utf-8"],
      ["findings.csv", "text/csv; charset=utf-8; header=present"],
      ["findings.json", "application/json; charset=utf-8"],
      ["inventory.csv", "text/csv; charset=utf-8; header=present"],
      ["inventory.json", "application/json; charset=utf-8"],
      ["policy.yaml", "application/yaml; charset=utf-8"],
      ["manifest.json", "application/json; charset=utf-8"],
    ]);
    expect(text(files["policy.yaml"])).toBe(POLICY);
    expect(text(files["findings.csv"])).toBe(docExample("findings.csv"));
    expect(text(files["inventory.csv"])).toBe(docExample("inventory.csv"));
    expect(text(files["findings.json"])).toBe(docExample("findings.json"));
    expect(text(files["inventory.json"])).toBe(docExample("inventory.json"));
    expect(text(files["exemptions.csv"])).toBe(docExample("exemptions.csv"));
    expect(text(files["exemptions.json"])).toBe(docExample("exemptions.json"));
    expect(text(files["manifest.json"])).toBe(docExample("manifest.json"));
    expect(ev.manifestSha256).toBe(sha256Hex(files["manifest.json"] as Uint8Array));
  });

  it("do not depend on input order or object key order", async () => {
    const a = buildEvidenceFiles({ run: fixtureRun(), inventory: INVENTORY, policyText: POLICY });
    const shuffledKeys = [ADMIN_KEY, WEB_KEY].map((k) => Object.fromEntries(Object.entries(k).reverse()) as unknown as KeyRecord);
    const b = buildEvidenceFiles({ run: fixtureRun(), inventory: { keys: shuffledKeys, projects: [...PROJECTS].reverse() }, policyText: POLICY });
    expect(b.map((f) => text(f.content))).toEqual(a.map((f) => text(f.content)));
  });

  it("sort findings worst first, then by rule and key", () => {
    const base = fixtureRun().findings[0]!;
    const finding = (severity: "low" | "critical" | "high", rule_id: string, id: string) => ({ ...base, severity, rule_id, key: { ...base.key, id } });
    const run = fixtureRun({ findings: [finding("low", "a", "k1"), finding("critical", "z", "k2"), finding("high", "b", "k9"), finding("high", "b", "k3")] });
    const csv = text(buildEvidenceFiles({ run, inventory: INVENTORY, policyText: POLICY }).find((f) => f.name === "findings.csv")?.content);
    const rows = csv.trimEnd().split("\r\n").slice(1).map((line) => line.split(",").slice(1, 3).join(" "));
    expect(rows).toEqual(["critical z", "high b", "high b", "low a"]);
    expect(csv).toMatch(/k3[\s\S]*k9/);
  });

  it("of a failed run: findings.json with the reason and the policy, no CSV or inventory that would read as 'nothing found'", () => {
    const run = fixtureRun({ status: "failed", failure: { reason: "policy policies/default.yaml is invalid", details: ["line 3: bad"] }, findings: [] });
    const files = buildEvidenceFiles({ run, inventory: null, policyText: POLICY });
    expect(files.map((f) => f.name)).toEqual(["findings.json", "policy.yaml"]);
    const doc = JSON.parse(text(files[0]?.content));
    expect(doc.status).toBe("failed");
    expect(doc.failure).toEqual({ reason: "policy policies/default.yaml is invalid", details: ["line 3: bad"] });
  });

  it("of an incomplete run: says what was not seen", () => {
    const run = fixtureRun({
      status: "incomplete",
      errors: [
        { scope: { list: "project_api_keys", project_id: "proj_ml", project_name: "ml" }, kind: "http", status: 500, message: "HTTP 500", where: 'API keys of project "ml" (proj_ml)' },
        { scope: { list: "admin_api_keys" }, kind: "network", message: "timeout", where: "admin API keys" },
      ],
    });
    const doc = JSON.parse(text(buildEvidenceFiles({ run, inventory: INVENTORY, policyText: POLICY }).find((f) => f.name === "findings.json")?.content));
    expect(doc.status).toBe("incomplete");
    expect(doc.errors).toEqual([
      { where: 'API keys of project "ml" (proj_ml)', kind: "http", status: 500, message: "HTTP 500", scope: { list: "project_api_keys", project_id: "proj_ml", project_name: "ml" }, account: null },
      { where: "admin API keys", kind: "network", status: null, message: "timeout", scope: { list: "admin_api_keys" }, account: null },
    ]);
  });

  it("live under runs/<yyyy>/<mm>/<run id>/ by the UTC start", () => {
    expect(evidencePrefix({ id: "run_x", started_at: "2026-12-31T23:59:59.000Z" })).toBe("runs/2026/12/run_x/");
    expect(evidencePrefix({ id: "run_y", started_at: "2027-01-01T00:30:00+01:00" })).toBe("runs/2026/12/run_y/");
    expect(() => evidencePrefix({ id: "../etc", started_at: "2026-12-31T00:00:00.000Z" })).toThrow(/cannot be used/);
    expect(monthPrefixes(new Date("2026-11-20T00:00:00Z"), new Date("2027-02-01T00:00:00Z"))).toEqual([
      "runs/2026/11/",
      "runs/2026/12/",
      "runs/2027/01/",
      "runs/2027/02/",
    ]);
  });
});

describe("manifest", () => {
  it("lists every file with its SHA-256 and size, sorted by name, and round-trips", async () => {
    const ev = await buildRunEvidence({ run: fixtureRun(), inventory: INVENTORY, policyText: POLICY, previousManifestSha256: "ab".repeat(32), version: "1.2.3" });
    const files = filesOf(ev);
    expect(ev.manifest.files.map((f) => f.name)).toEqual(["exemptions.csv", "exemptions.json", "findings.csv", "findings.json", "inventory.csv", "inventory.json", "policy.yaml"]);
    for (const entry of ev.manifest.files) {
      const content = files[entry.name] as Uint8Array;
      expect(entry).toEqual({ name: entry.name, sha256: sha256Hex(content), size: content.length });
    }
    expect(ev.manifest.run.policy.sha256).toBe(ev.manifest.files.find((f) => f.name === "policy.yaml")?.sha256);
    expect(ev.manifest.previous_manifest_sha256).toBe("ab".repeat(32));
    expect(ev.manifest.keywarden_version).toBe("1.2.3");
    const parsed = parseManifest(files["manifest.json"] as Uint8Array);
    expect(parsed.ok && text(serializeManifest(parsed.manifest))).toBe(text(files["manifest.json"]));
    expect(manifestSha256(files["manifest.json"] as Uint8Array)).toBe(ev.manifestSha256);
  });
});

describe("signing keys", () => {
  it("accepts PKCS#8 PEM, PEM with escaped newlines, base64 DER, JWK and a bare seed, all naming the same public key", async () => {
    const { pem, key } = await newSigningKey();
    const der = pem.split("\n")[1] as string;
    const jwk = (await crypto.subtle.exportKey("jwk", key.privateKey)) as JsonWebKey;
    const seed = toBase64(Uint8Array.from(atob((jwk.d as string).replaceAll("-", "+").replaceAll("_", "/") + "="), (c) => c.charCodeAt(0)));
    const forms = [pem, pem.replaceAll("\n", "\\n"), der, ` ${der}\n`, JSON.stringify(jwk), seed];
    const published = await derivePublicKey(pem);
    for (const form of forms) {
      const imported = await importSigningKey(form);
      expect(imported.ok && imported.key.publicKey.sha256).toBe(published.sha256);
    }
    expect(published.pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=]{60}\n-----END PUBLIC KEY-----\n$/);
    expect(published.sha256).toBe(sha256Hex(Uint8Array.from(atob(published.spki_base64), (c) => c.charCodeAt(0))));
    for (const form of [published.pem, published.spki_base64, JSON.stringify(published.jwk)]) {
      const imported = await importPublicKey(form);
      expect(imported.ok && imported.key.sha256).toBe(published.sha256);
    }
  });

  it("rejects what is not an Ed25519 key, with a reason", async () => {
    for (const bad of ["", "not a key", "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----", '{"kty":"RSA"}', "AAAA"]) {
      const result = await importSigningKey(bad);
      expect(result.ok, bad).toBe(false);
      expect(!result.ok && result.message).toMatch(/signing key/);
    }
    const { pem } = await newSigningKey();
    const asPublic = await importPublicKey(pem);
    expect(!asPublic.ok && asPublic.message).toMatch(/private key/);
  });

  it("signs the exact manifest bytes", async () => {
    const { key } = await newSigningKey();
    const bytes = new TextEncoder().encode('{"a":1}\n');
    const signature = await signManifest(bytes, key);
    expect(await verifyManifestSignature(bytes, signature, key.publicKey)).toBe(true);
    expect(await verifyManifestSignature(flipByte(bytes), signature, key.publicKey)).toBe(false);
    expect(await verifyManifestSignature(bytes, "not base64!", key.publicKey)).toBe(false);
  });
});

describe("verify", () => {
  it("accepts a chain of four runs (one failed), signed or not", async () => {
    const unsigned = await buildChain();
    const report = await verifyEvidence(treeOf(unsigned.runs));
    expect(report).toEqual({ ok: true, runs: 4, problems: [], notes: [`run ${idOf(unsigned.evidence[0])} is the first run of the chain`, "no manifest is signed"] });

    const { key } = await newSigningKey();
    const signed = await buildChain(key);
    expect(signed.runs.map((r) => r.prefix)).toEqual([
      `runs/2026/10/${idOf(signed.evidence[0])}/`,
      `runs/2026/11/${idOf(signed.evidence[1])}/`,
      `runs/2026/11/${idOf(signed.evidence[2])}/`,
      `runs/2026/11/${idOf(signed.evidence[3])}/`,
    ]);
    const checked = await verifyEvidence(treeOf(signed.runs), { publicKey: key.publicKey });
    expect(checked.problems).toEqual([]);
    expect(checked.ok).toBe(true);
    const unchecked = await verifyEvidence(treeOf(signed.runs));
    expect(unchecked.ok).toBe(true);
    expect(unchecked.notes).toContain("signatures not checked: 4 of 4 manifests are signed; pass the public key to check them");
  });

  it.each(["findings.json", "findings.csv", "exemptions.json", "exemptions.csv", "inventory.json", "inventory.csv", "policy.yaml"])("names the run and the file when one byte of %s changes", async (name) => {
    const { runs, evidence } = await buildChain();
    const tree = treeOf(runs);
    const files = tree.get(runs[2]!.prefix)!;
    files[name] = flipByte(files[name]!);
    const report = await verifyEvidence(tree);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([{ run: idOf(evidence[2]), file: name, message: expect.stringMatching(/^altered: .* the manifest says/) }]);
  });

  it("names the altered run and breaks the chain after it when its manifest changes", async () => {
    const { key } = await newSigningKey();
    const { runs, evidence } = await buildChain(key);
    const tree = treeOf(runs);
    const files = tree.get(runs[1]!.prefix)!;
    const manifest = text(files["manifest.json"]);
    files["manifest.json"] = new TextEncoder().encode(manifest.replace('"high": 1', '"high": 0'));
    const report = await verifyEvidence(tree, { publicKey: key.publicKey });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      { run: idOf(evidence[1]), file: "manifest.sig", message: expect.stringMatching(/^wrong signature/) },
      { run: idOf(evidence[2]), message: expect.stringContaining(`chain broken between run ${idOf(evidence[1])} and run ${idOf(evidence[2])}: run(s) missing or altered`) },
    ]);
  });

  it("names a run whose manifest no longer parses, and the chain breaks around it", async () => {
    const { runs, evidence } = await buildChain();
    const tree = treeOf(runs);
    const files = tree.get(runs[2]!.prefix)!;
    files["manifest.json"] = flipByte(files["manifest.json"]!, 0);
    const report = await verifyEvidence(tree);
    expect(report.problems).toEqual([
      { run: idOf(evidence[2]), file: "manifest.json", message: expect.stringMatching(/^manifest.json is not valid UTF-8 JSON: the manifest was altered/) },
      { run: idOf(evidence[3]), message: expect.stringContaining(`chain broken between run ${idOf(evidence[1])} and run ${idOf(evidence[3])}`) },
    ]);
  });

  it("names the neighbours when a run is deleted from the middle of the chain", async () => {
    const { runs, evidence } = await buildChain();
    const tree = treeOf(runs);
    tree.delete(runs[1]!.prefix);
    const report = await verifyEvidence(tree);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        run: idOf(evidence[2]),
        message: `chain broken between run ${idOf(evidence[0])} and run ${idOf(evidence[2])}: run(s) missing or altered (${idOf(evidence[2])} links to manifest ${evidence[1]!.manifestSha256}, but the manifest of ${idOf(evidence[0])} hashes to ${evidence[0]!.manifestSha256})`,
      },
    ]);
  });

  it("accepts a period that starts mid-chain, saying so", async () => {
    const { runs, evidence } = await buildChain(undefined, "cd".repeat(32));
    const report = await verifyEvidence(treeOf(runs));
    expect(report.ok).toBe(true);
    expect(report.notes[0]).toBe(`run ${idOf(evidence[0])} links to manifest ${"cd".repeat(32)}, of a run before these (not checked)`);
  });

  it("fails on a wrong signature, a wrong public key, a missing signature, or an unsigned manifest when a key is given", async () => {
    const { key } = await newSigningKey();
    const other = await newSigningKey();
    const { runs, evidence } = await buildChain(key);

    const forged = treeOf(runs);
    forged.get(runs[3]!.prefix)!["manifest.sig"] = new TextEncoder().encode(`${await signManifest(new TextEncoder().encode("other"), key)}\n`);
    expect((await verifyEvidence(forged, { publicKey: key.publicKey })).problems).toEqual([
      { run: idOf(evidence[3]), file: "manifest.sig", message: expect.stringMatching(/^wrong signature/) },
    ]);

    const wrongKey = await verifyEvidence(treeOf(runs), { publicKey: other.key.publicKey });
    expect(wrongKey.ok).toBe(false);
    expect(wrongKey.problems).toHaveLength(4);
    expect(wrongKey.problems[0]).toEqual({ run: idOf(evidence[0]), file: "manifest.sig", message: expect.stringMatching(/^signed with another key \(public key sha256 [0-9a-f]{64}\), not the given one/) });

    const stripped = treeOf(runs);
    delete stripped.get(runs[0]!.prefix)!["manifest.sig"];
    for (const opts of [{}, { publicKey: key.publicKey }]) {
      expect((await verifyEvidence(stripped, opts)).problems).toEqual([
        { run: idOf(evidence[0]), file: "manifest.sig", message: "missing, although the manifest says it is signed" },
      ]);
    }

    const unsigned = await buildChain();
    const report = await verifyEvidence(treeOf(unsigned.runs), { publicKey: key.publicKey });
    expect(report.problems.map((p) => [p.run, p.file, p.message])).toEqual(
      unsigned.evidence.map((ev) => [idOf(ev), "manifest.sig", "missing: the manifest is not signed, and a public key was given"]),
    );
  });

  it("fails on unlisted files, orphaned directories, runs stored under another id, and unmatched anchors", async () => {
    const { runs, evidence } = await buildChain();
    const tree = treeOf(runs);
    tree.get(runs[0]!.prefix)!["extra.txt"] = new TextEncoder().encode("hi");
    const report = await verifyEvidence(tree, {
      orphans: [
        { dir: "runs/2026/11/run_gone/", files: ["findings.json"] },
        { dir: "", files: ["README.txt", "public.pem"] },
      ],
      anchors: [evidence[3]!.manifestSha256, "ef".repeat(32)],
    });
    expect(report.problems).toEqual([
      { run: idOf(evidence[0]), file: "extra.txt", message: "not listed in the manifest" },
      { message: `anchor ${"ef".repeat(32)} is the hash of no manifest here: that run is missing or its manifest was altered` },
      { run: "run_gone", message: "runs/2026/11/run_gone/ holds findings.json but no manifest.json" },
    ]);
    expect(report.notes).toContain("ignored ./: README.txt, public.pem (not evidence)");

    const moved = treeOf(runs);
    moved.set("runs/2026/11/run_other/", moved.get(runs[1]!.prefix)!);
    moved.delete(runs[1]!.prefix);
    expect((await verifyEvidence(moved)).problems).toEqual([
      { run: idOf(evidence[1]), message: `stored under runs/2026/11/run_other/ but its manifest is for run ${idOf(evidence[1])}` },
    ]);

    expect((await verifyEvidence(new Map())).problems).toEqual([{ message: "no evidence found: no manifest.json anywhere" }]);
  });
});

describe("period ZIP", () => {
  it("holds every run and an index in chain order, is deterministic, and verifies", async () => {
    const { key } = await newSigningKey();
    const { runs, evidence } = await buildChain(key);
    const period = { from: "2026-10-01T00:00:00.000Z", to: "2026-11-30T23:59:59.999Z" };
    const zip = await buildEvidenceZip([...runs].reverse(), period);
    expect(await buildEvidenceZip(runs, period)).toEqual(zip);

    const read = readEvidenceZip(zip);
    if (!read.ok) throw new Error(read.message);
    expect([...read.tree.runs.keys()]).toEqual(runs.map((r) => r.prefix));
    const index = JSON.parse(text(read.tree.index ?? undefined));
    expect(index.format).toBe("keywarden-evidence-index/1");
    expect(index.period).toEqual(period);
    expect(index.runs.map((r: { id: string; manifest_sha256: string; previous_manifest_sha256: string | null }) => [r.id, r.manifest_sha256, r.previous_manifest_sha256])).toEqual(
      evidence.map((ev, i) => [idOf(ev), ev.manifestSha256, i === 0 ? null : evidence[i - 1]!.manifestSha256]),
    );
    expect(index.runs[1]).toEqual({
      id: idOf(evidence[1]),
      prefix: runs[1]!.prefix,
      started_at: "2026-11-02T06:00:00.000Z",
      finished_at: "2026-11-02T06:00:05.000Z",
      status: "complete",
      trigger: "cron",
      findings: { critical: 0, high: 1, medium: 0, low: 0, info: 0, total: 1 },
      manifest_sha256: evidence[1]!.manifestSha256,
      previous_manifest_sha256: evidence[0]!.manifestSha256,
      signed: true,
    });

    const report = await verifyEvidence(read.tree.runs, { publicKey: key.publicKey, index: read.tree.index, orphans: read.tree.orphans });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("a run deleted from the ZIP is named by the chain and by the index", async () => {
    const { runs, evidence } = await buildChain();
    const read = readEvidenceZip(await buildEvidenceZip(runs, { from: "a", to: "b" }));
    if (!read.ok) throw new Error(read.message);
    read.tree.runs.delete(runs[2]!.prefix);
    const report = await verifyEvidence(read.tree.runs, { index: read.tree.index });
    expect(report.problems.map((p) => p.message)).toEqual([
      expect.stringContaining(`chain broken between run ${idOf(evidence[1])} and run ${idOf(evidence[3])}`),
      "listed in the index, but its evidence is missing",
    ]);
  });

  it("lists a run of the period that stored no evidence, and verification fails naming it", async () => {
    const { runs } = await buildChain();
    const gap = { id: "run_20261103T060000Z_nostor", started_at: "2026-11-03T06:00:00.000Z", status: "complete", reason: "R2 put failed" };
    const read = readEvidenceZip(await buildEvidenceZip(runs, { from: "a", to: "b" }, [gap]));
    if (!read.ok) throw new Error(read.message);
    expect(JSON.parse(new TextDecoder().decode(read.tree.index!)).runs_without_evidence).toEqual([{ ...gap, failed_before_evidence: false }]);
    const report = await verifyEvidence(read.tree.runs, { index: read.tree.index });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([expect.objectContaining({ run: gap.id, message: `run ${gap.id} (complete) has no stored evidence: R2 put failed` })]);
  });

  it("refuses what is not a ZIP", () => {
    expect(readEvidenceZip(new TextEncoder().encode("hello")).ok).toBe(false);
  });
});

describe("secrets", () => {
  const SECRETS = {
    OPENAI_ADMIN_KEY: "sk-admin-SuperSecretAdminKey0123456789abcdef",
    SLACK_BOT_TOKEN: "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp",
    SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5",
    AUDIT_API_TOKEN: "kw-audit-token-Zq8yX7wV6uT5sR4q",
  };

  it("never reach any evidence file, whatever field carries them; redacted key values stay", async () => {
    const { pem, key } = await newSigningKey();
    const secrets = [...Object.values(SECRETS), pem];
    const leakyKey: KeyRecord = { ...WEB_KEY, name: `deploy ${SECRETS.SLACK_BOT_TOKEN}`, owner: { ...WEB_KEY.owner, name: SECRETS.AUDIT_API_TOKEN } };
    const { project, owner, ...keyFields } = leakyKey;
    const run = fixtureRun({
      status: "incomplete",
      findings: [{ ...fixtureRun().findings[0]!, key: keyFields, project, owner, sentence: `signed with ${SECRETS.SLACK_SIGNING_SECRET}` }],
      errors: [{ scope: { list: "admin_api_keys" }, kind: "auth", status: 401, message: `Incorrect API key provided: ${SECRETS.OPENAI_ADMIN_KEY}`, where: "admin API keys" }],
      exemptions: [{ rule_id: "unused-90d", key_id: "key_admin_ci", reason: `ok per ${SECRETS.AUDIT_API_TOKEN}`, expires: "2027-01-01", fingerprint: "f" }],
    });
    const ev = await buildRunEvidence({
      run,
      inventory: { keys: [leakyKey, ADMIN_KEY], projects: PROJECTS },
      policyText: `${POLICY}# token: ${SECRETS.SLACK_BOT_TOKEN}\n`,
      previousManifestSha256: null,
      version: "0.1.0",
      signingKey: key,
      secrets,
    });
    const secretLike = [/sk-[A-Za-z0-9_-]{16,}/, /xox[abposr]-[A-Za-z0-9-]{8,}/, /BEGIN PRIVATE KEY/];
    for (const file of ev.files) {
      const content = text(file.content);
      for (const secret of [...secrets, pem.split("\n")[1] as string]) expect(content, file.name).not.toContain(secret);
      for (const pattern of secretLike) expect(content, file.name).not.toMatch(pattern);
    }
    const files = filesOf(ev);
    for (const name of ["findings.json", "findings.csv", "inventory.json", "inventory.csv"]) {
      expect(text(files[name]), name).toContain("sk-proj-...9xYz");
      expect(text(files[name]), name).toContain("[REDACTED]");
    }
    expect(text(files["inventory.csv"])).toContain("sk-admin-...Ab12");
    // The stored policy is no longer the evaluated text, and verify says so.
    const report = await verifyEvidence(new Map([[ev.prefix, files]]), { publicKey: key.publicKey });
    expect(report.problems).toEqual([{ run: run.id, file: "policy.yaml", message: expect.stringMatching(/^is not the evaluated policy/) }]);
  });
});

describe("docs/evidence.md", () => {
  it("documents the CSV columns in order", () => {
    const doc = readFileSync(new URL("../../docs/evidence.md", import.meta.url), "utf8");
    for (const [heading, columns] of [
      ["### findings.csv", FINDINGS_CSV_COLUMNS],
      ["### inventory.csv", INVENTORY_CSV_COLUMNS],
      ["### exemptions.csv", EXEMPTIONS_CSV_COLUMNS],
      ["### acceptances.csv", ACCEPTANCES_CSV_COLUMNS],
      ["### watch.csv", WATCH_CSV_COLUMNS],
    ] as const) {
      const section = doc.slice(doc.indexOf(heading));
      const table = section.slice(0, section.indexOf("\n\n", section.indexOf("| ---")));
      const documented = [...table.matchAll(/^\| `([a-z0-9_]+)` \|/gm)].map((m) => m[1]);
      expect(documented, heading).toEqual([...columns]);
    }
  });
});

/** The fenced example following `<!-- example: NAME -->` in docs/evidence.md. */
function docExample(name: string): string {
  const doc = readFileSync(new URL("../../docs/evidence.md", import.meta.url), "utf8");
  const marker = `<!-- example: ${name} -->`;
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`docs/evidence.md has no ${marker}`);
  const fence = /```[a-z]*\n([\s\S]*?)```/.exec(doc.slice(at));
  const body = fence?.[1] ?? "";
  // CSV examples are shown with LF line ends; the files use CRLF.
  return name.endsWith(".csv") ? body.replaceAll("\n", "\r\n") : body;
}
