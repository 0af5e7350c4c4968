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
import { fromBase64, toBase64, toBase64Url } from "../util/base64.js";
import { parseJwk, pemOrBase64, signingKeyMaterial, unescapeNewlines } from "../util/ed25519-key-text.js";

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

function unwrap<T>(result: KeyResult<T>): T {
  if (!result.ok) throw new Error(result.message);
  return result.key;
}
