/**
 * manifest.json: what a run's evidence holds (each file's SHA-256 and size),
 * what the run was, and the SHA-256 of the previous run's manifest, which makes
 * the runs a hash chain. Serialized deterministically; signed as exact bytes.
 */
import { z } from "zod";
import type { AuditRun } from "../model/run.js";
import { sha256Hex } from "../util/hash.js";
import { FORMAT, compareText } from "./layout.js";
import { countsView } from "./views.js";

export interface ManifestFile {
  name: string;
  sha256: string;
  size: number;
}

export interface Manifest {
  format: typeof FORMAT;
  keywarden_version: string;
  run: {
    id: string;
    trigger: string;
    started_at: string;
    finished_at: string;
    status: string;
    policy: { name: string; file: string; sha256: string };
    counts: AuditRun["counts"];
  };
  files: ManifestFile[];
  previous_manifest_sha256: string | null;
  signature: { algorithm: "Ed25519"; public_key_sha256: string } | null;
}

export interface ManifestInput {
  run: AuditRun;
  files: readonly { name: string; content: Uint8Array }[];
  /** SHA-256 of the previous run's manifest.json bytes; null for the first run. */
  previousManifestSha256: string | null;
  version: string;
  /** The SHA-256 of the signing public key's SPKI when the manifest will be signed. */
  signingPublicKeySha256?: string | null;
}

export function buildManifest(input: ManifestInput): Manifest {
  const { run } = input;
  return {
    format: FORMAT,
    keywarden_version: input.version,
    run: {
      id: run.id,
      trigger: run.trigger,
      started_at: run.started_at,
      finished_at: run.finished_at,
      status: run.status,
      policy: { name: run.policy.name, file: run.policy.file, sha256: run.policy.sha256 },
      counts: run.counts,
    },
    files: input.files
      .map((f) => ({ name: f.name, sha256: sha256Hex(f.content), size: f.content.length }))
      .sort((a, b) => compareText(a.name, b.name)),
    previous_manifest_sha256: input.previousManifestSha256,
    signature: input.signingPublicKeySha256 ? { algorithm: "Ed25519", public_key_sha256: input.signingPublicKeySha256 } : null,
  };
}

/** Pretty JSON with a fixed key order and a final newline: `sha256sum manifest.json` is the chain link. */
export function serializeManifest(m: Manifest): Uint8Array {
  const ordered = {
    format: m.format,
    keywarden_version: m.keywarden_version,
    run: {
      id: m.run.id,
      trigger: m.run.trigger,
      started_at: m.run.started_at,
      finished_at: m.run.finished_at,
      status: m.run.status,
      policy: { name: m.run.policy.name, file: m.run.policy.file, sha256: m.run.policy.sha256 },
      counts: countsView(m.run.counts),
    },
    files: [...m.files].sort((a, b) => compareText(a.name, b.name)).map((f) => ({ name: f.name, sha256: f.sha256, size: f.size })),
    previous_manifest_sha256: m.previous_manifest_sha256,
    signature: m.signature ? { algorithm: m.signature.algorithm, public_key_sha256: m.signature.public_key_sha256 } : null,
  };
  return new TextEncoder().encode(`${JSON.stringify(ordered, null, 2)}\n`);
}

export function manifestSha256(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase hex SHA-256");
const count = z.number().int().nonnegative();
const manifestSchema = z.object({
  format: z.literal(FORMAT),
  keywarden_version: z.string(),
  run: z.object({
    id: z.string().min(1),
    trigger: z.string(),
    started_at: z.iso.datetime(),
    finished_at: z.iso.datetime(),
    status: z.string(),
    policy: z.object({ name: z.string(), file: z.string(), sha256 }),
    counts: z.object({
      admin_keys: count,
      projects: count,
      archived_projects: count,
      project_keys: count,
      users: count,
      api_requests: count,
      findings: z.object({ critical: count, high: count, medium: count, low: count, info: count, total: count }),
    }),
  }),
  files: z.array(z.object({ name: z.string().min(1), sha256, size: count })),
  previous_manifest_sha256: sha256.nullable(),
  signature: z.object({ algorithm: z.literal("Ed25519"), public_key_sha256: sha256 }).nullable(),
});

export type ManifestParse = { ok: true; manifest: Manifest } | { ok: false; message: string };

/** Reads manifest bytes back, for verification and indexes. */
export function parseManifest(bytes: Uint8Array): ManifestParse {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    return { ok: false, message: "manifest.json is not valid UTF-8 JSON" };
  }
  const parsed = manifestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `manifest.json is not a ${FORMAT} manifest (${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"})` };
  }
  return { ok: true, manifest: parsed.data as Manifest };
}
