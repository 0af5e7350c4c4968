/** A manifest's signature file (a run's manifest.sig, an export's period-manifest.sig) against the manifest and the trusted key. */
import { fromBase64, toBase64 } from "../util/base64.js";
import { type EvidenceContent, isBytes } from "./evidence-content.js";
import { type EvidencePublicKey, verifyManifestSignature } from "./signing.js";
import type { VerifyProblem } from "./verify-problem.js";

export interface SignedManifest {
  /** The run, for a run's manifest. */
  run?: string;
  /** `manifest.json` or `period-manifest.json`, and how messages call it. */
  manifestName: string;
  label: string;
  signatureName: string;
  bytes: Uint8Array;
  /** What the manifest says of its signature. */
  declared: { public_key_sha256: string } | null;
  signature: EvidenceContent | null | undefined;
}

export async function checkManifestSignature(m: SignedManifest, publicKey: EvidencePublicKey | undefined): Promise<VerifyProblem[]> {
  const at = (message: string): VerifyProblem[] => [{ ...(m.run === undefined ? {} : { run: m.run }), file: m.signatureName, message }];
  if (!m.signature) {
    if (m.declared) return at(`missing, although ${m.label} says it is signed`);
    return publicKey ? at(`missing: ${m.label} is not signed, and a public key was given`) : [];
  }
  const text = isBytes(m.signature) ? new TextDecoder().decode(m.signature) : "";
  if (!isSignatureAsWritten(text)) return at("altered: not one line of standard base64 of a 64-byte signature, as Keywarden writes it");
  if (!publicKey) return [];
  if (await verifyManifestSignature(m.bytes, text, publicKey)) return [];
  if (m.declared && m.declared.public_key_sha256 !== publicKey.sha256) {
    return at(`signed with another key (public key sha256 ${m.declared.public_key_sha256}), not the given one (${publicKey.sha256})`);
  }
  return at(`wrong signature: ${m.manifestName} or ${m.signatureName} was altered, or ${m.label} was signed by another key`);
}

/** Exactly `<base64>\n`: the signature check alone would also accept other spellings of the same bytes (whitespace, URL-safe base64, unpadded). */
function isSignatureAsWritten(text: string): boolean {
  const signature = fromBase64(text);
  return signature !== null && signature.length === 64 && text === `${toBase64(signature)}\n`;
}
