import { describe, expect, it } from "vitest";
import { type OpenFindingState, applyLifecycle, resolvedSummary } from "../../src/model/lifecycle.js";
import type { AuditRun } from "../../src/model/run.js";
import { makeError, makeFinding, makeRun } from "../sim/slack-run-factory.js";

/** Findings 0..3 open after the previous run of the policy. */
const previous = [0, 1, 2, 3].map((i) => makeFinding(i));
const open: ReadonlyMap<string, OpenFindingState> = new Map(
  previous.map((f) => [f.fingerprint, { fingerprint: f.fingerprint, last_seen_run: "run_previous", summary: resolvedSummary(f) }]),
);
/** This run sees 0 and 1 again and finds 9 for the first time; 2 and 3 are gone — fixed, or not seen. */
const findings = [makeFinding(0), makeFinding(1), makeFinding(9)];

describe("applyLifecycle", () => {
  it("resolves the open findings a complete run no longer has, and marks each finding new or open", () => {
    const run = applyLifecycle(makeRun({ status: "complete", findings }), open);
    expect(run.findings.map((f) => [f.key.id, f.lifecycle])).toEqual([
      ["key_0", "open"],
      ["key_1", "open"],
      ["key_9", "new"],
    ]);
    expect(run.lifecycle).toMatchObject({ new: 1, open: 2, resolved: 2 });
    expect(run.lifecycle?.resolved_findings.map((r) => [r.key_id, r.last_seen_run])).toEqual([
      ["key_2", "run_previous"],
      ["key_3", "run_previous"],
    ]);
  });

  it("resolves nothing on an incomplete run: a finding it did not see may be on a key it could not list", () => {
    const incomplete = makeRun({ status: "incomplete", findings, errors: [makeError(1)] });
    const run = applyLifecycle(incomplete, open);
    expect(run.lifecycle).toEqual({ new: 1, open: 2, resolved: 0, resolved_findings: [] });
    // What it did see is still tracked.
    expect(run.findings.map((f) => f.lifecycle)).toEqual(["open", "open", "new"]);
  });

  it("resolves nothing on an incomplete run that saw no finding at all", () => {
    const run = applyLifecycle(makeRun({ status: "incomplete", findings: [], errors: [makeError(1), makeError(2)] }), open);
    expect(run.lifecycle).toEqual({ new: 0, open: 0, resolved: 0, resolved_findings: [] });
  });

  it("leaves a failed run as it is: no lifecycle, nothing resolved", () => {
    const failed: AuditRun = makeRun({ status: "failed", findings: [], failure: { reason: "the admin key was refused", details: [] } });
    expect(applyLifecycle(failed, open)).toEqual(failed);
    expect(applyLifecycle(failed, open).lifecycle).toBeUndefined();
  });
});
