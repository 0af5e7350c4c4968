/**
 * Ed25519 keys as settings and files hold them (PEM, base64 DER, JWK, a bare seed): their bytes, or
 * what is wrong with their form. Pure text handling, so config.ts can name a key that can never sign
 * before a run starts; evidence/signing.ts imports the keys with WebCrypto.
 */
import { fromBase64 } from "./base64.js";

// PKCS#8 v1 wrapper of a bare Ed25519 seed (RFC 8410): SEQUENCE { 0, { id-Ed25519 }, OCTET STRING { OCTET STRING seed } }.
const PKCS8_SEED_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

export type SigningKeyMaterial = { jwk: JsonWebKey } | { pkcs8: Uint8Array<ArrayBuffer> } | { problem: string };

/** The key's bytes or JWK as EVIDENCE_SIGNING_KEY gives them, or what is wrong with its form. */
export function signingKeyMaterial(text: string): SigningKeyMaterial {
  const source = unescapeNewlines(text).trim();
  if (source === "") return { problem: "is empty" };
  if (source.startsWith("{")) {
    const jwk = parseJwk(source);
    if (!jwk || typeof jwk.d !== "string" || typeof jwk.x !== "string") return { problem: 'is a JWK but not an Ed25519 private key: {"kty":"OKP","crv":"Ed25519","d":…,"x":…}' };
    return { jwk };
  }
  const der = pemOrBase64(source, "PRIVATE KEY");
  if (typeof der === "string") return { problem: der };
  if (der.length === 32) return { pkcs8: new Uint8Array([...PKCS8_SEED_PREFIX, ...der]) };
  // PKCS#8 names its algorithm near the start: id-Ed25519 is 06 03 2b 65 70 (RFC 8410).
  if (!/\x06\x03\x2b\x65\x70/.test(String.fromCharCode(...der.subarray(0, 24)))) return { problem: "is not an Ed25519 key in PKCS#8 (make one with openssl genpkey -algorithm ed25519)" };
  return { pkcs8: der };
}

/**
 * What is wrong with EVIDENCE_SIGNING_KEY's form, or null: checked with the other settings, before a
 * run starts, so that a key that can never sign is named at once instead of failing a run's evidence.
 */
export function signingKeyProblem(text: string): string | null {
  const material = signingKeyMaterial(text);
  return "problem" in material ? material.problem : null;
}

/** DER bytes, or a message saying what is wrong. */
export function pemOrBase64(source: string, label: "PRIVATE KEY" | "PUBLIC KEY"): Uint8Array<ArrayBuffer> | string {
  let body = source;
  const armor = /^-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----$/.exec(source);
  if (armor) {
    if (armor[1] !== label) return `is a PEM "${armor[1]}"; expected "${label}" (PKCS#8 for private keys, SPKI for public keys)`;
    body = armor[2] ?? "";
  } else if (source.startsWith("-----")) {
    return "is not a well-formed PEM block";
  }
  const der = fromBase64(body);
  return der && der.length > 0 ? der : "is neither PEM nor base64";
}

export function parseJwk(text: string): JsonWebKey | null {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null) return null;
    const jwk = value as JsonWebKey;
    return jwk.kty === "OKP" && jwk.crv === "Ed25519" ? jwk : null;
  } catch {
    return null;
  }
}

/** `.dev.vars` and some secret stores keep PEM newlines as the two characters `\n`. */
export function unescapeNewlines(text: string): string {
  return text.includes("-----BEGIN") ? text.replaceAll("\\n", "\n") : text;
}
