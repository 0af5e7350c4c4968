/**
 * Revoke… acts on the finding as the clicked report's run recorded it: that run's policy (its
 * remediation: section) decides what may be done, not the newest run of another policy. Only the form
 * is opened here (the Admin API is read, never written).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { signedInteraction, sim, slack, startRun, waitForRun } from "./helpers.js";
import { REVOKE_TEST_POLICY } from "./test-policies.js";

interface FakeState {
  views: { view: { callback_id: string; private_metadata: string } }[];
  messages: { text: string }[];
  responseUrlPosts: { body: { text: string } }[];
}
const fake = async (): Promise<FakeState> => (await (await fetch(`${slack.base}/__slack/calls`)).json()) as FakeState;
const trigger = async (): Promise<string> => ((await (await fetch(`${slack.base}/__slack/trigger`, { method: "POST", body: "{}" })).json()) as { trigger_id: string }).trigger_id;

const interact = (payload: unknown): Promise<Response> => signedInteraction(payload, { REMEDIATION: "on" });

/** Revoke… chosen in the menu beside a finding of a run's report (the menu's value as the report renders it). */
const revokeClick = async (runId: string, fingerprint: string) => ({
  type: "block_actions",
  user: { id: "U_ALLOWED", username: "u_allowed", name: "U_ALLOWED name" },
  trigger_id: await trigger(),
  actions: [{ action_id: "finding_menu", block_id: `f-${fingerprint}`, selected_option: { value: `revoke:${runId}:${fingerprint}` } }],
  container: { type: "message", channel_id: "C0KEYWARDEN", message_ts: "1.1" },
  response_url: `${slack.base}/response/revoke-clicked-run`,
});

type Run = { id: string; findings: { fingerprint: string; rule_id: string; key: { id: string } }[] };
let underDefault: Run;
let underRevokeTest: Run;
const unusedKey = (run: Run) => run.findings.find((f) => f.rule_id === "unused-90d" && f.key.id === "key_web_old")!.fingerprint;

beforeAll(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
  underDefault = (await waitForRun(await startRun({ notify: false }))) as unknown as Run;
  // The newest run of the same finding is under a policy that allows deleting service accounts only.
  underRevokeTest = (await waitForRun(await startRun({ policy: REVOKE_TEST_POLICY, notify: false }))) as unknown as Run;
  expect(unusedKey(underRevokeTest)).toBe(unusedKey(underDefault));
});

describe("Revoke… on a report", () => {
  it("of a policy whose remediation: section forbids deleting the key is refused, saying why", async () => {
    await slack.reset();
    await interact(await revokeClick(underRevokeTest.id, unusedKey(underRevokeTest)));
    const { views, responseUrlPosts } = await fake();
    expect(views).toEqual([]);
    expect(responseUrlPosts[0]?.body.text).toContain("remediation.actions");
  });

  it("of policy default opens the form, though the newest run of that finding is another policy's", async () => {
    await slack.reset();
    await interact(await revokeClick(underDefault.id, unusedKey(underDefault)));
    const { views, responseUrlPosts } = await fake();
    expect(responseUrlPosts).toEqual([]);
    expect(views).toHaveLength(1);
    expect(views[0]!.view.callback_id).toBe("revoke_modal");

    // Its submission is checked against the same run: the request is made (it waits for a second approver).
    const submitted = await interact({
      type: "view_submission",
      user: { id: "U_ALLOWED", username: "u_allowed", name: "U_ALLOWED name" },
      view: {
        id: "V_REVOKE_DEFAULT",
        callback_id: "revoke_modal",
        private_metadata: views[0]!.view.private_metadata,
        state: { values: { reason: { value: { type: "plain_text_input", value: "bob's old laptop key, unused for months" } } } },
      },
    });
    expect(await submitted.text()).toBe("");
    expect((await fake()).messages.some((m) => m.text.startsWith("Keywarden remediation rem_"))).toBe(true);
  });
});
