/**
 * Accept risk as a use case, driven in Node through in-memory ports: who may accept is decided from
 * the stored finding and what Slack says of its key's owner now, never from the form.
 */
import { describe, expect, it } from "vitest";
import { openAcceptForm, submitAcceptance } from "../../src/decide/accept-flow.js";
import { EXPIRES_BLOCK, REASON_BLOCK } from "../../src/decide/form.js";
import { ANN, BOB, RUN_ID, decideInMemory, userKeyFinding } from "./decide-support.js";

const critical = userKeyFinding({ severity: "critical", fingerprint: "fp_critical" });
const ref = { runId: RUN_ID, fingerprint: critical.fingerprint };
const FORM = { [REASON_BLOCK]: { value: { value: "a migration needs it until December" } }, [EXPIRES_BLOCK]: { value: { selected_date: "2026-12-20" } } };

describe("accept risk, driven through its ports", () => {
  it("refuses the owner of a critical finding's key, on the button and on the form, and stores nothing", async () => {
    const world = decideInMemory({ finding: critical, owner: { kind: "found", id: ANN.id } });
    const click = await openAcceptForm(world.deps, { user: ANN, triggerId: "T1", ref, message: { channel: "C_REPORT", ts: "1.2" } });
    expect(click).toMatchObject({ ok: false, message: expect.stringContaining("the key is yours") });
    expect(world.shown.forms).toEqual([]);

    const submitted = await submitAcceptance(world.deps, { user: ANN, viewId: "V_ACCEPT", ref, values: FORM });
    expect(submitted).toEqual({ ok: false, errors: { [REASON_BLOCK]: expect.stringContaining("the key is yours") } });
    expect(await world.acceptances.list()).toEqual([]);
  });

  it("lets another allowed user accept it: stored under the run's policy, and shown where the button was", async () => {
    const world = decideInMemory({ finding: critical, owner: { kind: "found", id: ANN.id } });
    expect(await openAcceptForm(world.deps, { user: BOB, triggerId: "T1", ref, message: { channel: "C_REPORT", ts: "1.2" } })).toEqual({ ok: true });
    expect(world.shown.forms).toEqual(["accept:T1"]);

    const submitted = await submitAcceptance(world.deps, { user: BOB, viewId: "V_ACCEPT", ref, values: FORM });
    expect(submitted).toMatchObject({ ok: true });
    await (submitted as { update?: () => Promise<void> }).update?.();
    expect(await world.acceptances.list()).toEqual([
      expect.objectContaining({ policy_name: "default", rule_id: "unused-90d", key_id: "key_ci", severity: "critical", accepted_by_id: BOB.id, expires: "2026-12-20" }),
    ]);
    expect(world.shown.acceptancesShown).toBe(1);
  });

  it("refuses everyone a critical finding when Slack cannot say who owns its key", async () => {
    const world = decideInMemory({ finding: critical, slack: false });
    const submitted = await submitAcceptance(world.deps, { user: BOB, viewId: "V_ACCEPT", ref, values: FORM });
    expect(submitted).toEqual({ ok: false, errors: { [REASON_BLOCK]: expect.stringContaining("Slack cannot be asked while SLACK_BOT_TOKEN is off") } });
    expect(await world.acceptances.list()).toEqual([]);
  });
});
