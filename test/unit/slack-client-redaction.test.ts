/**
 * The one choke point for text sent to Slack: every Web API call made through createSlackClient has
 * the configured secrets, its own token and anything shaped like an OpenAI or Slack secret redacted
 * from its arguments, whichever code path built them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackClient } from "../../src/slack/send.js";
import { type FakeSlack, startFakeSlack } from "../../src/sim/slack-server.js";

let slack: FakeSlack;
beforeAll(async () => {
  slack = await startFakeSlack();
});
afterAll(() => slack.close());

const API_TOKEN = "audit-api-token-5f0c1d2e3a4b";
const OPENAI_KEY = "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx0123";

describe("createSlackClient", () => {
  it("redacts every outgoing call's arguments: text, blocks and modal views, and still authenticates", async () => {
    const client = createSlackClient({ token: slack.token, apiUrl: slack.url, secrets: [API_TOKEN] });
    const leak = `token ${API_TOKEN}, bot ${slack.token}, key ${OPENAI_KEY}`;
    const posted = await client.chat.postMessage({ channel: "C0REPORT", text: leak, blocks: [{ type: "section", text: { type: "mrkdwn", text: leak } }] });
    expect(posted.ok).toBe(true);
    await client.chat.update({ channel: "C0REPORT", ts: posted.ts ?? "", text: leak, blocks: [{ type: "section", text: { type: "mrkdwn", text: leak } }] });
    await client.views.open({ trigger_id: slack.issueTrigger(), view: { type: "modal", title: { type: "plain_text", text: "Accept risk" }, blocks: [{ type: "section", text: { type: "mrkdwn", text: leak } }] } });
    const sent = slack.calls.filter((c) => ["chat.postMessage", "chat.update", "views.open"].includes(c.method));
    expect(sent.map((c) => c.status)).toEqual([200, 200, 200]);
    for (const call of sent) {
      expect(JSON.stringify(call.body)).toContain("[REDACTED]");
      for (const secret of [API_TOKEN, slack.token, OPENAI_KEY]) expect(JSON.stringify(call.body)).not.toContain(secret);
    }
  });
});
