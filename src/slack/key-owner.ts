import type { WebClient } from "@slack/web-api";
import type { OwnerInSlack } from "../decide/ports.js";
import type { RunFinding } from "../model/run.js";
import { keyProvider } from "../model/key-facts.js";
import { PROVIDER_TITLE } from "../report/accounts.js";
import { redact } from "../util/redact.js";
import { describeSlackError } from "./send.js";

/**
 * Who owns the finding's key in Slack, looked up now (never taken from an earlier look-up): found by
 * the email the key's provider has for its owner (users.lookupByEmail), or why it cannot be said. Any error is `unknown`.
 */
export async function ownerInSlack(client: WebClient, finding: RunFinding): Promise<OwnerInSlack> {
  if (finding.owner.type !== "user") return { kind: "none" };
  const email = finding.owner.email;
  const provider = PROVIDER_TITLE[keyProvider(finding.key)];
  if (!email) {
    return {
      kind: "unknown",
      cause: "no-email",
      why: `${provider} gave no email for the key's owner (user ${finding.owner.id}), so there is nothing to look up in Slack; an ${provider} organization owner can check who that user is`,
    };
  }
  try {
    const found = await client.users.lookupByEmail({ email });
    if (found.user?.id) return { kind: "found", id: found.user.id };
    return { kind: "unknown", cause: "lookup-failed", why: `Slack answered the look-up of ${email} without a user; try again later` };
  } catch (error) {
    const code = redact(describeSlackError(error).error, [client.token]);
    if (code === "users_not_found") {
      return {
        kind: "unknown",
        cause: "not-in-slack",
        why: `Slack has no active account with ${email}, the email ${provider} has for the key's owner. A Slack workspace admin can give the owner's Slack account that email (or an ${provider} organization owner can change the owner's ${provider} email to their Slack one), then try again`,
      };
    }
    return { kind: "unknown", cause: "lookup-failed", why: `Slack did not say who has ${email} (${code}); try again in a minute` };
  }
}
