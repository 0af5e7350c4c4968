/**
 * The header's "Organization:" line. The evidence records no organization id or name (the Admin API
 * calls Keywarden makes return none), so the line says so, then what does identify these runs: the
 * Keywarden deployment that served the page (unknown inside the export), the policy, and the key
 * that signed the manifests (in full under "How to verify").
 */
import { type Html, html, joined } from "./markup.js";
import type { ReportRun } from "./read-run.js";

export function organizationLine(runs: readonly ReportRun[], deployment: string | null | undefined): Html {
  const lead = "Organization: not named in the evidence (Keywarden records none); ";
  const manifests = runs.flatMap((r) => (r.manifest ? [r.manifest] : []));
  if (manifests.length === 0) return html`<p class="audited">${lead}no run with evidence in this period.</p>`;
  const policies = [...new Set(manifests.map((m) => m.run.policy.name))];
  const keys = [...new Set(manifests.flatMap((m) => (m.signature ? [m.signature.public_key_sha256] : [])))];
  const where = deployment ? html`the Keywarden at <code>${deployment}</code>, ` : "";
  const policy = html`${policies.length === 1 ? "policy" : "policies"} ${joined(
    policies.map((p) => html`<code>${p}</code>`),
    html`, `,
  )}`;
  const signed =
    keys.length === 0
      ? "unsigned"
      : html`signed by the ${keys.length === 1 ? "key" : "keys"} ${joined(
          keys.map((k) => html`<code class="hash">sha256:${k.slice(0, 16)}…</code>`),
          html`, `,
        )}`;
  return html`<p class="audited">${lead}these are the runs of ${where}${policy}, ${signed}.</p>`;
}
