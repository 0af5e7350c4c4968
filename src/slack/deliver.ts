import type { WebClient } from "@slack/web-api";
import { type Sleep, realSleep } from "../util/retry.js";
import { redact } from "../util/redact.js";
import { describeSlackError } from "./errors.js";
import { redactedCopy } from "./redaction.js";
import type { RenderedSlackReport } from "./render.js";

export type DeliveryStage = "main" | "thread" | "file";

export type DeliveryResult =
  | { ok: true; channel: string; ts: string; thread_messages: number; thread_ts: string[]; findings_delivered: number; file_id?: string }
  | {
      ok: false;
      stage: DeliveryStage;
      /** Slack's error code or what went wrong, redacted. */
      error: string;
      /** Set when Slack asked to wait: retry no sooner than this many seconds. */
      retry_after?: number;
      /** What was posted before the failure; pass it back as `resume` to continue without posting twice. */
      posted: PostedSoFar;
    };

/** What a delivery posted before it stopped: the main message, and the replies in order (their ts, when known). */
export interface PostedSoFar {
  channel?: string;
  ts?: string;
  thread_messages: number;
  thread_ts?: string[];
}

export interface DeliverOptions {
  /** Every secret that must not appear in an error (the bot token is added automatically). */
  secrets: readonly (string | undefined)[];
  /** Continue a delivery that failed part-way (the `posted` of its failure). */
  resume?: PostedSoFar;
  /**
   * Pause between chat.postMessage calls past the first BURST_MESSAGES of this delivery: Slack allows
   * about 1 message per second per channel, with "generous burst behavior". Default 1000.
   */
  pauseBetweenMessagesMs?: number;
  sleep?: Sleep;
}

/** Messages a delivery posts back to back before it paces the rest (Slack grants short bursts per channel). */
export const BURST_MESSAGES = 3;

/**
 * Posts the main message, then each thread message as a reply, then uploads
 * the CSV into the thread (only when there are findings). Never throws for a
 * Slack or network error: it returns where it stopped and why.
 */
export async function deliverReport(client: WebClient, rendered: RenderedSlackReport, opts: DeliverOptions): Promise<DeliveryResult> {
  const secrets = [...opts.secrets, client.token];
  const sleep = opts.sleep ?? realSleep;
  const pause = opts.pauseBetweenMessagesMs ?? 1000;
  const posted: PostedSoFar & { thread_ts: string[] } = {
    ...opts.resume,
    thread_messages: opts.resume?.ts ? opts.resume.thread_messages : 0,
    thread_ts: opts.resume?.ts ? [...(opts.resume.thread_ts ?? [])] : [],
  };
  const fail = (stage: DeliveryStage, error: unknown): DeliveryResult => {
    const described = describeSlackError(error);
    return {
      ok: false,
      stage,
      error: redact(described.error, secrets),
      ...(described.retryAfter !== undefined ? { retry_after: described.retryAfter } : {}),
      posted: { ...posted },
    };
  };

  if (!posted.ts || !posted.channel) {
    try {
      const res = await client.chat.postMessage({ ...redactedCopy(rendered.main, secrets), unfurl_links: false, unfurl_media: false });
      if (!res.ts || !res.channel) return fail("main", new Error("chat.postMessage returned no ts or channel"));
      posted.ts = res.ts;
      posted.channel = res.channel;
      posted.thread_messages = 0;
      posted.thread_ts = [];
    } catch (error) {
      return fail("main", error);
    }
  }
  const channel = posted.channel;
  const ts = posted.ts;
  // A resumed delivery posted its burst before it stopped: it paces from its first reply.
  let postedNow = opts.resume?.ts ? BURST_MESSAGES : 1;

  for (let i = posted.thread_messages; i < rendered.thread.length; i++) {
    const message = rendered.thread[i];
    if (!message) continue;
    if (pause > 0 && postedNow >= BURST_MESSAGES) await sleep(pause);
    postedNow++;
    try {
      // The channel id Slack answered with: a reply must go where the parent is.
      const reply = await client.chat.postMessage({ ...redactedCopy(message, secrets), channel, thread_ts: ts, unfurl_links: false, unfurl_media: false });
      posted.thread_messages = i + 1;
      // Which reply holds which page: an acceptance later updates exactly that reply, never a message a click names.
      posted.thread_ts[i] = reply.ts ?? "";
    } catch (error) {
      return fail("thread", error);
    }
  }

  let fileId: string | undefined;
  if (rendered.findings_total > 0) {
    try {
      const res = await client.filesUploadV2({
        channel_id: channel,
        thread_ts: ts,
        filename: rendered.csv.filename,
        title: rendered.csv.title,
        content: redact(rendered.csv.content, secrets),
      });
      fileId = uploadedFileId(res);
    } catch (error) {
      return fail("file", error);
    }
  }

  const findingsDelivered = rendered.thread_finding_counts.reduce((n, c) => n + c, 0);
  return {
    ok: true,
    channel,
    ts,
    thread_messages: rendered.thread.length,
    thread_ts: posted.thread_ts,
    findings_delivered: findingsDelivered,
    ...(fileId !== undefined ? { file_id: fileId } : {}),
  };
}

function uploadedFileId(res: unknown): string | undefined {
  // filesUploadV2 → { files: [ completeUploadExternal response { files: [{ id }] } ] }
  const completions = (res as { files?: { files?: { id?: string }[] }[] }).files;
  return completions?.[0]?.files?.[0]?.id;
}
