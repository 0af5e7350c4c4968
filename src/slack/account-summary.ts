/**
 * The main message's lines about accounts, when a run has several (issue 19): its findings per
 * account, and which accounts were not read in full (their inventory errors name them).
 */
import { SEVERITIES, type RunError } from "../model/run.js";
import type { RunAccount } from "../report/accounts.js";
import { SLACK_LIMITS } from "./blocks.js";
import { accountName, plural } from "./format.js";
import { clip, inlineCode, safe } from "./mrkdwn.js";

/** `*By account:*` and a line per account, within one section; accounts beyond it are counted. */
export function accountCountsText(accounts: readonly RunAccount[]): string {
  const lines = accounts.map(accountLine);
  let text = "*By account:*";
  let shown = 0;
  for (const line of lines) {
    if (text.length + 1 + line.length + 80 > SLACK_LIMITS.sectionText) break;
    text += `\n${line}`;
    shown++;
  }
  if (shown < lines.length) text += `\n…and ${plural(lines.length - shown, "more account")}`;
  return text;
}

function accountLine(account: RunAccount): string {
  const counts = SEVERITIES.map((s) => [s, account.findings.filter((f) => f.severity === s).length] as const).filter(([, n]) => n > 0);
  const findings = `${plural(account.findings.length, "finding")}${counts.length ? ` (${counts.map(([s, n]) => `${n} ${s}`).join(", ")})` : ""}`;
  const name = accountName(account);
  if (account.errors.length === 0) return `• ${name}: ${findings}`;
  return `• :red_circle: ${name}: *not read in full* (${plural(account.errors.length, "part")} not seen) · ${findings} so far`;
}

/** An inventory error as the main message lists it; `withAccount` names the account it is of, when it names one. */
export function notSeenLine(e: RunError, withAccount: boolean): string {
  const account = withAccount && e.account !== undefined ? `${inlineCode(clip(e.account, 80))} ` : "";
  return `• ${account}*${safe(e.where, 200)}* — ${safe(e.message, 200)}`;
}
