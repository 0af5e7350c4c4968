import type { RunFinding } from "../model/run.js";
import { severityRank } from "../model/severity.js";

/** Worst first: severity, then rule, then key name, then fingerprint (stable across runs). */
export function sortFindings(findings: readonly RunFinding[]): RunFinding[] {
  return [...findings].sort(
    (a, b) =>
      severityRank(b.severity) - severityRank(a.severity) ||
      compare(a.rule_id, b.rule_id) ||
      naturalCompare(a.key.name ?? a.key.id, b.key.name ?? b.key.id) ||
      compare(a.fingerprint, b.fingerprint),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "key-9" before "key-10"; deterministic (no locale). */
function naturalCompare(a: string, b: string): number {
  const x = a.split(/(\d+)/);
  const y = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? "";
    const q = y[i] ?? "";
    if (p === q) continue;
    if (i % 2 === 1) {
      const pn = p.replace(/^0+/, "");
      const qn = q.replace(/^0+/, "");
      if (pn.length !== qn.length) return pn.length - qn.length;
      if (pn !== qn) return compare(pn, qn);
    }
    return compare(p, q);
  }
  return x.length - y.length || compare(a, b);
}
