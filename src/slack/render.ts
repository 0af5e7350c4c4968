import type { AuditRun } from "../model/run.js";
import type { SlackMessage } from "./blocks.js";
import { renderFindingsCsv } from "./csv.js";
import { actionsFor } from "../decide/actions.js";
import { findingBlockId } from "./finding-actions.js";
import { findingAccessory } from "./remediation-blocks.js";
import { accountLabel, exemptionText, findingText, noticeText, plural, resolvedText } from "./format.js";
import { keyAccount } from "../model/key-facts.js";
import { runAccounts, showsAccounts } from "../report/accounts.js";
import { type MainMessageOptions, renderMain } from "./main-message.js";
import { clip, inlineCode, safe } from "./mrkdwn.js";
import { sortFindings } from "./order.js";
import { type ThreadItem, packThread } from "./thread.js";

export { DEFAULT_MAX_FINDINGS_IN_MAIN } from "./main-message.js";
export { sortFindings } from "./order.js";

export type RenderSlackOptions = MainMessageOptions;

export interface RenderedSlackReport {
  main: SlackMessage;
  /** Replies under the main message: every finding, plus whatever the main message had to cut. */
  thread: SlackMessage[];
  /** Findings listed in each thread message (same order as `thread`); they sum to `findings_total`. */
  thread_finding_counts: number[];
  findings_total: number;
  /** Every finding as CSV, uploaded to the thread when there is at least one. */
  csv: { filename: string; title: string; content: string };
}

/**
 * Renders one audit run as Slack messages: the main message for the channel
 * and its thread. Pure: no I/O, no clock. Nothing is lost to Slack's limits —
 * what does not fit in the main message is in the thread, and every finding is
 * in the thread.
 */
export function renderSlackReport(run: AuditRun, opts: RenderSlackOptions): RenderedSlackReport {
  const findings = sortFindings(run.findings);
  const main = renderMain(run, findings, opts);
  const accounts = runAccounts(run);
  const byAccount = showsAccounts(accounts);

  const items: ThreadItem[] = [];
  if (main.cutNotSeen) {
    run.errors.forEach((e, i) =>
      items.push({
        kind: "not_seen",
        blockId: `e-${i}`,
        text: `:red_circle: ${byAccount && e.account !== undefined ? `${inlineCode(clip(e.account, 80))} ` : ""}*${safe(e.where, 300)}* — ${safe(e.kind, 40)}${e.status !== undefined ? ` (HTTP ${e.status})` : ""}: ${safe(e.message, 1500)}`,
      }),
    );
  }
  if (main.cutDetails) {
    (run.failure?.details ?? []).forEach((detail, i) => items.push({ kind: "failure", blockId: `d-${i}`, text: `• ${safe(detail, 2500)}` }));
  }
  // With several accounts, the findings are listed account by account (each worst first), under a heading each.
  const groups = byAccount ? accounts.map((a) => ({ group: accountLabel(a), findings: findings.filter((f) => keyAccount(f.key) === a.name) })) : [{ findings }];
  for (const { findings: listed, ...group } of groups) {
    for (const f of listed) {
      const accessory = opts.acceptButtons ? { accessory: findingAccessory({ runId: run.id, fingerprint: f.fingerprint }, opts.revokeMenu === true && actionsFor(f, []).length > 0) } : {};
      items.push({ kind: "finding", blockId: findingBlockId(f.fingerprint), text: findingText(f, { account: byAccount }), ...accessory, ...group });
    }
  }
  for (const r of run.lifecycle?.resolved_findings ?? []) items.push({ kind: "resolved", blockId: `r-${r.fingerprint}`, text: resolvedText(r) });
  for (const x of run.exemptions) items.push({ kind: "exempted", blockId: `x-${x.fingerprint}`, text: exemptionText(x) });
  run.exemption_notices.forEach((n, i) => items.push({ kind: "notice", blockId: `n-${i}`, text: noticeText(n) }));

  const thread = packThread(items, { channel: opts.channel, runId: run.id });
  const runCount = findings.length;
  return {
    main: main.message,
    thread: thread.messages,
    thread_finding_counts: thread.findingCounts,
    findings_total: runCount,
    csv: {
      filename: `keywarden-${run.id.replace(/[^A-Za-z0-9_.-]/g, "_")}-findings.csv`,
      title: `Keywarden findings, ${run.id} (${plural(runCount, "finding")})`,
      content: renderFindingsCsv(run),
    },
  };
}
