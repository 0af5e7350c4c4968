import { type EvidenceFile, type EvidenceInput, buildEvidenceFiles, utf8 } from "./files.js";
import { MANIFEST_FILE, SIGNATURE_FILE, contentTypeOf, evidencePrefix } from "./layout.js";
import { type Manifest, buildManifest, manifestSha256, serializeManifest } from "./manifest.js";
import { type EvidenceSigningKey, signManifest } from "./signing.js";

export interface RunEvidenceInput extends EvidenceInput {
  /** `evidence.manifest_sha256` of the previous run (whatever its status); null for the first run. */
  previousManifestSha256: string | null;
  version: string;
  /** From EVIDENCE_SIGNING_KEY (importSigningKey); null or absent: unsigned. */
  signingKey?: EvidenceSigningKey | null;
}

export interface RunEvidence {
  /** `runs/<yyyy>/<mm>/<run id>/`: store every file at prefix + name. */
  prefix: string;
  /** The data files, manifest.json and, when signed, manifest.sig. */
  files: EvidenceFile[];
  manifest: Manifest;
  /** What the next run's manifest links to, and what to keep outside R2. */
  manifestSha256: string;
}

/** Everything one run leaves as evidence, ready to be written under `prefix`. */
export async function buildRunEvidence(input: RunEvidenceInput): Promise<RunEvidence> {
  const dataFiles = buildEvidenceFiles(input);
  const manifest = buildManifest({
    run: input.run,
    files: dataFiles,
    previousManifestSha256: input.previousManifestSha256,
    version: input.version,
    signingPublicKeySha256: input.signingKey?.publicKey.sha256 ?? null,
  });
  const manifestBytes = serializeManifest(manifest);
  const files: EvidenceFile[] = [...dataFiles, { name: MANIFEST_FILE, content: manifestBytes, contentType: contentTypeOf(MANIFEST_FILE) }];
  if (input.signingKey) {
    const signature = await signManifest(manifestBytes, input.signingKey);
    files.push({ name: SIGNATURE_FILE, content: utf8(`${signature}\n`), contentType: contentTypeOf(SIGNATURE_FILE) });
  }
  return { prefix: evidencePrefix(input.run), files, manifest, manifestSha256: manifestSha256(manifestBytes) };
}
