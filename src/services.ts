/**
 * The one composition root: the Worker's settings and bindings turned into the stores, clients,
 * provider actions and clock everything else is given. Only the edges (index.ts, http/, worker/,
 * cli/) import it; what lies below gets its parts injected.
 *
 * The stores need only the bindings and are there at once; the settings are read (and checked) on
 * first use, so an edge that must answer with broken settings can still read D1.
 */
import type { WebClient } from "@slack/web-api";
import { type Config, readConfig, accountOf } from "./config.js";
import type { Clock, DecideDeps, KeyActions, Notifier, RunReader } from "./decide/ports.js";
import { keyActionsByProvider } from "./decide/provider-keys.js";
import type { AuditRun } from "./model/run.js";
import { parsedBundledPolicy } from "./policy/bundled.js";
import { type AnthropicKeyActions, anthropicKeyActions } from "./providers/anthropic/key-actions.js";
import { type OpenAiKeyActions, openaiKeyActions } from "./providers/openai/actions.js";
import { AdminApi } from "./providers/openai/admin-api.js";
import { slackDecisionNotifier } from "./slack/decision-notifier.js";
import { reportRenderOptions } from "./slack/notify.js";
import { createSlackClient } from "./slack/send.js";
import { AcceptanceStore } from "./store/acceptances.js";
import { EvidenceStore } from "./store/evidence-store.js";
import { RemediationStore } from "./store/remediations.js";
import { RunHistory } from "./store/run-history.js";
import { SlackReplayGuard } from "./store/slack-replay-guard.js";
import { WatchLog } from "./store/watch-log.js";
import { WorkStore } from "./store/work-store.js";
import { DEFAULT_RETRY_POLICY, realSleep } from "./util/retry.js";
import { withWatchFindings } from "./watch/run-reader.js";

/** How long one Admin API request of a decision may take. */
const ADMIN_API_TIMEOUT_MS = 10_000;

export const systemClock: Clock = { now: () => new Date() };

export class Services {
  readonly runs: RunHistory;
  readonly remediations: RemediationStore;
  readonly acceptances: AcceptanceStore;
  readonly evidence: EvidenceStore;
  readonly slackReplayGuard: SlackReplayGuard;
  readonly watches: WatchLog;
  #config: Config | undefined;
  #slack: WebClient | null | undefined;

  constructor(
    private readonly env: Env,
    config?: Config,
    readonly clock: Clock = systemClock,
  ) {
    this.#config = config;
    this.runs = new RunHistory(env.DB);
    this.remediations = new RemediationStore(env.DB);
    this.acceptances = new AcceptanceStore(env.DB);
    this.evidence = new EvidenceStore(env.EVIDENCE);
    this.slackReplayGuard = new SlackReplayGuard(env.DB);
    this.watches = new WatchLog(env.DB);
  }

  /** Every setting, read on first use. Throws ConfigError. */
  get config(): Config {
    this.#config ??= readConfig(this.env);
    return this.#config;
  }

  /** A run's scratch space in R2. */
  workStore(runId: string): WorkStore {
    return new WorkStore(this.env.EVIDENCE, runId);
  }

  /** The bot's Web API client; null while SLACK_BOT_TOKEN is off. */
  get slack(): WebClient | null {
    if (this.#slack === undefined) {
      const { slack, secrets } = this.config;
      this.#slack = slack ? createSlackClient({ token: slack.botToken, apiUrl: slack.apiUrl, secrets }) : null;
    }
    return this.#slack;
  }

  /**
   * What a remediation asks of an OpenAI organization: fresh keys, the one call, the confirming
   * listing, with that organization's admin key. The account named (a key without one: the one
   * OpenAI account configured); null when there is no such account.
   */
  openaiKeyActions(name: string | undefined): OpenAiKeyActions | null {
    const account = accountOf(this.config.accounts, "openai", name);
    if (!account) return null;
    const api = (timeoutMs: number) => new AdminApi({ adminKey: account.adminKey, baseURL: account.baseUrl, timeoutMs, retry: DEFAULT_RETRY_POLICY, sleep: realSleep });
    return openaiKeyActions(api, account.adminKey, ADMIN_API_TIMEOUT_MS);
  }

  /**
   * What a Disable or Re-enable asks of an Anthropic account: the key read fresh, the one status
   * update, the key read again. The account named (a key without one: the one Anthropic account
   * configured); null when there is no such account.
   */
  anthropicKeyActions(name: string | undefined): AnthropicKeyActions | null {
    const account = accountOf(this.config.accounts, "anthropic", name);
    if (!account) return null;
    return anthropicKeyActions({ account: account.name, adminKey: account.adminKey, baseURL: account.baseUrl, timeoutMs: ADMIN_API_TIMEOUT_MS, now: () => this.clock.now() });
  }

  /** The provider actions of a remediation: each finding's and action's by the provider (and account) its key belongs to. */
  keyActions(): KeyActions {
    return keyActionsByProvider({ openai: (name) => this.openaiKeyActions(name), anthropic: (name) => this.anthropicKeyActions(name) });
  }

  /** Slack as the decisions use it; null while SLACK_BOT_TOKEN is off. */
  notifier(): Notifier | null {
    const { config, slack: client } = this;
    if (!client || !config.slack) return null;
    const report = reportRenderOptions({ ...config, slack: config.slack, revokeMenu: config.remediation.mode !== "off" });
    return slackDecisionNotifier({ client, channel: config.slack.channel, secrets: config.secrets, report });
  }

  /** Everything accept risk and revoke are given (decide/ports.ts). */
  decide(): DecideDeps {
    return {
      settings: this.config,
      runs: withWatchFindings(this.runReader(), this.watches),
      remediations: this.remediations,
      acceptances: this.acceptances,
      keys: this.keyActions(),
      notifier: this.notifier(),
      policies: parsedBundledPolicy,
      clock: this.clock,
    };
  }

  private runReader(): RunReader {
    const runs = this.runs;
    return {
      findingOfRun: (runId, fingerprint) => runs.findingOfRun(runId, fingerprint),
      async recordedRun(runId) {
        const run = await runs.get(runId);
        // A run that ended was stored whole (its summary and findings): only a running one is a stub.
        return run && run.status !== "running" ? (run as AuditRun) : null;
      },
    };
  }
}

/** The services of one invocation: `config` when the edge has read it already, else read on first use. */
export function services(env: Env, config?: Config): Services {
  return new Services(env, config);
}
