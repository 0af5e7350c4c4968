import { Hono } from "hono";
import { z } from "zod";
import { SECRET_OFF, secretValues } from "../config.js";
import { EVIDENCE_FILE_NAMES, type EvidenceSigningKey, MANIFEST_FILE, SIGNATURE_FILE, buildEvidenceZip, contentTypeOf, exportPublicKey, importSigningKey, parseManifest } from "../evidence/index.js";
import { type EvidencePeriod, checkPeriod } from "../evidence/period.js";
import { REPORT_INPUT_FILES, type StoredRunFiles, lastEvaluatedRun, renderPeriodReport, reportHeaders } from "../report/html/period-report.js";
import { services } from "../services.js";
import { sha256Hex } from "../util/hash.js";
import { redact } from "../util/redact.js";
import { invalidRequest, jsonError } from "./errors.js";

/** GET /evidence/public-key — public, so auditors can fetch it without a token. */
export const publicKeyRoute = new Hono<{ Bindings: Env }>();
publicKeyRoute.get("/", async (c) => {
  const { evidenceSigningKey } = services(c.env).config;
  if (!evidenceSigningKey) {
    const setting = c.env.EVIDENCE_SIGNING_KEY === SECRET_OFF ? `is ${SECRET_OFF}` : "is not set";
    return jsonError(c, 404, "not_found", `evidence is not signed (EVIDENCE_SIGNING_KEY ${setting})`);
  }
  const imported = await importSigningKey(evidenceSigningKey);
  if (!imported.ok) return jsonError(c, 500, "misconfigured", redact(`EVIDENCE_SIGNING_KEY is not usable: ${imported.message}`, [evidenceSigningKey]));
  const exported = await exportPublicKey(imported.key.publicKey);
  if (c.req.query("format") === "jwk") return c.json(exported.jwk);
  return c.body(exported.pem, 200, { "content-type": "application/x-pem-file; charset=utf-8" });
});

/** GET /runs/:id/evidence and /runs/:id/evidence/:file (mounted under the bearer-protected /runs). */
export const runEvidence = new Hono<{ Bindings: Env }>();

runEvidence.get("/:id/evidence", async (c) => {
  const located = await locate(c.env, c.req.param("id"));
  if ("error" in located) return jsonError(c, 404, "not_found", located.error);
  const manifestObject = await services(c.env).evidence.get(`${located.prefix}${MANIFEST_FILE}`);
  if (!manifestObject) return jsonError(c, 404, "not_found", `the evidence of run ${located.id} is missing from storage`);
  const manifestBytes = new Uint8Array(await manifestObject.arrayBuffer());
  const parsed = parseManifest(manifestBytes);
  if (!parsed.ok) return jsonError(c, 500, "corrupt_evidence", parsed.message);
  const base = `/runs/${located.id}/evidence`;
  const signature = parsed.manifest.signature ? await services(c.env).evidence.get(`${located.prefix}${SIGNATURE_FILE}`) : null;
  const signatureBytes = signature ? new Uint8Array(await signature.arrayBuffer()) : null;
  return c.json({
    run_id: located.id,
    prefix: located.prefix,
    manifest_sha256: located.manifest_sha256,
    signed: parsed.manifest.signature !== null && signatureBytes !== null,
    files: [
      ...parsed.manifest.files.map((f) => ({ ...f, url: `${base}/${f.name}` })),
      { name: MANIFEST_FILE, sha256: located.manifest_sha256, size: manifestBytes.length, url: `${base}/${MANIFEST_FILE}` },
      ...(signatureBytes ? [{ name: SIGNATURE_FILE, sha256: sha256Hex(signatureBytes), size: signatureBytes.length, url: `${base}/${SIGNATURE_FILE}` }] : []),
    ],
  });
});

runEvidence.get("/:id/evidence/:file", async (c) => {
  const file = c.req.param("file");
  if (!EVIDENCE_FILE_NAMES.has(file)) return jsonError(c, 404, "not_found", `no evidence file named ${file}`);
  const located = await locate(c.env, c.req.param("id"));
  if ("error" in located) return jsonError(c, 404, "not_found", located.error);
  const object = await services(c.env).evidence.get(`${located.prefix}${file}`);
  if (!object) return jsonError(c, 404, "not_found", `run ${located.id} has no ${file}`);
  return c.body(object.body, 200, {
    "content-type": contentTypeOf(file),
    "content-disposition": `attachment; filename="${located.id}-${file}"`,
  });
});

const dayText = z.string({ error: "is required: a date YYYY-MM-DD" });
/** Real calendar days, from ≤ to, at most MAX_PERIOD_DAYS (see ../report/evidence/period.ts). */
const periodQuery = z.strictObject({ from: dayText, to: dayText }).transform((q, ctx) => {
  const checked = checkPeriod(q.from, q.to);
  if (checked.ok) return checked.period;
  ctx.addIssue({ code: "custom", path: [checked.field], message: checked.message, input: q });
  return z.NEVER;
});

/** GET /evidence?from=YYYY-MM-DD&to=YYYY-MM-DD (both inclusive, UTC, at most 366 days): one ZIP with every run's evidence and an index. */
export const evidenceArchive = new Hono<{ Bindings: Env }>();
evidenceArchive.get("/", async (c) => {
  const query = periodQuery.safeParse(c.req.query());
  if (!query.success) return invalidRequest(c, query.error, "(query)");
  const { from, to, start, end } = query.data;
  const { runs: history, evidence: store } = services(c.env);
  const runs = await history.withEvidence(start, end);
  const gaps = await history.withoutEvidence(start, end);
  const stored = [];
  for (const run of runs) stored.push({ prefix: run.prefix, files: await store.readRun(run.prefix) });
  const signing = await signingKeyOf(c.env);
  if (!signing.ok) return jsonError(c, 500, "misconfigured", signing.message);
  const zip = await buildEvidenceZip(stored, { from, to }, gaps, { secrets: secretValues(c.env), signingKey: signing.key });
  return c.body(zip as Uint8Array<ArrayBuffer>, 200, {
    "content-type": "application/zip",
    "content-disposition": `attachment; filename="keywarden-evidence-${from}-to-${to}.zip"`,
  });
});

/** The key that signs the export's period manifest, as the runs' manifests are signed: none when EVIDENCE_SIGNING_KEY is off. */
async function signingKeyOf(env: Env): Promise<{ ok: true; key: EvidenceSigningKey | null } | { ok: false; message: string }> {
  const { evidenceSigningKey } = services(env).config;
  if (!evidenceSigningKey) return { ok: true, key: null };
  const imported = await importSigningKey(evidenceSigningKey);
  return imported.ok ? imported : { ok: false, message: redact(`EVIDENCE_SIGNING_KEY is not usable: ${imported.message}`, [evidenceSigningKey]) };
}

/**
 * GET /evidence/report?from=YYYY-MM-DD&to=YYYY-MM-DD (same period rules and 400s as GET /evidence):
 * the period's report as one HTML page, what report.html of the export holds, with this
 * deployment's addresses for the public key and the export. Its Content-Security-Policy forbids
 * every script and every external resource.
 */
export const evidenceReport = new Hono<{ Bindings: Env }>();
evidenceReport.get("/", async (c) => {
  const query = periodQuery.safeParse(c.req.query());
  if (!query.success) return invalidRequest(c, query.error, "(query)");
  const { from, to } = query.data;
  const gaps = await services(c.env).runs.withoutEvidence(query.data.start, query.data.end);
  const runs = await readReportInputs(c.env, query.data);
  const origin = new URL(c.req.url).origin;
  const html = renderPeriodReport({
    period: { from, to },
    runs,
    withoutEvidence: gaps,
    deployment: origin,
    verify: { publicKeyUrl: `${origin}/evidence/public-key`, exportUrl: `${origin}/evidence?from=${from}&to=${to}` },
    secrets: secretValues(c.env),
  });
  return c.body(html, 200, reportHeaders());
});

/**
 * The files the report reads of each run of the period; findings.json only of the last run that
 * evaluated the policy (the only one whose findings it lists: a year of them would not fit in memory).
 */
async function readReportInputs(env: Env, period: EvidencePeriod): Promise<StoredRunFiles[]> {
  const { runs: history, evidence: store } = services(env);
  const read = async (prefix: string, name: string) => {
    const object = await store.get(`${prefix}${name}`);
    return object ? ([name, new Uint8Array(await object.arrayBuffer())] as const) : null;
  };
  const runs: StoredRunFiles[] = [];
  for (const run of await history.withEvidence(period.start, period.end)) {
    const names = REPORT_INPUT_FILES.filter((name) => name !== "findings.json");
    const files = (await Promise.all(names.map((name) => read(run.prefix, name)))).filter((entry) => entry !== null);
    runs.push({ prefix: run.prefix, files: Object.fromEntries(files) });
  }
  const parsed = runs.map((run) => {
    const bytes = run.files[MANIFEST_FILE];
    const manifest = bytes ? parseManifest(bytes) : null;
    return { run, manifest: manifest?.ok ? manifest.manifest : null };
  });
  const last = lastEvaluatedRun(parsed);
  const findings = last ? await read(last.run.prefix, "findings.json") : null;
  if (last && findings) last.run.files["findings.json"] = findings[1];
  return runs;
}

async function locate(env: Env, id: string): Promise<{ id: string; prefix: string; manifest_sha256: string } | { error: string }> {
  const row = await services(env).runs.row(id);
  if (!row) return { error: `no run ${id}` };
  const located = row as unknown as { evidence_prefix: string | null; evidence_manifest_sha256: string | null };
  if (!located.evidence_prefix || !located.evidence_manifest_sha256) return { error: `run ${id} has no stored evidence` };
  return { id, prefix: located.evidence_prefix, manifest_sha256: located.evidence_manifest_sha256 };
}
