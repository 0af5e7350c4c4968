/**
 * carryOut is the one place a remediation writes to the Admin API: it asks REMEDIATION itself, so a
 * caller that got the mode wrong (as `keywarden revoke --yes` once did under dry-run) still writes nothing.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdminApi } from "../../src/providers/openai/admin-api.js";
import { DEFAULT_RETRY_POLICY } from "../../src/util/retry.js";
import { actionsFor } from "../../src/decide/actions.js";
import { freshKeysFor, openaiKeyActions } from "../../src/providers/openai/actions.js";
import { carryOut } from "../../src/decide/execute.js";
import type { RunFinding } from "../../src/model/run.js";
import { runAuditWithInventory } from "../../src/audit/run.js";
import { readFileSync } from "node:fs";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

const ADMIN_KEY = "sk-admin-execute-test-0123456789abcdefghij";
let sim: Simulator;
let finding: RunFinding;
beforeAll(async () => {
  sim = await startSimulator({ org: sampleOrg(new Date()), adminKey: ADMIN_KEY });
  const { run } = await runAuditWithInventory({
    config: { adminKey: ADMIN_KEY, baseURL: sim.url },
    policy: { name: "default", file: "policies/default.yaml", text: readFileSync("policies/default.yaml", "utf8") },
    trigger: "cli",
  });
  const found = run.findings.find((f) => f.key.id === "key_ml_never");
  if (!found) throw new Error("the sample organization has no finding on key_ml_never");
  finding = found;
});
afterAll(() => sim.close());
beforeEach(() => {
  sim.setOrg(sampleOrg(new Date()));
  sim.clearLog();
});

const api = () => new AdminApi({ adminKey: ADMIN_KEY, baseURL: sim.url, timeoutMs: 5_000, retry: DEFAULT_RETRY_POLICY, sleep: async () => {} });
const writes = () => sim.requests.filter((r) => r.method !== "GET");

async function plannedAction() {
  const keys = await freshKeysFor(finding, api(), ADMIN_KEY);
  if (!keys.ok) throw new Error(keys.message);
  const [action] = actionsFor(finding, keys.items);
  if (!action) throw new Error("no action fits key_ml_never");
  sim.clearLog();
  return action;
}

describe("carryOut", () => {
  it("under REMEDIATION=dry-run describes the call and makes no request at all", async () => {
    const action = await plannedAction();
    const done = await carryOut(action, { mode: "dry-run" }, { keys: openaiKeyActions(() => api(), ADMIN_KEY), secrets: [ADMIN_KEY] });
    expect(done).toMatchObject({ status: "dry_run", httpStatus: null });
    expect(done.message).toContain("would DELETE /organization/projects/proj_ml/api_keys/key_ml_never");
    expect(sim.requests).toEqual([]);
  });

  it("under REMEDIATION=off refuses by the mode guard and makes no request", async () => {
    const action = await plannedAction();
    const done = await carryOut(action, { mode: "off" }, { keys: openaiKeyActions(() => api(), ADMIN_KEY), secrets: [ADMIN_KEY] });
    expect(done.status).toBe("refused");
    expect(done.message).toContain("Refused by the mode guard");
    expect(sim.requests).toEqual([]);
  });

  it("under REMEDIATION=on makes the one planned call and confirms it by listing again", async () => {
    const action = await plannedAction();
    const done = await carryOut(action, { mode: "on" }, { keys: openaiKeyActions(() => api(), ADMIN_KEY), secrets: [ADMIN_KEY] });
    expect(done).toMatchObject({ status: "done", httpStatus: 200 });
    expect(writes().map((r) => `${r.method} ${r.path}`)).toEqual(["DELETE /v1/organization/projects/proj_ml/api_keys/key_ml_never"]);
    expect(sim.requests.at(-1)?.method).toBe("GET");
  });
});
