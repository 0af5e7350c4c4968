/**
 * Ed25519 signatures over manifest bytes with WebCrypto (workerd and Node 22).
 *
 * EVIDENCE_SIGNING_KEY holds a PKCS#8 private key: PEM (`-----BEGIN PRIVATE KEY-----`,
 * real or `\n`-escaped newlines) or its DER in base64 on one line (recommended:
 * `wrangler secret put` takes one line). A JWK (`{"kty":"OKP","crv":"Ed25519","d":…,"x":…}`)
 * and a bare 32-byte seed in base64 are accepted too. Public keys: SPKI PEM, SPKI DER in
 * base64, a public JWK, or the raw 32 bytes in base64.
 */
import { sha256Hex } from "../util/hash.js";
import { fromBase64, toBase64, toBase64Url } from "./base64.js";

export type KeyResult<T> = { ok: true; key: T } | { ok: false; message: string };

export interface EvidencePublicKey {
  key: CryptoKey;
  /** SubjectPublicKeyInfo DER: what `openssl pkey -pubout -outform DER` prints. */
  spki: Uint8Array;
  /** Hex SHA-256 of `spki`: the key's name in manifests. */
  sha256: string;
}

export interface EvidenceSigningKey {
  privateKey: CryptoKey;
  publicKey: EvidencePublicKey;
}

export interface PublicKeyExport {
  jwk: { kty: "OKP"; crv: "Ed25519"; x: string };
  spki_base64: string;
  pem: string;
  sha256: string;
}

const ED25519 = { name: "Ed25519" } as const;
// PKCS#8 v1 wrapper of a bare Ed25519 seed (RFC 8410): SEQUENCE { 0, { id-Ed25519 }, OCTET STRING { OCTET STRING seed } }.
const PKCS8_SEED_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];

type SigningKeyMaterial = { jwk: JsonWebKey } | { pkcs8: Uint8Array<ArrayBuffer> } | { problem: string };

/** The key's bytes or JWK as EVIDENCE_SIGNING_KEY gives them, or what is wrong with its form. */
function signingKeyMaterial(text: string): SigningKeyMaterial {
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

export async function importSigningKey(text: string): Promise<KeyResult<EvidenceSigningKey>> {
  const material = signingKeyMaterial(text);
  if ("problem" in material) return { ok: false, message: `the evidence signing key ${material.problem}` };
  let privateKey: CryptoKey;
  try {
    privateKey = "jwk" in material ? await crypto.subtle.importKey("jwk", material.jwk, ED25519, true, ["sign"]) : await crypto.subtle.importKey("pkcs8", material.pkcs8, ED25519, true, ["sign"]);
  } catch (error) {
    return { ok: false, message: `the evidence signing key is not an Ed25519 private key (${(error as Error).message})` };
  }
  const jwk = (await crypto.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  if (typeof jwk.x !== "string") return { ok: false, message: "the evidence signing key's public half could not be derived" };
  const publicKey = await publicKeyFromJwk(jwk.x);
  return { ok: true, key: { privateKey, publicKey } };
}

export async function importPublicKey(text: string): Promise<KeyResult<EvidencePublicKey>> {
  const source = unescapeNewlines(text).trim();
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(source)) {
    return { ok: false, message: "this is a private key; verification needs the public key only (GET /evidence/public-key)" };
  }
  try {
    if (source.startsWith("{")) {
      const jwk = parseJwk(source);
      if (!jwk || typeof jwk.x !== "string") return { ok: false, message: 'the public key JWK must look like {"kty":"OKP","crv":"Ed25519","x":…}' };
      if (jwk.d !== undefined) return { ok: false, message: "this JWK holds a private key; verification needs the public key only" };
      return { ok: true, key: await publicKeyFromJwk(jwk.x) };
    }
    const der = pemOrBase64(source, "PUBLIC KEY");
    if (typeof der === "string") return { ok: false, message: `the public key ${der}` };
    const key =
      der.length === 32
        ? await crypto.subtle.importKey("raw", der, ED25519, true, ["verify"])
        : await crypto.subtle.importKey("spki", der, ED25519, true, ["verify"]);
    return { ok: true, key: await describePublicKey(key) };
  } catch (error) {
    return { ok: false, message: `the public key is not an Ed25519 public key (${(error as Error).message})` };
  }
}

/** The base64 Ed25519 signature of exactly these bytes (the content of `manifest.sig`, without its final newline). */
export async function signManifest(bytes: Uint8Array, key: EvidenceSigningKey | string): Promise<string> {
  const signing = typeof key === "string" ? unwrap(await importSigningKey(key)) : key;
  const signature = await crypto.subtle.sign(ED25519, signing.privateKey, new Uint8Array(bytes));
  return toBase64(new Uint8Array(signature));
}

/** False for a signature that is not base64, not 64 bytes, or does not match. */
export async function verifyManifestSignature(bytes: Uint8Array, signatureBase64: string, publicKey: EvidencePublicKey | string): Promise<boolean> {
  const key = typeof publicKey === "string" ? unwrap(await importPublicKey(publicKey)) : publicKey;
  const signature = fromBase64(signatureBase64.trim());
  if (!signature || signature.length !== 64) return false;
  return crypto.subtle.verify(ED25519, key.key, signature, new Uint8Array(bytes));
}

/** What the Worker serves at GET /evidence/public-key. */
export async function derivePublicKey(privateKey: EvidenceSigningKey | string): Promise<PublicKeyExport> {
  const signing = typeof privateKey === "string" ? unwrap(await importSigningKey(privateKey)) : privateKey;
  return exportPublicKey(signing.publicKey);
}

export async function exportPublicKey(publicKey: EvidencePublicKey): Promise<PublicKeyExport> {
  const raw = new Uint8Array((await crypto.subtle.exportKey("raw", publicKey.key)) as ArrayBuffer);
  const spki = toBase64(publicKey.spki);
  const lines = spki.match(/.{1,64}/g) ?? [];
  return {
    jwk: { kty: "OKP", crv: "Ed25519", x: toBase64Url(raw) },
    spki_base64: spki,
    pem: `-----BEGIN PUBLIC KEY-----\n${lines.join("\n")}\n-----END PUBLIC KEY-----\n`,
    sha256: publicKey.sha256,
  };
}

async function publicKeyFromJwk(x: string): Promise<EvidencePublicKey> {
  const key = await crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x }, ED25519, true, ["verify"]);
  return describePublicKey(key);
}

async function describePublicKey(key: CryptoKey): Promise<EvidencePublicKey> {
  const spki = new Uint8Array((await crypto.subtle.exportKey("spki", key)) as ArrayBuffer);
  return { key, spki, sha256: sha256Hex(spki) };
}

/** DER bytes, or a message saying what is wrong. */
function pemOrBase64(source: string, label: "PRIVATE KEY" | "PUBLIC KEY"): Uint8Array<ArrayBuffer> | string {
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

function parseJwk(text: string): JsonWebKey | null {
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
function unescapeNewlines(text: string): string {
  return text.includes("-----BEGIN") ? text.replaceAll("\\n", "\n") : text;
}

function unwrap<T>(result: KeyResult<T>): T {
  if (!result.ok) throw new Error(result.message);
  return result.key;
}
