import { type Exemption, parseDay } from "./schema.js";
import { MS_PER_DAY } from "./time.js";

export interface AppliedExemption {
  rule_id: string;
  key_id: string;
  reason: string;
  expires: string;
  approved_by?: string;
  /** Fingerprint of the finding it suppressed. */
  fingerprint: string;
}

export interface ExemptionNotice {
  /** expired: past its date, no longer exempting. unused: its key was not in the inventory (stale). */
  kind: "expired" | "unused";
  rule_id: string;
  key_id: string;
  expires: string;
  reason: string;
}

/** The exemptions of a policy, split by whether they still hold on `now`, for lookup by rule and key. */
export class ExemptionBook {
  private readonly active = new Map<string, Map<string, Exemption>>();
  private readonly expired = new Set<Exemption>();
  private readonly all: readonly Exemption[];

  constructor(exemptions: readonly Exemption[], nowMs: number) {
    this.all = exemptions;
    for (const exemption of exemptions) {
      if (isExpired(exemption, nowMs)) {
        this.expired.add(exemption);
        continue;
      }
      let byKey = this.active.get(exemption.rule);
      if (!byKey) this.active.set(exemption.rule, (byKey = new Map()));
      byKey.set(exemption.key, exemption);
    }
  }

  get isEmpty(): boolean {
    return this.all.length === 0;
  }

  find(ruleId: string, keyId: string): Exemption | undefined {
    return this.active.get(ruleId)?.get(keyId);
  }

  /** Expired exemptions, and unexpired ones whose key was not seen. */
  notices(seenKeyIds: ReadonlySet<string>): ExemptionNotice[] {
    const notices: ExemptionNotice[] = [...this.expired].map((exemption) => notice("expired", exemption));
    for (const exemption of this.all) {
      if (!this.expired.has(exemption) && !seenKeyIds.has(exemption.key)) notices.push(notice("unused", exemption));
    }
    return notices.sort((a, b) => compare(a.rule_id, b.rule_id) || compare(a.key_id, b.key_id) || compare(a.kind, b.kind));
  }
}

/** An exemption holds through the end (UTC) of its `expires` day. */
function isExpired(exemption: Exemption, nowMs: number): boolean {
  const day = parseDay(exemption.expires);
  return day === null || nowMs >= day + MS_PER_DAY;
}

function notice(kind: ExemptionNotice["kind"], exemption: Exemption): ExemptionNotice {
  return { kind, rule_id: exemption.rule, key_id: exemption.key, expires: exemption.expires, reason: exemption.reason };
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
