/**
 * One KeyActions port over each provider's: a finding's keys are listed, and an action is called and
 * confirmed, by the provider the key belongs to (a record without `provider` is OpenAI's; Disable and
 * Re-enable are Anthropic's). An account that is not configured answers that it is not, and nothing
 * is called.
 */
import type { ApiAnswer, RemediationAction } from "../model/remediation.js";
import type { KeyActions } from "./ports.js";

export interface ProviderKeyActions {
  /** An OpenAI organization's actions (by the account name a key or action names, when it does), or null when it is not configured. */
  openai: (account: string | undefined) => KeyActions | null;
  /** The Anthropic account's actions (by the account name a key or action names, when it does), or null when none is configured. */
  anthropic: (account: string | undefined) => KeyActions | null;
}

/** Disable and Re-enable act on Anthropic keys; every other action on OpenAI's. */
export function isAnthropicAction(action: Pick<RemediationAction, "kind">): boolean {
  return action.kind === "disable_key" || action.kind === "reenable_key";
}

export function keyActionsByProvider(ports: ProviderKeyActions): KeyActions {
  const forAction = (action: RemediationAction) => (isAnthropicAction(action) ? ports.anthropic(action.target.account) : ports.openai(action.target.account));
  const missing = (anthropic: boolean, account: string | undefined) =>
    anthropic
      ? `no Anthropic account${account ? ` named "${account}"` : ""} is configured (ANTHROPIC_ADMIN_KEY, or ACCOUNTS)`
      : `no OpenAI account${account ? ` named "${account}"` : ""} is configured, or several are and the key names none (OPENAI_ADMIN_KEY, or ACCOUNTS)`;
  return {
    async freshKeysFor(finding, options) {
      const anthropic = finding.key.provider === "anthropic";
      const port = anthropic ? ports.anthropic(finding.key.account) : ports.openai(finding.key.account);
      return port ? port.freshKeysFor(finding, options) : { ok: false, message: missing(anthropic, finding.key.account) };
    },
    async call(action): Promise<ApiAnswer> {
      const port = forAction(action);
      return port ? port.call(action) : { status: null, error: missing(isAnthropicAction(action), action.target.account) };
    },
    async listingAfter(action) {
      const port = forAction(action);
      return port ? port.listingAfter(action) : {};
    },
  };
}
