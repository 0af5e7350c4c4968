/**
 * Revoke as a use case, driven in Node through in-memory ports: no workerd, no Slack, no OpenAI.
 * What it must never do (a requester approving their own request, a dry run calling the provider)
 * is checked on the provider's record of calls and the stored request.
 */
import { describe, expect, it } from "vitest";
import { REASON_BLOCK } from "../../src/decide/form.js";
import { approveRemediation, rejectRemediation } from "../../src/decide/revoke-approval.js";
import { openRevokeForm, submitRevoke } from "../../src/decide/revoke-request.js";
import { ANN, BOB, RUN_ID, decideInMemory, userKeyFinding } from "./decide-support.js";

const REASON = { [REASON_BLOCK]: { value: { value: "unused since May; its owner left the team" } } };

/** Opens the form as Ann and submits it; the id of the request it made. */
async function requestedByAnn(world: ReturnType<typeof decideInMemory>): Promise<string> {
  const finding = userKeyFinding();
  expect(await openRevokeForm(world.deps, ANN, "T_OPEN", { runId: RUN_ID, fingerprint: finding.fingerprint })).toEqual({ ok: true });
  const [metadata] = world.shown.revokeMetadata;
  if (!metadata) throw new Error("no form was opened");
  const submitted = await submitRevoke(world.deps, ANN, metadata, REASON);
  if (!submitted.ok) throw new Error(JSON.stringify(submitted.errors));
  await submitted.after();
  const [posted] = world.shown.posted;
  if (!posted) throw new Error("the request was not posted");
  return posted.id;
}

describe("revoke, driven through its ports", () => {
  it("refuses the requester's own approval: nothing is called and the request stays pending", async () => {
    const world = decideInMemory({ finding: userKeyFinding() });
    const id = await requestedByAnn(world);

    const answer = await approveRemediation(world.deps, ANN, id);
    expect(answer).toEqual({ ok: false, message: expect.stringContaining("U_ANN made this request and cannot approve it too") });
    expect(await rejectRemediation(world.deps, ANN, id)).toEqual({ ok: false, message: expect.stringContaining("You made this request") });
    expect(world.keys.calls).toEqual([]);
    expect((await world.remediations.get(id))?.status).toBe("pending");
    expect(await world.remediations.approvals(id)).toEqual([]);
  });

  it("runs the planned call once another allowed user approves, confirms it and records it", async () => {
    const world = decideInMemory({ finding: userKeyFinding(), owner: { kind: "found", id: "U_CAROL" } });
    const id = await requestedByAnn(world);

    const answer = await approveRemediation(world.deps, BOB, id);
    expect(answer).toEqual({ ok: true, message: expect.stringMatching(new RegExp(`^${id}: done: Deleted project key "ci" \\(key_ci\\)`)) });
    expect(world.keys.calls.map((a) => `${a.request.method} ${a.request.path}`)).toEqual(["DELETE /organization/projects/proj_ml/api_keys/key_ci"]);
    expect((await world.remediations.get(id))?.status).toBe("done");
    expect(world.shown.updated.at(-1)?.status).toBe("done");
    expect(world.shown.toldOwners).toEqual(["U_CAROL"]);
  });

  it("under REMEDIATION=dry-run, an approved request is described and the provider is never called", async () => {
    const world = decideInMemory({ finding: userKeyFinding(), remediation: { mode: "dry-run" }, owner: { kind: "found", id: "U_CAROL" } });
    const id = await requestedByAnn(world);

    const answer = await approveRemediation(world.deps, BOB, id);
    expect(answer).toEqual({ ok: true, message: expect.stringContaining("would DELETE /organization/projects/proj_ml/api_keys/key_ci") });
    expect(world.keys.calls).toEqual([]);
    const row = await world.remediations.get(id);
    expect(row).toMatchObject({ status: "dry_run", mode: "dry-run" });
    // Nothing went, so nobody is told their key did.
    expect(world.shown.toldOwners).toEqual([]);
  });

  it("opens no form while REMEDIATION is off, for users outside SLACK_ALLOWED_USERS, or while Slack is off", async () => {
    const target = { runId: RUN_ID, fingerprint: userKeyFinding().fingerprint };
    const off = decideInMemory({ finding: userKeyFinding(), remediation: { mode: "off" } });
    expect(await openRevokeForm(off.deps, ANN, "T1", target)).toEqual({ ok: false, message: expect.stringContaining("REMEDIATION=off") });
    const on = decideInMemory({ finding: userKeyFinding() });
    expect(await openRevokeForm(on.deps, { id: "U_EVE", name: "eve" }, "T2", target)).toEqual({ ok: false, message: expect.stringContaining("SLACK_ALLOWED_USERS") });
    const noSlack = decideInMemory({ finding: userKeyFinding(), slack: false });
    expect(await openRevokeForm(noSlack.deps, ANN, "T3", target)).toEqual({ ok: false, message: expect.stringContaining("SLACK_BOT_TOKEN is off") });
    expect([off, on, noSlack].map((world) => world.keys.listings + world.shown.forms.length)).toEqual([0, 0, 0]);
  });
});
