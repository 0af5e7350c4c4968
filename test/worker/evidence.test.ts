import { unzipSync } from "fflate";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { importPublicKey, readEvidenceZip } from "../../src/evidence/index.js";
import { verifyEvidenceTree } from "../../src/evidence/verify.js";
import { sha256Hex } from "../../src/util/hash.js";
import { sampleOrg } from "../../src/sim/sample-org.js";
import { API_TOKEN, EVIDENCE_SIGNING_KEY, SIGNING_SECRET, api, env, sim, slack, startRun, waitForWorkflow } from "./helpers.js";

beforeEach(async () => {
  await sim.reset(sampleOrg(new Date()));
  await slack.reset();
});

async function completedRun(): Promise<string> {
  const id = await startRun();
  await waitForWorkflow(id);
  return id;
}

interface Listing {
  prefix: string;
  manifest_sha256: string;
  signed: boolean;
  files: { name: string; sha256: string; size: number; url: string }[];
}

describe("evidence of a run", () => {
  it("is stored under runs/<yyyy>/<mm>/<run id>/, listed with hashes that match the downloads, and signed", async () => {
    const id = await completedRun();
    const run = (await (await api(`/runs/${id}`)).json()) as { started_at: string; evidence: { stored: boolean; prefix: string } };
    const month = run.started_at.slice(0, 7).replace("-", "/");
    expect(run.evidence).toMatchObject({ stored: true, prefix: `runs/${month}/${id}/` });

    const listing = (await (await api(`/runs/${id}/evidence`)).json()) as Listing;
    expect(listing.signed).toBe(true);
    expect(listing.files.map((f) => f.name).sort()).toEqual(
      ["acceptances.csv", "acceptances.json", "controls.csv", "controls.json", "exemptions.csv", "exemptions.json", "findings.csv", "findings.json", "inventory.csv", "inventory.json", "manifest.json", "manifest.sig", "policy.yaml", "remediations.csv", "remediations.json"].sort(),
    );
    for (const file of listing.files) {
      const response = await api(file.url);
      expect(response.status, file.name).toBe(200);
      const bytes = new Uint8Array(await response.arrayBuffer());
      expect(bytes.length, file.name).toBe(file.size);
      expect(sha256Hex(bytes), file.name).toBe(file.sha256);
    }
    const policy = new TextDecoder().decode(await (await api(`/runs/${id}/evidence/policy.yaml`)).arrayBuffer());
    expect(policy).toContain("name: default");
    const exemptions = (await (await api(`/runs/${id}/evidence/exemptions.json`)).json()) as { run_id: string; exemptions: unknown[] };
    expect(exemptions).toEqual({ run_id: id, status: "complete", exemptions: [] });
    expect(await (await api(`/runs/${id}/evidence/exemptions.csv`)).text()).toMatch(/^run_id,status,source,rule_id,key_id,reason,expires,approved_by,/);
    const controls = (await (await api(`/runs/${id}/evidence/controls.json`)).json()) as { run_id: string; status: string; controls: { framework: string; control_id: string; rules: string[]; status: string }[] };
    expect(controls).toMatchObject({ run_id: id, status: "complete" });
    expect(controls.controls.find((c) => c.framework === "cis" && c.control_id === "5.3")).toMatchObject({ rules: ["unused-90d"], status: "fail" });
    expect((await api(`/runs/${id}/evidence/../../secrets`)).status).toBe(404);
    expect((await api(`/runs/${id}/evidence/run.json`)).status).toBe(404);
    expect((await api(`/runs/${id}/evidence`, { token: null })).status).toBe(401);
  });

  it("is written before Slack is told about the run", async () => {
    const id = await completedRun();
    const { calls } = await slack.calls();
    const firstPost = calls.find((c) => c.method === "chat.postMessage") as unknown as { at: number };
    const run = (await (await api(`/runs/${id}`)).json()) as { evidence: { prefix: string } };
    const manifest = await env.EVIDENCE.head(`${run.evidence.prefix}manifest.json`);
    expect(manifest!.uploaded.getTime()).toBeLessThanOrEqual(firstPost.at);
    const main = JSON.stringify(calls.find((c) => c.method === "chat.postMessage")!.body);
    expect(main).toContain(run.evidence.prefix);
  });

  it("contains no configured secret in any file", async () => {
    await completedRun();
    const listed = await env.EVIDENCE.list({ prefix: "runs/" });
    expect(listed.objects.length).toBeGreaterThan(0);
    for (const object of listed.objects) {
      const text = await (await env.EVIDENCE.get(object.key))!.text();
      for (const secret of ["sk-admin-sim-worker-tests-000000000000", API_TOKEN, SIGNING_SECRET, "xoxb-keywarden-fake-0000000000-secret", EVIDENCE_SIGNING_KEY]) {
        expect(text, object.key).not.toContain(secret);
      }
    }
  });
});

describe("GET /evidence/public-key without a signing key", () => {
  it("answers 404 naming the setting as it is: off, or not set", async () => {
    const worker = (await import("../../src/index.js")).default;
    const { createExecutionContext } = await import("cloudflare:test");
    for (const [value, said] of [["off", "EVIDENCE_SIGNING_KEY is off"], ["", "EVIDENCE_SIGNING_KEY is not set"]] as const) {
      const response = await worker.fetch(new Request("http://keywarden.test/evidence/public-key"), { ...env, EVIDENCE_SIGNING_KEY: value } as Env, createExecutionContext());
      expect(response.status).toBe(404);
      expect(((await response.json()) as { error: { message: string } }).error.message).toBe(`evidence is not signed (${said})`);
    }
  });
});

describe("GET /evidence?from=&to=", () => {
  it("returns one ZIP of every run in the period, chained, its period manifest signed, that verifies with the published public key", async () => {
    const ids = [await completedRun(), await completedRun(), await completedRun()];
    const today = new Date().toISOString().slice(0, 10);
    const response = await api(`/evidence?from=${today}&to=${today}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/zip");
    const zip = readEvidenceZip(new Uint8Array(await response.arrayBuffer()));
    if (!zip.ok) throw new Error(zip.message);
    const pem = new TextDecoder().decode(await (await api("/evidence/public-key", { token: null })).arrayBuffer());
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const publicKey = await importPublicKey(pem);
    if (!publicKey.ok) throw new Error(publicKey.message);
    expect(zip.tree.periodSignature).not.toBeNull();
    const report = await verifyEvidenceTree(zip.tree, { publicKey: publicKey.key });
    expect(report.problems).toEqual([]);
    expect(report.notes).toContainEqual(expect.stringMatching(new RegExp(`^period ${today} to ${today}: .*index\\.json, report\\.html match period-manifest\\.json$`)));
    expect(report.ok).toBe(true);
    expect(report.runs).toBeGreaterThanOrEqual(3);
    const prefixes = [...zip.tree.runs.keys()].join("\n");
    for (const id of ids) expect(prefixes).toContain(id);
  });

  /** The run ids in a period ZIP (runs with evidence, and runs listed without). */
  async function runsIn(query: string): Promise<string[]> {
    const response = await api(`/evidence?${query}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(response.status, response.status === 200 ? "" : new TextDecoder().decode(bytes)).toBe(200);
    const zip = readEvidenceZip(bytes);
    if (!zip.ok) throw new Error(zip.message);
    return [...zip.tree.runs.keys()].map((prefix) => prefix.split("/").filter(Boolean).at(-1) ?? prefix);
  }

  /** Moves a finished run to another start time for one check, then puts it back (the chain of later tests relies on it). */
  async function startedAt<T>(id: string, at: string, check: () => Promise<T>): Promise<T> {
    const row = await env.DB.prepare("SELECT started_at FROM runs WHERE id = ?").bind(id).first<{ started_at: string }>();
    await env.DB.prepare("UPDATE runs SET started_at = ? WHERE id = ?").bind(at, id).run();
    try {
      return await check();
    } finally {
      await env.DB.prepare("UPDATE runs SET started_at = ? WHERE id = ?").bind(row!.started_at, id).run();
    }
  }

  it("includes a run that started at the last millisecond of the last day, up to 9999-12-31", async () => {
    const id = await completedRun();
    await startedAt(id, "9999-12-31T23:59:59.999Z", async () => {
      expect(await runsIn("from=9999-12-01&to=9999-12-31")).toEqual([id]);
      expect(await runsIn("from=9999-12-31&to=9999-12-31")).toEqual([id]);
      expect(await runsIn("from=9999-01-01&to=9999-12-30")).toEqual([]);
    });
    await startedAt(id, "2024-02-29T23:59:59.999Z", async () => {
      expect(await runsIn("from=2024-02-01&to=2024-02-29")).toEqual([id]);
      expect(await runsIn("from=2024-02-29&to=2024-03-31")).toEqual([id]);
      expect(await runsIn("from=2024-02-01&to=2024-02-28")).toEqual([]);
      expect(await runsIn("from=2024-03-01&to=2024-03-31")).toEqual([]);
    });
    await startedAt(id, "2025-01-01T00:00:00.000Z", async () => {
      expect(await runsIn("from=2025-01-01&to=2025-01-01")).toEqual([id]);
      expect(await runsIn("from=2024-01-01&to=2024-12-31")).toEqual([]);
    });
  });

  it.each([
    ["from=2026-02-30&to=2026-03-01", "from", "from is not a real date: 2026-02-30 (February 2026 has 28 days)"],
    ["from=2026-02-01&to=2026-02-29", "to", "to is not a real date: 2026-02-29 (February 2026 has 28 days)"],
    ["from=1900-02-29&to=1900-03-01", "from", "from is not a real date: 1900-02-29 (February 1900 has 28 days)"],
    ["from=2026-04-31&to=2026-05-01", "from", "from is not a real date: 2026-04-31 (April 2026 has 30 days)"],
    ["from=2026-13-01&to=2026-12-01", "from", "from is not a real date: 2026-13-01 (there is no month 13)"],
    ["from=2026-1-01&to=2026-12-01", "from", "from must be a date YYYY-MM-DD"],
    ["from=2026-01-01&to=9999-12-31", "to", "to is too far after from: the period may be at most 366 days, and 2026-01-01 to 9999-12-31 is 2912443 days"],
    ["from=2025-01-01&to=2026-01-02", "to", "to is too far after from: the period may be at most 366 days, and 2025-01-01 to 2026-01-02 is 367 days"],
    ["from=2026-12-02&to=2026-12-01", "to", "to must not be before from (2026-12-01 is before 2026-12-02)"],
    ["from=2027-01-01&to=2026-12-31", "to", "to must not be before from (2026-12-31 is before 2027-01-01)"],
    ["to=2026-12-01", "from", "from is required: a date YYYY-MM-DD"],
    ["from=2026-12-01", "to", "to is required: a date YYYY-MM-DD"],
    ["from=2026-12-01&to=2026-12-02&format=tar", "format", "unknown field(s) format"],
  ])("answers %s with 400 naming %s", async (query, field, message) => {
    const response = await api(`/evidence?${query}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: "invalid_request", message, field } });
  });

  it("accepts real leap days and a period of exactly 366 days", async () => {
    for (const query of ["from=2024-02-29&to=2024-02-29", "from=2000-02-29&to=2000-03-01", "from=2024-01-01&to=2024-12-31", "from=2025-01-01&to=2026-01-01"]) {
      expect((await api(`/evidence?${query}`)).status, query).toBe(200);
    }
  });

  it("rejects a bad period with 400 naming the field, and needs the token", async () => {
    expect((await api("/evidence?from=2026-13-01&to=2026-12-01")).status).toBe(400);
    const reversed = await api("/evidence?from=2026-12-02&to=2026-12-01");
    expect(reversed.status).toBe(400);
    expect(await reversed.json()).toMatchObject({ error: { field: "to" } });
    expect((await api("/evidence?from=2026-12-01&to=2026-12-02", { token: null })).status).toBe(401);
  });
});

describe("a run that failed on its settings before writing evidence", () => {
  it("is in the period's index as failed without evidence: the export still verifies, naming it in a note, and its report lists it once", async () => {
    const worker = (await import("../../src/index.js")).default;
    const { createExecutionContext, createScheduledController, waitOnExecutionContext } = await import("cloudflare:test");
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const broken = { ...env, OPENAI_ADMIN_KEY: "" } as Env;
    await expect(worker.scheduled(createScheduledController({ scheduledTime: new Date(), cron: "0 6 * * 1" }), broken, ctx)).rejects.toThrow(/OPENAI_ADMIN_KEY is not set/);
    await waitOnExecutionContext(ctx);
    errors.mockRestore();
    const failed = await env.DB.prepare("SELECT id FROM runs WHERE status = 'failed' ORDER BY started_at DESC, id DESC LIMIT 1").first<{ id: string }>();
    // The setting fixed, the next run stores its evidence as usual.
    await completedRun();

    const today = new Date().toISOString().slice(0, 10);
    const response = await api(`/evidence?from=${today}&to=${today}`);
    expect(response.status).toBe(200);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const zip = readEvidenceZip(bytes);
    if (!zip.ok) throw new Error(zip.message);
    const index = JSON.parse(new TextDecoder().decode(zip.tree.index ?? new Uint8Array())) as { runs_without_evidence: unknown[] };
    const reason = "the run could not start: invalid configuration";
    expect(index.runs_without_evidence).toEqual([{ id: failed?.id, started_at: expect.any(String), status: "failed", reason, failed_before_evidence: true }]);

    const publicKey = await importPublicKey(new TextDecoder().decode(await (await api("/evidence/public-key", { token: null })).arrayBuffer()));
    if (!publicKey.ok) throw new Error(publicKey.message);
    const report = await verifyEvidenceTree(zip.tree, { publicKey: publicKey.key });
    expect(report.problems).toEqual([]);
    expect(report.notes).toContain(`run ${failed?.id} failed before it could write evidence (recorded so, not a gap): ${reason}`);

    const html = new TextDecoder().decode(unzipSync(bytes)["report.html"]);
    expect(html.split(`data-run="${failed?.id}"`)).toHaveLength(2);
    expect(html).toContain(`id="stat-runs-without-evidence"><span class="value">0</span>`);
  });
});
