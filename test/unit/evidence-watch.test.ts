/** watch.json / watch.csv in a run's evidence (issue 20): the hourly watch's firings since the previous run, when there were any. */
import { describe, expect, it } from "vitest";
import { buildEvidenceFiles } from "../../src/evidence/files.js";
import { WATCH_CSV_COLUMNS } from "../../src/evidence/watch.js";
import type { WatchFiring } from "../../src/model/watch.js";
import { makeRun } from "../sim/slack-run-factory.js";
import { parseCsv } from "../support/csv-parse.js";

const SECRET = "sk-admin-evidence-watch-secret-0123456789";

function firing(id: string, started: string, note: string | null = null): WatchFiring {
  return {
    id,
    started_at: started,
    finished_at: started.replace(":00.000Z", ":02.000Z"),
    policy: "default",
    accounts: [
      {
        account: "openai",
        provider: "openai",
        method: "audit_log",
        status: "watched",
        requests: 2,
        changes_read: 1,
        keys_seen: 1,
        findings: [{ fingerprint: "f".repeat(32), rule_id: "owner-not-allowed", severity: "medium", key_id: "key_new", key_name: "new key" }],
        already_reported: 0,
        note,
      },
    ],
    requests: 2,
    keys_seen: 1,
    findings_posted: 1,
    delivery: "posted",
  };
}

describe("the watch's evidence", () => {
  it("lists each firing of the window in watch.json and one row per account in watch.csv, oldest first, secrets removed", () => {
    const run = makeRun();
    const window = { after: "2026-11-16T06:00:00.000Z", until: run.started_at };
    const files = buildEvidenceFiles({
      run,
      inventory: null,
      policyText: "version: 1",
      secrets: [SECRET],
      watches: { window, firings: [firing("watch_20261117T071700Z_bbbbbb", "2026-11-17T07:17:00.000Z", `saw ${SECRET}`), firing("watch_20261116T071700Z_aaaaaa", "2026-11-16T07:17:00.000Z")] },
    });
    const json = JSON.parse(new TextDecoder().decode(files.find((f) => f.name === "watch.json")?.content)) as { run_id: string; fired_after: string; fired_until: string; firings: { id: string }[] };
    expect(json).toMatchObject({ run_id: run.id, fired_after: window.after, fired_until: window.until });
    expect(json.firings.map((f) => f.id)).toEqual(["watch_20261116T071700Z_aaaaaa", "watch_20261117T071700Z_bbbbbb"]);
    const csv = new TextDecoder().decode(files.find((f) => f.name === "watch.csv")?.content);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual([...WATCH_CSV_COLUMNS]);
    expect(rows.slice(1).map((r) => [r[1], r[5], r[8], r[12], r[14]])).toEqual([
      ["watch_20261116T071700Z_aaaaaa", "openai", "watched", "1", `medium owner-not-allowed key_new ${"f".repeat(32)}`],
      ["watch_20261117T071700Z_bbbbbb", "openai", "watched", "1", `medium owner-not-allowed key_new ${"f".repeat(32)}`],
    ]);
    expect(csv + JSON.stringify(json)).not.toContain(SECRET);
  });

  it("writes no watch file when no firing happened in the window, or the watch is unknown to the caller", () => {
    const run = makeRun();
    const none = buildEvidenceFiles({ run, inventory: null, policyText: "version: 1", watches: { window: { after: null, until: run.started_at }, firings: [] } });
    expect(none.map((f) => f.name)).not.toContain("watch.json");
    expect(buildEvidenceFiles({ run, inventory: null, policyText: "version: 1" }).map((f) => f.name)).not.toContain("watch.csv");
  });
});
