export { ACCEPTANCES_CSV_COLUMNS } from "./acceptances.js";
export { type EvidenceTree, type StoredRun, type ZipRead, buildEvidenceZip, groupEvidencePaths, readEvidenceZip } from "./archive.js";
export { type CsvCell, toCsv } from "./csv.js";
export { type EvidenceFile, type EvidenceInput, buildEvidenceFiles } from "./files.js";
export {
  EVIDENCE_FILE_NAMES,
  FORMAT,
  INDEX_CSV,
  INDEX_JSON,
  MANIFEST_FILE,
  SIGNATURE_FILE,
  contentTypeOf,
  evidencePrefix,
  monthPrefixes,
} from "./layout.js";
export { type Manifest, type ManifestFile, buildManifest, manifestSha256, parseManifest, serializeManifest } from "./manifest.js";
export { type IndexEntry, INDEX_CSV_COLUMNS, indexEntries } from "./period-index.js";
export { type RunEvidence, type RunEvidenceInput, buildRunEvidence } from "./run-evidence.js";
export {
  type EvidencePublicKey,
  type EvidenceSigningKey,
  type KeyResult,
  type PublicKeyExport,
  derivePublicKey,
  exportPublicKey,
  importPublicKey,
  importSigningKey,
  signManifest,
  verifyManifestSignature,
} from "./signing.js";
export { EXEMPTIONS_CSV_COLUMNS, FINDINGS_CSV_COLUMNS, INVENTORY_CSV_COLUMNS } from "./tables.js";
export { type VerifyOptions, type VerifyProblem, type VerifyReport, verifyEvidence } from "./verify.js";
