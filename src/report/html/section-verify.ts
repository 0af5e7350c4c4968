/** "How to verify": the commands that check the evidence this page was derived from (src/cli/verify-command.ts). */
import { plural } from "./format.js";
import { type Html, html, joined } from "./markup.js";
import type { ReportRun } from "./read-run.js";

export interface VerifyHelp {
  /** The export's file name, as GET /evidence names it. */
  zipName: string;
  /** Where the public key is served (GET /evidence/public-key), when the deployment's address is known. */
  publicKeyUrl?: string | null;
  /** Where the period's export is served (GET /evidence?from&to), when this page is not inside it. */
  exportUrl?: string | null;
}

export function verifySection(runs: readonly ReportRun[], help: VerifyHelp): Html {
  const keys = [...new Set(runs.flatMap((r) => (r.manifest?.signature ? [r.manifest.signature.public_key_sha256] : [])))];
  const signed = runs.filter((r) => r.manifest?.signature).length;
  const lastHash = runs.filter((r) => r.manifest).at(-1)?.manifestSha256 ?? null;
  const where = help.publicKeyUrl ? html`<code>${help.publicKeyUrl}</code>` : html`<code>GET /evidence/public-key</code> of the Keywarden deployment`;
  const keyLine =
    keys.length === 0
      ? html`<p>No manifest of this period is signed: verify still checks every file's hash and the chain, not who wrote them.</p>`
      : html`<p>${plural(signed, "manifest")} of this period ${signed === 1 ? "is" : "are"} signed by ${keys.length === 1 ? "the key" : "the keys"} whose SHA-256 ${keys.length === 1 ? "is" : "are"} ${joined(
          keys.map((k) => html`<code class="hash">${k}</code>`),
          html`, `,
        )}: the public key you use must hash to ${keys.length === 1 ? "it" : "one of them"}.</p>`;
  const download = help.exportUrl
    ? html`<li>Download the evidence of the period (bearer token): <code>${help.exportUrl}</code>, saved as <code>${help.zipName}</code>. It holds every file this page was derived from, and this page as <code>report.html</code>.</li>`
    : html`<li>This page is <code>report.html</code> of the export <code>${help.zipName}</code>, next to the evidence it was derived from.</li>`;
  return html`<section id="verify">
<h2>How to verify the evidence</h2>
<p>This page is a reading aid, not evidence: it is derived from the runs' files. In the export, <code>period-manifest.json</code> lists its SHA-256 with the index's, the controls summary's and each run's manifest hash, signed like the runs' manifests, and <code>keywarden verify</code> fails on an edited copy. The evidence is each run's files, listed with their SHA-256 in its manifest, the manifests chained by hash and signed with Ed25519. If this page and the verified files disagree, the files are right.</p>
<ol>
${download}
<li>Obtain the public key out of band — not from the export: it is served without a token at ${where}. Check its SHA-256:
<pre><code>openssl pkey -pubin -in evidence-public.pem -outform DER | sha256sum</code></pre>
${keyLine}</li>
<li>Verify, offline (exit status 0: verified, 1: verification failed, 2: usage or read error):
<pre><code>keywarden verify ${help.zipName} --public-key evidence-public.pem</code></pre>
(from a clone of Keywarden: <code>npx keywarden verify …</code>). It checks every file against its manifest, the chain of manifests, the index, this page and the controls summary against the period manifest, and every signature; any other file in the export fails it.</li>
${lastHash ? html`<li>The chain alone cannot show that the last run was removed or replaced. Keep each run's manifest SHA-256 outside the evidence store (Slack shows it; <code>evidence.manifest_sha256</code> of <code>GET /runs/:id</code>) and add <code>--anchor &lt;the SHA-256 you kept&gt;</code>. The last run of this page says its manifest hashes to <code class="hash">${lastHash}</code>.</li>` : ""}
</ol>
</section>`;
}
