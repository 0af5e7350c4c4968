import type { RunReader } from "../decide/ports.js";
import { isWatchId } from "../model/watch.js";

/**
 * The run history as the decisions read it, with the watch's findings besides: an Accept / Revoke
 * button of a firing's message names the firing instead of a run (`watch_…:<fingerprint>`), and
 * the finding as that firing reported it, with its policy, is what the decision is about. A firing
 * is no run: `recordedRun` knows none, so an acceptance is shown as a reply to the clicked message.
 */
export function withWatchFindings(runs: RunReader, firings: { findingOfFiring(firingId: string, fingerprint: string): Promise<Awaited<ReturnType<RunReader["findingOfRun"]>>> }): RunReader {
  return {
    findingOfRun: (id, fingerprint) => (isWatchId(id) ? firings.findingOfFiring(id, fingerprint) : runs.findingOfRun(id, fingerprint)),
    recordedRun: (id) => (isWatchId(id) ? Promise.resolve(null) : runs.recordedRun(id)),
  };
}
