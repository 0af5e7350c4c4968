/** `keywarden revoke` against the simulator: the plan with every key that goes, the guards, and a call only when allowed. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ADMIN_KEY = "sk-admin-cli-revoke-test-0123456789abcdefgh";
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setOrg(sampleOrg(new Date()));
  sim.clearLog();
});

async function keywarden(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { isTTY: false, columns: 120, write: (text: string) => (stderr += text) },
    env: { OPENAI_ADMIN_KEY: ADMIN_KEY, OPENAI_BASE_URL: sim.url, ...env },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

const writes = () => sim.requests.filter((r) => r.method === "DELETE" || r.method === "POST");

describe("keywarden revoke", () => {
  it("--dry-run prints the exact request and the keys, calls nothing, and says how to execute", async () => {
    const out = await keywarden(["revoke", "key_ml_never", "--dry-run"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Request: DELETE /organization/projects/proj_ml/api_keys/key_ml_never");
    expect(out.stdout).toContain("Keys affected (1):");
    expect(out.stdout).toContain("Dry run: nothing was called");
    expect(out.stdout).toContain("To execute: REMEDIATION=on REMEDIATION_APPROVALS=1 npx keywarden revoke key_ml_never --yes");
    expect(out.stdout).toContain("REMEDIATION is off here: --yes would be refused");
    expect(writes()).toEqual([]);
  });

  it("--yes is refused unless REMEDIATION=on, and with the default two approvals (no second person here)", async () => {
    const off = await keywarden(["revoke", "key_ml_never", "--yes"]);
    expect(off.code).toBe(2);
    expect(off.stderr).toContain("--yes is refused: REMEDIATION is off here");
    const twoPeople = await keywarden(["revoke", "key_ml_never", "--yes"], { REMEDIATION: "on" });
    expect(twoPeople.code).toBe(1);
    expect(twoPeople.stdout).toContain("REMEDIATION_APPROVALS is 2, and the command line has no second approver");
    expect(writes()).toEqual([]);
  });

  it("--yes under REMEDIATION=dry-run is refused before anything is called, even with one approval (exit 2, saying why)", async () => {
    const out = await keywarden(["revoke", "key_ml_never", "--yes"], { REMEDIATION: "dry-run", REMEDIATION_APPROVALS: "1" });
    expect(out.code).toBe(2);
    expect(out.stderr).toContain("--yes is refused: REMEDIATION is dry-run here");
    expect(out.stderr).toContain("only with REMEDIATION=on");
    expect(out.stdout).not.toMatch(/^done:/m);
    expect(writes()).toEqual([]);
    expect(sim.getOrg().projectKeys["proj_ml"]?.some((k) => k.id === "key_ml_never")).toBe(true);
    const json = await keywarden(["revoke", "key_ml_never", "--yes", "--json"], { REMEDIATION: "dry-run", REMEDIATION_APPROVALS: "1" });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ command: "revoke", key_id: "key_ml_never", execute: true, remediation: { mode: "dry-run" }, guards: { ok: false, guard: "mode" }, outcome: null });
    expect(writes()).toEqual([]);
  });

  it("without --yes nothing is called, even with REMEDIATION=on and one approval: a dry run is the default", async () => {
    const out = await keywarden(["revoke", "key_ml_never"], { REMEDIATION: "on", REMEDIATION_APPROVALS: "1" });
    expect(out.code).toBe(0);
    expect(out.stdout).toContain("Dry run: nothing was called");
    expect(writes()).toEqual([]);
  });

  it("--json prints one record of the request, the guards' verdict and the outcome, to keep with the evidence", async () => {
    const planned = await keywarden(["revoke", "key_ml_never", "--json"], { REMEDIATION: "on", REMEDIATION_APPROVALS: "1" });
    expect(planned.code).toBe(0);
    const plan = JSON.parse(planned.stdout) as Record<string, unknown>;
    expect(plan).toMatchObject({
      command: "revoke",
      key_id: "key_ml_never",
      execute: false,
      remediation: { mode: "on", approvals: 1 },
      finding: { rule_id: "unused-90d" },
      action: { kind: "delete_project_key", request: { method: "DELETE", path: "/organization/projects/proj_ml/api_keys/key_ml_never" } },
      guards: { ok: true },
      outcome: { status: "dry_run" },
    });
    expect(writes()).toEqual([]);

    const done = await keywarden(["revoke", "key_ml_never", "--yes", "--json"], { REMEDIATION: "on", REMEDIATION_APPROVALS: "1" });
    expect(done.code).toBe(0);
    const record = JSON.parse(done.stdout) as { requested_by: string; at: string; outcome: { status: string; http_status: number } };
    expect(record).toMatchObject({ execute: true, guards: { ok: true }, outcome: { status: "done", http_status: 200 } });
    expect(record.requested_by).toMatch(/^cli:/);
    expect(Number.isNaN(Date.parse(record.at))).toBe(false);
    expect(writes()).toHaveLength(1);

    const refused = await keywarden(["revoke", "key_admin_ci", "--json"]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ guards: { ok: false, guard: "in-use" }, outcome: null });
  });

  it("a key name holding a secret after a control character prints it in neither the text plan nor the --json record", async () => {
    const leak = "sk-proj-LEAKLEAKLEAKLEAKLEAK0123456789";
    const org = sampleOrg(new Date());
    const key = org.adminKeys.find((k) => k.id === "key_admin_breakglass");
    if (!key) throw new Error("the sample organization has no key_admin_breakglass");
    key.name = `Break-glass\n${leak}`;
    sim.setOrg(org);
    const text = await keywarden(["revoke", "key_admin_breakglass"]);
    const json = await keywarden(["revoke", "key_admin_breakglass", "--json"]);
    expect(text.stdout).toContain("Plan: Delete admin key");
    expect(JSON.parse(json.stdout)).toMatchObject({ action: { kind: "delete_admin_key" } });
    for (const out of [text, json]) expect(out.stdout + out.stderr).not.toContain("LEAKLEAK");
  });

  it("takes the finding the policy's remediation.allowed_rules allow, not merely the key's first one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kw-revoke-"));
    const file = join(dir, "narrow.yaml");
    writeFileSync(file, `${readFileSync("policies/default.yaml", "utf8")}\nremediation:\n  allowed_rules: [key-age-365d]\n`);
    // key_admin_breakglass's first finding is unused-90d; key-age-365d is its second.
    const out = await keywarden(["revoke", "key_admin_breakglass", "--dry-run", "--policy", file], { REMEDIATION: "on" });
    expect(out.stderr, out.stderr).toBe("");
    expect(out.stdout).toContain("Finding: key-age-365d");
    expect(out.stdout).toContain("Allowed by every guard");
    expect(out.code).toBe(0);
    const none = await keywarden(["revoke", "key_ml_never", "--dry-run", "--policy", file], { REMEDIATION: "on" });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("remediation.allowed_rules");
    expect(writes()).toEqual([]);
  });

  it("executes with REMEDIATION=on and REMEDIATION_APPROVALS=1, and confirms by listing again", async () => {
    const out = await keywarden(["revoke", "key_ml_never", "--yes"], { REMEDIATION: "on", REMEDIATION_APPROVALS: "1" });
    expect(out.stdout).toMatch(/^done: Deleted project key .* the listing no longer shows it\.$/m);
    expect(out.code).toBe(0);
    expect(writes().map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["DELETE /v1/organization/projects/proj_ml/api_keys/key_ml_never 200"]);
    expect(sim.getOrg().projectKeys["proj_ml"]?.some((k) => k.id === "key_ml_never")).toBe(false);
  });

  it("a key used in the last 24 hours is refused until --acknowledge-in-use, which the refusal names", async () => {
    const out = await keywarden(["revoke", "key_admin_ci", "--dry-run"]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain("Refused by the in-use guard");
    expect(out.stdout).toContain("Run it again with --acknowledge-in-use if that is what you want.");
    const acknowledged = await keywarden(["revoke", "key_admin_ci", "--dry-run", "--acknowledge-in-use"]);
    expect(acknowledged.code).toBe(0);
    expect(acknowledged.stdout).toContain("npx keywarden revoke key_admin_ci --acknowledge-in-use --yes");
  });

  it("a service account's key: the account's deletion, or its demotion, never the key alone", async () => {
    const demote = await keywarden(["revoke", "key_data_deploy", "--dry-run", "--acknowledge-in-use"]);
    expect(demote.stdout).toContain("Request: POST /organization/projects/proj_data/service_accounts/sa_deploy with {\"role\":\"member\"}");
    const remove = await keywarden(["revoke", "key_data_deploy", "--dry-run", "--action", "delete_service_account", "--acknowledge-in-use"]);
    expect(remove.stdout).toContain("Request: DELETE /organization/projects/proj_data/service_accounts/sa_deploy");
    expect(remove.code).toBe(0);
  });

  it("says why when nothing fits: no such key, a redacted value instead of the id, no finding on the key, or an unknown action", async () => {
    const unknown = await keywarden(["revoke", "key_does_not_exist", "--dry-run"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("keywarden revoke: the organization has no key key_does_not_exist: give a key's id (key_…), as npx keywarden audit shows it with each finding");
    const redacted = await keywarden(["revoke", "sk-proj-...L2mN", "--dry-run"]);
    expect(redacted.code).toBe(2);
    expect(redacted.stderr).toContain("keywarden revoke: sk-proj-...L2mN is the redacted value of key key_web_old: give its id: npx keywarden revoke key_web_old");
    const org = sampleOrg(new Date());
    const fine = org.projectKeys["proj_ml"]?.find((k) => k.id === "key_ml_new");
    expect(fine).toBeDefined();
    const none = await keywarden(["revoke", "key_ml_new", "--dry-run"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no finding of policy");
    const bad = await keywarden(["revoke", "key_ml_never", "--action", "disable"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--action must be");
  });
});
