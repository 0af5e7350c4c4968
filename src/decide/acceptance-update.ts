import { acceptanceStatus } from "../model/acceptance.js";
import type { AcceptancePrompt, NewAcceptance } from "../model/acceptance.js";
import type { RunFinding } from "../model/run.js";
import type { DecideDeps } from "./ports.js";

/**
 * After an acceptance, shows it where the button was, from stored state only (the run, its findings,
 * the acceptances stored): a click's payload can carry any message, and whoever holds the signing
 * secret must not be able to make Keywarden post it. The notifier updates a reply of the run's
 * channel report in place, or answers in the thread of any other message.
 */
export async function showAcceptance(deps: DecideDeps, prompt: AcceptancePrompt, runId: string, finding: RunFinding, acceptance: NewAcceptance, now: Date): Promise<void> {
  const { notifier } = deps;
  if (!notifier || prompt.fingerprint !== finding.fingerprint) return;
  const run = await deps.runs.recordedRun(runId);
  const inForce = run ? (await deps.acceptances.forPolicy(acceptance.policy_name)).filter((a) => acceptanceStatus(a, now) === "active") : [];
  await notifier.showAcceptance({ prompt, run, finding, acceptance, inForce });
}
