import { type Exemption, parseDay } from "./schema.js";
import { MS_PER_DAY } from "./time.js";

/**
 * A risk accepted in Slack: it lets one key break one rule, for a reason, through the end (UTC) of
 * its `expires` day, exactly like an exemption written in the policy. Stored outside the policy (the
 * caller passes them to `evaluate`).
 */
export interface AcceptedExemption {
  id: string;
  rule: string;
  key: string;
  reason: string;
  /** Last day (UTC, inclusive) it holds, YYYY-MM-DD. */
  expires: string;
  ticket?: string;
  accepted_by: { id: string; name: string };
  /** ISO 8601. */
  accepted_at: string;
}

/** Who let the key break the rule: the policy file, or someone in Slack. */
export type ExemptionOrigin =
  | { source: "policy"; approved_by?: string }
  | { source: "slack"; id: string; accepted_by: { id: string; name: string }; accepted_at: string; ticket?: string };

interface ExemptionTerms {
  rule_id: string;
  key_id: string;
  reason: string;
  expires: string;
}

/** An exemption that suppressed a finding. */
export type AppliedExemption = ExemptionTerms & ExemptionOrigin & { /** Fingerprint of the finding it suppressed. */ fingerprint: string };

/**
 * An exemption that needs attention. expired: past its date, no longer exempting (an accepted
 * exemption is reported only while its finding is open again). unused: its key was not in the
 * inventory (stale).
 */
export type ExemptionNotice = ExemptionTerms & ExemptionOrigin & { kind: "expired" | "unused" };

/** An exemption that held when the run was evaluated; `applied` when it suppressed a finding. */
export type ExemptionInForce = ExemptionTerms & ExemptionOrigin & { status: "applied" | "unused" };

interface Entry {
  terms: ExemptionTerms;
  origin: ExemptionOrigin;
  /** End of its last day in epoch ms; NaN when its date cannot be read (it never holds: fail closed). */
  endMs: number;
}

/**
 * The exemptions of a policy and those accepted in Slack, split by whether they still hold on
 * `now`, for lookup by rule and key. When several hold for the same rule and key, the policy's wins
 * (it is reviewed with the policy), then the acceptance that lasts longest; the others are in force
 * but unused.
 */
export class ExemptionBook {
  /** rule → key → the exemption that applies. */
  private readonly holding = new Map<string, Map<string, Entry>>();
  private readonly inForceEntries: Entry[] = [];
  private readonly expiredPolicy: Entry[] = [];
  /** rule → key → the latest expired acceptance, reported when its finding is open again. */
  private readonly expiredAccepted = new Map<string, Map<string, Entry>>();
  private readonly applied = new Set<Entry>();
  private readonly reopened = new Set<Entry>();
  private readonly size: number;

  constructor(policy: readonly Exemption[], accepted: readonly AcceptedExemption[], nowMs: number) {
    this.size = policy.length + accepted.length;
    const entries = [...policy.map(policyEntry), ...accepted.map(acceptedEntry)];
    for (const entry of entries) {
      if (nowMs < entry.endMs) {
        this.inForceEntries.push(entry);
        const current = lookup(this.holding, entry.terms.rule_id, entry.terms.key_id);
        if (!current || precedes(entry, current)) store(this.holding, entry);
      } else if (entry.origin.source === "policy") {
        this.expiredPolicy.push(entry);
      } else {
        const current = lookup(this.expiredAccepted, entry.terms.rule_id, entry.terms.key_id);
        if (!current || precedes(entry, current)) store(this.expiredAccepted, entry);
      }
    }
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** The exemption that holds for this rule and key, if any, recorded as applied. */
  apply(ruleId: string, keyId: string, fingerprint: string): AppliedExemption | undefined {
    const entry = lookup(this.holding, ruleId, keyId);
    if (!entry) return undefined;
    this.applied.add(entry);
    return { ...entry.terms, ...entry.origin, fingerprint };
  }

  /** Whether an exemption holds for this rule and key (without recording it as applied). */
  holds(ruleId: string, keyId: string): boolean {
    return lookup(this.holding, ruleId, keyId) !== undefined;
  }

  /** A finding of this rule and key stays open: an acceptance of it that expired is reported. */
  noteOpen(ruleId: string, keyId: string): void {
    const expired = lookup(this.expiredAccepted, ruleId, keyId);
    if (expired) this.reopened.add(expired);
  }

  /** Expired policy exemptions, expired acceptances whose finding is open again, and holding ones whose key was not seen. */
  notices(seenKeyIds: ReadonlySet<string>): ExemptionNotice[] {
    const notices: ExemptionNotice[] = [...this.expiredPolicy, ...this.reopened].map((entry) => notice("expired", entry));
    for (const byKey of this.holding.values()) {
      for (const entry of byKey.values()) if (!seenKeyIds.has(entry.terms.key_id)) notices.push(notice("unused", entry));
    }
    return notices.sort((a, b) => compare(a.rule_id, b.rule_id) || compare(a.key_id, b.key_id) || compare(a.kind, b.kind) || compareOrigins(a, b));
  }

  /** Every exemption that held on `now`, with whether it suppressed a finding. */
  inForce(): ExemptionInForce[] {
    return this.inForceEntries
      .map((entry): ExemptionInForce => ({ ...entry.terms, ...entry.origin, status: this.applied.has(entry) ? "applied" : "unused" }))
      .sort((a, b) => compare(a.rule_id, b.rule_id) || compare(a.key_id, b.key_id) || compareOrigins(a, b));
  }
}

function policyEntry(exemption: Exemption): Entry {
  return {
    terms: { rule_id: exemption.rule, key_id: exemption.key, reason: exemption.reason, expires: exemption.expires },
    origin: exemption.approved_by === undefined ? { source: "policy" } : { source: "policy", approved_by: exemption.approved_by },
    endMs: endOfDay(exemption.expires),
  };
}

function acceptedEntry(accepted: AcceptedExemption): Entry {
  return {
    terms: { rule_id: accepted.rule, key_id: accepted.key, reason: accepted.reason, expires: accepted.expires },
    origin: {
      source: "slack",
      id: accepted.id,
      accepted_by: { id: accepted.accepted_by.id, name: accepted.accepted_by.name },
      accepted_at: accepted.accepted_at,
      // The store keeps "no ticket" as null: only a ticket that was given is recorded.
      ...(accepted.ticket ? { ticket: accepted.ticket } : {}),
    },
    endMs: endOfDay(accepted.expires),
  };
}

/** An exemption holds through the end (UTC) of its `expires` day; an unreadable date never holds. */
function endOfDay(expires: string): number {
  const day = parseDay(expires);
  return day === null ? Number.NaN : day + MS_PER_DAY;
}

/** Whether `a` wins over `b` for the same rule and key: the policy first, then the longest lasting, then the latest accepted. */
function precedes(a: Entry, b: Entry): boolean {
  if (a.origin.source !== b.origin.source) return a.origin.source === "policy";
  if (a.origin.source === "policy" || b.origin.source === "policy") return false;
  const [aEnd, bEnd] = [a.endMs, b.endMs].map((ms) => (Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms)) as [number, number];
  if (aEnd !== bEnd) return aEnd > bEnd;
  return compare(a.origin.accepted_at, b.origin.accepted_at) > 0 || (a.origin.accepted_at === b.origin.accepted_at && compare(a.origin.id, b.origin.id) > 0);
}

function lookup(map: Map<string, Map<string, Entry>>, ruleId: string, keyId: string): Entry | undefined {
  return map.get(ruleId)?.get(keyId);
}

function store(map: Map<string, Map<string, Entry>>, entry: Entry): void {
  let byKey = map.get(entry.terms.rule_id);
  if (!byKey) map.set(entry.terms.rule_id, (byKey = new Map()));
  byKey.set(entry.terms.key_id, entry);
}

function notice(kind: ExemptionNotice["kind"], entry: Entry): ExemptionNotice {
  return { kind, ...entry.terms, ...entry.origin };
}

/** Policy exemptions first, then acceptances by id. */
function compareOrigins(a: ExemptionOrigin, b: ExemptionOrigin): number {
  if (a.source !== b.source) return a.source === "policy" ? -1 : 1;
  return a.source === "slack" && b.source === "slack" ? compare(a.id, b.id) : 0;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
