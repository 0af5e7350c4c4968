/** exemptions.json and exemptions.csv: every exemption in force during a run, whoever approved it, covered by the manifest. */
import { describe, expect, it } from "vitest";
import type { AuditRun } from "../../src/model/run.js";
import { EXEMPTIONS_CSV_COLUMNS, buildEvidenceFiles, buildRunEvidence, verifyEvidence } from "../../src/evidence/index.js";
import { sha256Hex } from "../../src/util/hash.js";
import { parseCsv } from "../support/csv-parse.js";

const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
const POLICY = "version: 1\nname: default\nrules: []\n";

const BY_POLICY = { rule_id: "unused-90d", key_id: "key_bg", reason: "break-glass key", expires: "2027-03-31", source: "policy" as const, approved_by: "security@example.com" };
const BY_SLACK = {
  rule_id: "key-age-365d",
  key_id: "key_batch",
  reason: "nightly batch, replaced in Q1",
  expires: "2026-12-31",
  source: "slack" as const,
  id: "acc_7f3a",
  accepted_by: { id: "U0ALICE", name: "Alice Martin" },
  accepted_at: "2026-11-20T09:30:00.000Z",
  ticket: "https://tickets.example/SEC-12",
};

function run(overrides: Partial<AuditRun> = {}): AuditRun {
  return {
    id: "run_20261123T060000Z_ex",
    trigger: "cron",
    policy: { name: "default", file: "policies/default.yaml", sha256: sha256Hex(POLICY) },
    started_at: "2026-11-23T06:00:00.000Z",
    finished_at: "2026-11-23T06:00:05.000Z",
    status: "complete",
    counts: { admin_keys: 0, projects: 0, archived_projects: 0, project_keys: 0, users: 0, api_requests: 3, findings: { critical: 0, high: 0, medium: 0, low: 0, info: 0, total: 0 } },
    findings: [],
    exemptions: [
      { ...BY_POLICY, fingerprint: "fp_bg" },
      { ...BY_SLACK, fingerprint: "fp_batch" },
    ],
    exemption_notices: [],
    exemptions_in_force: [
      { ...BY_SLACK, status: "applied" },
      { ...BY_SLACK, key_id: "key_fine", id: "acc_0001", ticket: undefined, status: "unused" },
      { ...BY_POLICY, status: "applied" },
    ],
    errors: [],
    ...overrides,
  };
}

const fileOf = (r: AuditRun, name: string, secrets: string[] = []) => text(buildEvidenceFiles({ run: r, inventory: null, policyText: POLICY, secrets }).find((f) => f.name === name)?.content);

describe("exemptions.json", () => {
  it("lists every exemption in force, applied or unused, with who approved or accepted it, when, why, until when and the ticket", () => {
    expect(JSON.parse(fileOf(run(), "exemptions.json"))).toEqual({
      run_id: "run_20261123T060000Z_ex",
      status: "complete",
      exemptions: [
        {
          rule_id: "key-age-365d",
          key_id: "key_batch",
          status: "applied",
          reason: "nightly batch, replaced in Q1",
          expires: "2026-12-31",
          source: "slack",
          approved_by: null,
          accepted_by: { id: "U0ALICE", name: "Alice Martin" },
          accepted_at: "2026-11-20T09:30:00.000Z",
          ticket: "https://tickets.example/SEC-12",
          acceptance_id: "acc_7f3a",
          provider: null,
          account: null,
        },
        expect.objectContaining({ rule_id: "key-age-365d", key_id: "key_fine", status: "unused", source: "slack", ticket: null, acceptance_id: "acc_0001" }),
        {
          rule_id: "unused-90d",
          key_id: "key_bg",
          status: "applied",
          reason: "break-glass key",
          expires: "2027-03-31",
          source: "policy",
          approved_by: "security@example.com",
          accepted_by: null,
          accepted_at: null,
          ticket: null,
          acceptance_id: null,
          provider: null,
          account: null,
        },
      ],
    });
  });

  it("of a run recorded before the list existed, holds the exemptions it applied (a run without a source is the policy's)", () => {
    const older = run({ exemptions: [{ rule_id: "r", key_id: "k", reason: "why", expires: "2027-01-01", fingerprint: "f" }] });
    delete older.exemptions_in_force;
    expect(JSON.parse(fileOf(older, "exemptions.json")).exemptions).toEqual([expect.objectContaining({ rule_id: "r", key_id: "k", status: "applied", source: "policy", approved_by: null })]);
  });

  it("is not written for a failed run, which evaluated nothing", () => {
    const failed = run({ status: "failed", failure: { reason: "bad key", details: [] }, exemptions: [], exemptions_in_force: [] });
    expect(buildEvidenceFiles({ run: failed, inventory: null, policyText: POLICY }).map((f) => f.name)).toEqual(["findings.json", "policy.yaml"]);
  });

  it("keeps secrets out, whatever field an acceptance carries them in", () => {
    const secret = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp";
    const leaky = run({ exemptions_in_force: [{ ...BY_SLACK, reason: `token ${secret}`, ticket: `https://t.example/?t=${secret}`, status: "applied" }] });
    for (const name of ["exemptions.json", "exemptions.csv"]) {
      expect(fileOf(leaky, name, [secret]), name).not.toContain(secret);
      expect(fileOf(leaky, name, [secret]), name).toContain("[REDACTED]");
    }
  });
});

describe("exemptions.csv", () => {
  it("is the same table, one row per exemption, in the documented columns", () => {
    const rows = parseCsv(fileOf(run(), "exemptions.csv"));
    expect(rows[0]).toEqual([...EXEMPTIONS_CSV_COLUMNS]);
    expect(rows.slice(1)).toEqual([
      ["run_20261123T060000Z_ex", "applied", "slack", "key-age-365d", "key_batch", "nightly batch, replaced in Q1", "2026-12-31", "", "U0ALICE", "Alice Martin", "2026-11-20T09:30:00.000Z", "https://tickets.example/SEC-12", "acc_7f3a", "", ""],
      ["run_20261123T060000Z_ex", "unused", "slack", "key-age-365d", "key_fine", "nightly batch, replaced in Q1", "2026-12-31", "", "U0ALICE", "Alice Martin", "2026-11-20T09:30:00.000Z", "", "acc_0001", "", ""],
      ["run_20261123T060000Z_ex", "applied", "policy", "unused-90d", "key_bg", "break-glass key", "2027-03-31", "security@example.com", "", "", "", "", "", "", ""],
    ]);
  });

  it("neutralizes a reason a spreadsheet would read as a formula", () => {
    const rows = parseCsv(fileOf(run({ exemptions_in_force: [{ ...BY_SLACK, reason: '=HYPERLINK("x")', status: "applied" }] }), "exemptions.csv"));
    expect(rows[1]?.[EXEMPTIONS_CSV_COLUMNS.indexOf("reason")]).toBe(`'=HYPERLINK("x")`);
  });
});

describe("the manifest", () => {
  it("covers both files, and verify names exemptions.csv when it is altered", async () => {
    const evidence = await buildRunEvidence({ run: run(), inventory: null, policyText: POLICY, previousManifestSha256: null, version: "0.1.0" });
    expect(evidence.manifest.files.map((f) => f.name)).toEqual(expect.arrayContaining(["exemptions.csv", "exemptions.json"]));
    const files = Object.fromEntries(evidence.files.map((f) => [f.name, f.content]));
    const intact = await verifyEvidence(new Map([[evidence.prefix, files]]));
    expect(intact.problems).toEqual([]);
    const csv = files["exemptions.csv"] as Uint8Array;
    const altered = new TextEncoder().encode(text(csv).replace("Alice Martin", "Mallory Moe"));
    const report = await verifyEvidence(new Map([[evidence.prefix, { ...files, "exemptions.csv": altered }]]));
    expect(report.problems).toContainEqual({ run: "run_20261123T060000Z_ex", file: "exemptions.csv", message: expect.stringMatching(/^altered: /) });
  });
});
