/**
 * The checks of `keywarden doctor`: a deployed Worker seen from outside, as an uptime monitor, a script
 * with the API token, an auditor and Slack see it. Each check is one HTTP request or two and gives one
 * line: what was found and, when it is wrong, what to do. What the Worker answers is data: the caller
 * prints it with printableLine. The token goes in an Authorization header, never into a line.
 */
import { type EvidencePublicKey, importPublicKey } from "../evidence/signing.js";

export type CheckStatus = "pass" | "fail" | "skip";

export interface CheckResult {
  status: CheckStatus;
  line: string;
}

export interface DoctorTarget {
  /** The Worker's origin, e.g. https://keywarden.acme.workers.dev (no trailing slash). */
  base: string;
  /** The API token and the variable it came from; token undefined when the variable is not set. */
  token: { name: string; value: string | undefined };
  /** The public key the auditors keep (--public-key), and the file it was read from. */
  expectedKey?: { file: string; key: EvidencePublicKey };
  fetch?: typeof fetch;
  timeoutMs?: number;
}

interface Answer {
  status: number;
  body: string;
  json: unknown;
}

const DEFAULT_TIMEOUT_MS = 10_000;

async function request(target: DoctorTarget, path: string, init: RequestInit = {}): Promise<Answer | { error: string }> {
  try {
    const response = await (target.fetch ?? fetch)(`${target.base}${path}`, { ...init, redirect: "manual", signal: AbortSignal.timeout(target.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    const body = await response.text();
    let json: unknown = null;
    try {
      json = JSON.parse(body);
    } catch {
      // Not JSON: whatever holds the address is not Keywarden (or answered with its own page).
    }
    return { status: response.status, body, json };
  } catch (error) {
    return { error: describeFetchError(error) };
  }
}

/** `ECONNREFUSED`, `ENOTFOUND`, `timed out after 10 s`: the cause node's fetch wraps in "fetch failed". */
function describeFetchError(error: unknown): string {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) return "no answer within 10 s";
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
}

/** Keywarden's JSON error message (`{"error":{"code","message"}}`), or null. */
function errorOf(answer: Answer): { code: string; message: string } | null {
  const error = (answer.json as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return error && typeof error.code === "string" && typeof error.message === "string" ? { code: error.code, message: error.message } : null;
}

function clip(value: string, max = 300): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

const pass = (line: string): CheckResult => ({ status: "pass", line });
const fail = (line: string): CheckResult => ({ status: "fail", line });
const skip = (line: string): CheckResult => ({ status: "skip", line });

/** GET /healthz: Keywarden's readiness answer, 200 ready or 503 with each problem (which says what to do). */
export async function checkHealth(target: DoctorTarget): Promise<CheckResult> {
  const answer = await request(target, "/healthz");
  if ("error" in answer) return fail(`/healthz: no answer from ${target.base} (${answer.error}): check --url (npx wrangler deploy prints the Worker's address) and that the Worker is deployed`);
  const health = answer.json as { service?: unknown; ok?: unknown; version?: unknown; problems?: unknown; last_complete_run?: { id?: unknown; finished_at?: unknown } | null } | null;
  if (health?.service !== "keywarden") return fail(`/healthz: HTTP ${answer.status}, not Keywarden's readiness answer: check that --url is the Worker's address`);
  if (answer.status === 200 && health.ok === true) {
    const last = health.last_complete_run;
    return pass(`/healthz: ready (Keywarden ${String(health.version)}${last ? `; last complete run ${String(last.id)}, finished ${String(last.finished_at)}` : ""})`);
  }
  const problems = Array.isArray(health.problems) ? health.problems.map(String) : [];
  return fail(`/healthz: not ready (HTTP ${answer.status}): ${clip(problems.join("; ") || "no problem named")}`);
}

/** GET /runs?limit=5 with the token: accepted (the runs, for the evidence check), or refused and why. */
export async function checkToken(target: DoctorTarget): Promise<{ result: CheckResult; runs: unknown[] | null }> {
  const { name, value } = target.token;
  if (!value) return { result: fail(`API token: ${name} is not set here: export the token the Worker has (npx wrangler secret put AUDIT_API_TOKEN), or name its variable with --token-env`), runs: null };
  const answer = await request(target, "/runs?limit=5", { headers: { authorization: `Bearer ${value}` } });
  if ("error" in answer) return { result: fail(`API token: GET /runs got no answer (${answer.error})`), runs: null };
  const error = errorOf(answer);
  if (answer.status === 200) {
    const runs = (answer.json as { runs?: unknown } | null)?.runs;
    return { result: pass(`API token (${name}): accepted by GET /runs`), runs: Array.isArray(runs) ? runs : [] };
  }
  if (answer.status === 401 && error?.message.includes("disabled until AUDIT_API_TOKEN is set")) {
    return { result: fail("API token: the Worker has no AUDIT_API_TOKEN, so its API refuses everyone: npx wrangler secret put AUDIT_API_TOKEN"), runs: null };
  }
  if (answer.status === 401) {
    return { result: fail(`API token (${name}): refused (${error?.message ?? "HTTP 401"}): it is not the Worker's AUDIT_API_TOKEN: export that value, or set the Worker's again with npx wrangler secret put AUDIT_API_TOKEN`), runs: null };
  }
  return { result: fail(`API token: GET /runs answered HTTP ${answer.status}${error ? ` (${clip(error.message)})` : ""}`), runs: null };
}

/** GET /evidence/public-key: evidence is signed, and with --public-key, by the key the auditors keep. */
export async function checkSigningKey(target: DoctorTarget): Promise<CheckResult> {
  const answer = await request(target, "/evidence/public-key");
  if ("error" in answer) return fail(`evidence signing: GET /evidence/public-key got no answer (${answer.error})`);
  const error = errorOf(answer);
  if (answer.status === 404 && error) {
    return fail(`evidence signing: ${clip(error.message)}: generate an Ed25519 key and set EVIDENCE_SIGNING_KEY (README, Deploy), so auditors can tell the evidence is the Worker's`);
  }
  if (answer.status !== 200) return fail(`evidence signing: GET /evidence/public-key answered HTTP ${answer.status}${error ? ` (${clip(error.message)})` : ""}`);
  const served = await importPublicKey(answer.body);
  if (!served.ok) return fail(`evidence signing: what GET /evidence/public-key serves is not a public key (${clip(served.message)})`);
  const expected = target.expectedKey;
  if (!expected) return pass(`evidence signing: on (public key sha256:${served.key.sha256}); --public-key FILE checks it against the copy your auditors keep`);
  if (expected.key.sha256 === served.key.sha256) return pass(`evidence signing: on, with the key of ${expected.file} (sha256:${served.key.sha256})`);
  return fail(
    `evidence signing: the Worker's public key (sha256:${served.key.sha256}) is not the one in ${expected.file} (sha256:${expected.key.sha256}): the Worker signs with another EVIDENCE_SIGNING_KEY, or the file is another deployment's key; fetch GET /evidence/public-key again and tell your auditors`,
  );
}

/** The last finished run's stored evidence: its manifest is signed (needs the token: runs are not public). */
export async function checkLastEvidence(target: DoctorTarget, runs: unknown[] | null): Promise<CheckResult> {
  if (runs === null) return skip("last run's evidence: not checked (needs an accepted API token)");
  const last = runs.find((r): r is { id: string; status: string } => typeof (r as { id?: unknown }).id === "string" && (r as { status?: unknown }).status !== "running");
  if (!last) return skip("last run's evidence: no finished run yet (POST /runs starts one)");
  const auth = { headers: { authorization: `Bearer ${target.token.value}` } };
  const runAnswer = await request(target, `/runs/${encodeURIComponent(last.id)}`, auth);
  if ("error" in runAnswer) return fail(`last run's evidence: GET /runs/${last.id} got no answer (${runAnswer.error})`);
  const run = runAnswer.json as { evidence?: { stored?: unknown; error?: unknown }; failure?: { reason?: unknown } } | null;
  if (runAnswer.status !== 200 || !run) return fail(`last run's evidence: GET /runs/${last.id} answered HTTP ${runAnswer.status}`);
  if (run.evidence?.stored !== true) {
    const why = typeof run.evidence?.error === "string" ? run.evidence.error : typeof run.failure?.reason === "string" ? `the run ${last.status}: ${run.failure.reason}` : `the run ${last.status}`;
    return fail(`last run's evidence: run ${last.id} has no stored evidence (${clip(why)}): check the EVIDENCE R2 binding and /healthz, then start a run (POST /runs)`);
  }
  const answer = await request(target, `/runs/${encodeURIComponent(last.id)}/evidence`, auth);
  if ("error" in answer) return fail(`last run's evidence: GET /runs/${last.id}/evidence got no answer (${answer.error})`);
  const signed = (answer.json as { signed?: unknown } | null)?.signed;
  if (answer.status !== 200 || typeof signed !== "boolean") return fail(`last run's evidence: GET /runs/${last.id}/evidence answered HTTP ${answer.status}`);
  return signed
    ? pass(`last run's evidence: run ${last.id}, stored and signed`)
    : fail(`last run's evidence: run ${last.id} is stored but not signed: set EVIDENCE_SIGNING_KEY (an Ed25519 key, README Deploy) so that the runs after it are signed`);
}

/**
 * POST /slack/commands and /slack/interactions without Slack's signature: Keywarden refuses them with
 * 401, which proves the Slack app manifest's URLs reach it (404: they do not).
 */
export async function checkSlackRoute(target: DoctorTarget, path: "/slack/commands" | "/slack/interactions"): Promise<CheckResult> {
  const what = path === "/slack/commands" ? "the slash command's Request URL" : "the Interactivity Request URL";
  const answer = await request(target, path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
  if ("error" in answer) return fail(`${path}: no answer (${answer.error})`);
  const error = errorOf(answer);
  if (answer.status === 401 && error?.code === "unauthorized") {
    if (error.message.includes("SLACK_SIGNING_SECRET is off")) return skip(`${path}: routed, but SLACK_SIGNING_SECRET is off, so Slack's requests are refused: set it to use the Slack app`);
    return pass(`${path}: routed (an unsigned request is refused with 401)`);
  }
  if (answer.status === 404) return fail(`${path}: not found (HTTP 404): ${what} must be ${target.base}${path}, on a current deployment (npx wrangler deploy)`);
  return fail(`${path}: HTTP ${answer.status} to an unsigned request, where Keywarden answers 401: check that ${what} is ${target.base}${path} and nothing in front of the Worker answers for it`);
}
