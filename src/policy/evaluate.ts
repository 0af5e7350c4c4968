import type { KeyRecord } from "../model/inventory.js";
import { keyAccount } from "../model/key-facts.js";
import { type AcceptedExemption, type AppliedExemption, ExemptionBook, type ExemptionInForce, type ExemptionNotice, compare } from "./exemptions.js";
import { findingFingerprint } from "./fingerprint.js";
import { type RuleKind, ruleModule } from "./registry.js";
import type { CheckContext } from "./rule-module.js";
import type { Policy } from "./schema.js";
import { compileReach } from "./reach.js";
import { type Severity, severityRank } from "../model/severity.js";
import { keyTimes } from "./time.js";

export interface Finding {
  rule_id: string;
  rule_kind: RuleKind;
  severity: Severity;
  /** Same rule + same key → same fingerprint, run after run. */
  fingerprint: string;
  sentence: string;
  /** What to do about it: the rule's `remediation:`, else its kind's default. */
  remediation: string;
  /** The key as inventoried (non-secret fields; the value is already redacted). */
  key: KeyRecord;
}

export interface Evaluation {
  /** Worst first: severity, then rule id, then key id. */
  findings: Finding[];
  /** Findings an unexpired exemption suppressed. */
  exemptions: AppliedExemption[];
  /** Exemptions that need attention: expired, or naming a key that no longer exists. */
  exemption_notices: ExemptionNotice[];
  /** Every exemption (policy and accepted) that held at `now`, applied or not. */
  exemptions_in_force: ExemptionInForce[];
  /**
   * Keys a rule could not judge from what the provider gave (an `unused` rule, or a `match` on
   * `last_used_at`, over Anthropic usage that could not be read, or not as far back as the rule
   * needs): neither a finding nor fine.
   * Non-empty → the run is incomplete, with these reasons. A key an exemption covers for the rule is
   * not listed (it may break the rule anyway). By rule id, then account, then key id.
   */
  undecided: UndecidedKey[];
}

export interface UndecidedKey {
  rule_id: string;
  key_id: string;
  account: string;
  /** Why, in words: "last use unknown: the usage analytics could not be read: …". */
  reason: string;
}

/**
 * Checks every key against every rule in scope. Pure and deterministic for the same inputs.
 *
 * Only active keys (model/key-facts.ts `isActiveKey`) are checked: inactive, archived and expired
 * ones are inventory, except for `match` rules whose condition names `status` (they see every key).
 *
 * `accepted`: risks accepted in Slack. They exempt exactly like the policy's exemptions; when both
 * hold for the same rule and key, the policy's exemption is the one applied. Pass expired ones too:
 * an expired acceptance whose finding is open again is reported (notice `expired`, source `slack`).
 */
export function evaluate(keys: readonly KeyRecord[], policy: Policy, now: Date, accepted: readonly AcceptedExemption[] = []): Evaluation {
  const nowMs = now.getTime();
  const rules = policy.rules.map((rule) => {
    const module = ruleModule(rule.kind);
    return { rule, module, remediation: rule.remediation ?? module.remediation, checks: compileReach(rule), findings: [] as Finding[] };
  });
  const book = new ExemptionBook(policy.exemptions ?? [], accepted, nowMs);
  const seenKeyIds = new Set<string>();
  const applied: AppliedExemption[] = [];
  const undecided: UndecidedKey[] = [];

  for (const key of keys) {
    if (!book.isEmpty) seenKeyIds.add(key.id);
    const ctx: CheckContext = { now, nowMs, times: keyTimes(key) };
    for (const { rule, module, remediation, checks, findings } of rules) {
      if (!checks(key)) continue;
      const violation = module.check(key, rule, ctx);
      if (!violation) continue;
      if ("undecided" in violation) {
        if (!book.holds(rule.id, key.id)) undecided.push({ rule_id: rule.id, key_id: key.id, account: keyAccount(key), reason: violation.undecided });
        continue;
      }
      const fingerprint = findingFingerprint(rule.id, key.kind, key.id, keyAccount(key));
      if (!book.isEmpty) {
        const exemption = book.apply(rule.id, key.id, fingerprint);
        if (exemption) {
          applied.push(exemption);
          continue;
        }
        book.noteOpen(rule.id, key.id);
      }
      findings.push({ rule_id: rule.id, rule_kind: rule.kind, severity: rule.severity, fingerprint, sentence: violation.sentence, remediation, key });
    }
  }

  // Findings were collected per rule, so ordering is: rules by severity then id (ids are unique),
  // then each rule's findings by key. Cheaper than one sort over every finding.
  rules.sort((a, b) => severityRank(b.rule.severity) - severityRank(a.rule.severity) || compare(a.rule.id, b.rule.id));
  const findings = rules.flatMap((entry) => entry.findings.sort(byKey));
  applied.sort((a, b) => compare(a.rule_id, b.rule_id) || compare(a.key_id, b.key_id));
  undecided.sort((a, b) => compare(a.rule_id, b.rule_id) || compare(a.account, b.account) || compare(a.key_id, b.key_id));
  return { findings, exemptions: applied, exemption_notices: book.notices(seenKeyIds), exemptions_in_force: book.inForce(), undecided };
}

function byKey(a: Finding, b: Finding): number {
  return compare(a.key.id, b.key.id) || compare(a.key.kind, b.key.kind) || compare(keyAccount(a.key), keyAccount(b.key));
}
