import { keyAccount } from "../model/key-facts.js";
import type { RunFinding } from "../model/run.js";
import { type WatchAccountOutcome, type WatchDelivery, type WatchFiring, type WatchFindingRef, newWatchId } from "../model/watch.js";
import { DEFAULT_RETRY_POLICY, realSleep } from "../util/retry.js";
import { redact } from "../util/redact.js";
import { type AccountContext, type AccountWatch, watchLimits } from "./account.js";
import { watchAnthropicAccount } from "./anthropic-account.js";
import { judgeWatchedKeys } from "./judge.js";
import { watchOpenAiAccount } from "./openai-account.js";
import type { WatchDeps } from "./ports.js";

/** Each request of the watch may take this long: a firing must not hold the hourly cron for long. */
const WATCH_TIMEOUT_MS = 15_000;

/**
 * One firing of the watch (issue 20): for each account, what was created or changed since the last
 * firing (OpenAI's audit log, Anthropic's key list), judged with the policy, its exemptions and the
 * accepted risks; what is new is told at once (one compact channel message, the owners' messages),
 * what was told already is not. Each account's place moves on only once its findings are told, and
 * the firing is recorded. It never resolves a finding and never stands for a run. Gives the firing
 * and its new findings (whether or not they could be told: `firing.delivery` says).
 */
export async function fireWatch(deps: WatchDeps): Promise<{ firing: WatchFiring; findings: RunFinding[] }> {
  const started = deps.now();
  const id = newWatchId(started);
  const { settings } = deps;
  const lastRun = await deps.knowledge.lastCompleteRunStart();
  const baseline = deps.since ?? (lastRun === null ? null : new Date(lastRun));
  const limits = deps.limits ?? watchLimits(settings.subrequestsPerStep, settings.accounts.length);
  const watched: AccountWatch[] = [];
  for (const account of settings.accounts) {
    const ctx: AccountContext = {
      account,
      store: deps.state,
      baseline,
      now: started,
      withCreator: settings.enrich.includes("audit_log"),
      limits,
      session: {
        timeoutMs: deps.session?.timeoutMs ?? WATCH_TIMEOUT_MS,
        retry: deps.session?.retry ?? DEFAULT_RETRY_POLICY,
        sleep: deps.session?.sleep ?? realSleep,
        ...(deps.session?.fetch ? { fetch: deps.session.fetch } : {}),
      },
    };
    watched.push(await watchAccount(ctx));
  }

  const keys = watched.flatMap((w) => w.keys);
  const judged =
    keys.length === 0
      ? { findings: [], alreadyReported: new Map<string, number>() }
      : judgeWatchedKeys({
          keys,
          policy: deps.policy,
          now: started,
          accepted: await deps.knowledge.accepted(settings.policy),
          told: await deps.knowledge.told(settings.policy, lastRun),
          accountOf: keyAccount,
        });

  const told = await tellFindings(deps, id, judged.findings, started);
  // Told (or nobody to tell): each account's place moves on. Not told: the next firing reads the same again.
  if (told.delivery !== "failed") for (const w of watched) if (await noticeSaid(deps, w)) await w.commit?.();

  const accounts: WatchAccountOutcome[] = watched.map((w) => {
    const findings = told.delivery === "failed" ? [] : judged.findings.filter((f) => keyAccount(f.key) === w.outcome.account).map(findingRef);
    return { ...w.outcome, findings, already_reported: judged.alreadyReported.get(w.outcome.account) ?? 0 };
  });
  const firing: WatchFiring = {
    id,
    started_at: started.toISOString(),
    finished_at: deps.now().toISOString(),
    policy: settings.policy,
    accounts,
    requests: sum(accounts, (a) => a.requests),
    keys_seen: sum(accounts, (a) => a.keys_seen),
    findings_posted: sum(accounts, (a) => a.findings.length),
    delivery: told.delivery,
    ...(told.error ? { delivery_error: redact(told.error, settings.secrets) } : {}),
  };
  // Recorded as reported only once posted: with Slack off, a later firing (Slack on) still tells them.
  await deps.record?.(firing, told.delivery === "posted" ? judged.findings : []);
  return { firing, findings: judged.findings };
}

async function watchAccount(ctx: AccountContext): Promise<AccountWatch> {
  return ctx.account.provider === "anthropic" ? watchAnthropicAccount(ctx) : watchOpenAiAccount(ctx);
}

/** The findings to the channel, then to their owners; what happened to it. */
async function tellFindings(deps: WatchDeps, id: string, findings: readonly RunFinding[], at: Date): Promise<{ delivery: WatchDelivery; error?: string }> {
  const { notifier } = deps;
  if (findings.length === 0) return { delivery: "no_findings" };
  if (!notifier) return { delivery: "slack_off" };
  try {
    await notifier.postFindings(id, findings);
  } catch (error) {
    return { delivery: "failed", error: error instanceof Error ? error.message : String(error) };
  }
  await notifier.tellOwners(id, deps.settings.policy, findings, at.toISOString());
  return { delivery: "posted" };
}

/**
 * An account's notice (its audit log cannot be read, keys were left unjudged, events or keys could
 * not be read) said in the channel; false when it could not be, so it is said next time.
 */
async function noticeSaid(deps: WatchDeps, watched: AccountWatch): Promise<boolean> {
  if (!watched.notice || !deps.notifier) return true;
  try {
    await deps.notifier.postNotice(watched.notice);
    return true;
  } catch {
    return false;
  }
}

function findingRef(f: RunFinding): WatchFindingRef {
  return { fingerprint: f.fingerprint, rule_id: f.rule_id, severity: f.severity, key_id: f.key.id, key_name: f.key.name };
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((n, item) => n + of(item), 0);
}
