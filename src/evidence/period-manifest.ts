/**
 * period-manifest.json: what a period export holds beside its runs. It fixes the period, each
 * run's manifest SHA-256 (which fixes every file of that run) and the SHA-256 and size of every
 * other file of the export — the index, report.html, controls-summary.* — and is signed
 * (period-manifest.sig) like a run's manifest. Without it, an edited report verified.
 */
import { z } from "zod";
import type { ManifestFile } from "./manifest.js";
import { sha256Hex } from "../util/hash.js";
import { compareText } from "./layout.js";

export const PERIOD_FORMAT = "keywarden-period-manifest/1";

export interface PeriodManifestRun {
  id: string;
  /** Where the run's files are, relative to the period manifest (`runs/2026/11/<id>/`). */
  prefix: string;
  manifest_sha256: string;
}

export interface PeriodManifest {
  format: typeof PERIOD_FORMAT;
  keywarden_version: string;
  period: { from: string; to: string };
  /** In chain order. */
  runs: PeriodManifestRun[];
  /** Every file of the export outside the runs' folders, sorted by name; the period manifest and its signature are not listed. */
  files: ManifestFile[];
  signature: { algorithm: "Ed25519"; public_key_sha256: string } | null;
}

export interface PeriodManifestInput {
  period: { from: string; to: string };
  runs: readonly PeriodManifestRun[];
  files: readonly { name: string; content: Uint8Array }[];
  version: string;
  signingPublicKeySha256?: string | null;
}

/** The exact bytes: pretty JSON with a fixed key order and a final newline, what period-manifest.sig signs. */
export function serializePeriodManifest(input: PeriodManifestInput): Uint8Array {
  const manifest: PeriodManifest = {
    format: PERIOD_FORMAT,
    keywarden_version: input.version,
    period: { from: input.period.from, to: input.period.to },
    runs: input.runs.map((r) => ({ id: r.id, prefix: r.prefix, manifest_sha256: r.manifest_sha256 })),
    files: input.files
      .map((f) => ({ name: f.name, sha256: sha256Hex(f.content), size: f.content.length }))
      .sort((a, b) => compareText(a.name, b.name)),
    signature: input.signingPublicKeySha256 ? { algorithm: "Ed25519", public_key_sha256: input.signingPublicKeySha256 } : null,
  };
  return new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
}

const sha256 = z.string().regex(/^[0-9a-f]{64}$/, "must be a lowercase hex SHA-256");
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date YYYY-MM-DD");
const schema = z.object({
  format: z.literal(PERIOD_FORMAT),
  keywarden_version: z.string(),
  period: z.object({ from: day, to: day }),
  runs: z.array(z.object({ id: z.string().min(1), prefix: z.string(), manifest_sha256: sha256 })),
  files: z.array(z.object({ name: z.string().min(1), sha256, size: z.number().int().nonnegative() })),
  signature: z.object({ algorithm: z.literal("Ed25519"), public_key_sha256: sha256 }).nullable(),
});

export type PeriodManifestParse = { ok: true; manifest: PeriodManifest } | { ok: false; message: string };

export function parsePeriodManifest(bytes: Uint8Array): PeriodManifestParse {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    return { ok: false, message: "not valid UTF-8 JSON" };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, message: `not a ${PERIOD_FORMAT} manifest (${issue ? `${issue.path.join(".") || "(root)"}: ${issue.message}` : "invalid"})` };
  }
  return { ok: true, manifest: parsed.data as PeriodManifest };
}
