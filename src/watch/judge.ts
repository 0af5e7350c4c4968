import type { KeyRecord } from "../model/inventory.js";
import type { RunFinding } from "../model/run.js";
import { type AcceptedExemption, type Finding, evaluate } from "../policy/index.js";
import type { Policy } from "../policy/schema.js";
import { toRunFinding } from "../audit/run.js";

/**
 * The keys a firing read, judged as a run would judge them: the policy's rules and exemptions and
 * the risks accepted in Slack (an accepted risk is no finding). What is new is what no one was told
 * yet: neither open since the last run nor reported by an earlier firing. Only findings come out:
 * a key the watch read is not the organization, so nothing here is resolved, exempted or complete.
 */
export interface WatchJudgement {
  /** New findings, worst first, as a run records them (lifecycle `new`). */
  findings: RunFinding[];
  /** Findings already told (open, or reported by an earlier firing), by account. */
  alreadyReported: Map<string, number>;
}

export function judgeWatchedKeys(input: {
  keys: readonly KeyRecord[];
  policy: Policy;
  now: Date;
  accepted: readonly AcceptedExemption[];
  /** Fingerprints open since the last run, and those an earlier firing reported. */
  told: ReadonlySet<string>;
  accountOf: (key: KeyRecord) => string;
}): WatchJudgement {
  const evaluation = evaluate(input.keys, input.policy, input.now, input.accepted);
  const alreadyReported = new Map<string, number>();
  const findings: RunFinding[] = [];
  for (const finding of evaluation.findings) {
    if (input.told.has(finding.fingerprint)) {
      const account = input.accountOf(finding.key);
      alreadyReported.set(account, (alreadyReported.get(account) ?? 0) + 1);
      continue;
    }
    findings.push(watchFinding(finding));
  }
  return { findings, alreadyReported };
}

function watchFinding(finding: Finding): RunFinding {
  return { ...toRunFinding(finding), lifecycle: "new" };
}
