import { WebAPIPlatformError, WebAPIRateLimitedError, type WebClient } from "@slack/web-api";
import { z } from "zod";
import { type Sleep, realSleep } from "../util/retry.js";
import { redact } from "../util/redact.js";
import { type OwnerAddress, type OwnerMessage, type OwnerMessagePlan, ownerKey } from "./owner-messages.js";
import { describeSlackError } from "./errors.js";
import { redactedCopy } from "./redaction.js";

/** What happened to one owner's message; keep these and pass them back as `previous` when the step is retried. */
export interface OwnerDeliveryRecord {
  owner: OwnerAddress;
  /** Fingerprints of the findings the message lists. */
  findings: string[];
  status: "delivered" | "failed";
  /** Where it was posted: the D… channel of a user (what chat.update needs), or the route's channel. */
  channel?: string;
  /** The message's ts (its thread's parent). */
  ts?: string;
  /** Messages posted so far: the message, then its thread replies. */
  messages_posted: number;
  /** On failure: Slack's error or what went wrong, redacted; "not attempted: …" when delivery stopped before this owner. */
  error?: string;
  /** On failure: Slack asked to wait this many seconds. */
  retry_after?: number;
}

/** The records as a step stores them (its carried result, or the run's `owner_messages.records`), checked when read back. */
export const ownerDeliveryRecordsSchema: z.ZodType<OwnerDeliveryRecord[]> = z.array(
  z.object({
    owner: z.object({ kind: z.enum(["user", "channel"]), id: z.string() }),
    findings: z.array(z.string()),
    status: z.enum(["delivered", "failed"]),
    channel: z.string().optional(),
    ts: z.string().optional(),
    messages_posted: z.number(),
    error: z.string().optional(),
    retry_after: z.number().optional(),
  }),
);

export interface OwnerDeliveryOptions {
  /** The records of an earlier attempt: delivered owners are not sent again; the others continue where they stopped. */
  previous?: readonly OwnerDeliveryRecord[];
  /** Every secret that must not appear in an error or a message (the bot token is added automatically). */
  secrets?: readonly (string | undefined)[];
  /** Pause between chat.postMessage calls; Slack allows about 1 message per second. Default 1000. */
  pauseBetweenMessagesMs?: number;
  sleep?: Sleep;
}

export interface OwnerDeliveryResult {
  /** One per owner of the plan, in its order; then earlier records of owners no longer in the plan, unchanged. */
  records: OwnerDeliveryRecord[];
  delivered: number;
  failed: number;
  /** Delivery stopped because Slack asked to wait: retry no sooner than this many seconds. */
  retry_after?: number;
}

/** After these, every further call would fail the same way: stop and leave the rest for a retry. */
const STOPPING_ERRORS = new Set(["invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"]);

/**
 * Sends each owner's message: for a user, conversations.open and then chat.postMessage to the
 * D… channel it returns; for a channel, chat.postMessage to it. Thread replies follow their
 * message. Never throws for a Slack or network error; never posts an owner's message twice
 * across attempts when given the previous records (a message whose answer was lost in transit
 * is the one exception: nothing tells it apart from one never posted).
 */
export async function deliverOwnerMessages(
  client: WebClient,
  plan: Pick<OwnerMessagePlan, "messages">,
  opts: OwnerDeliveryOptions = {},
): Promise<OwnerDeliveryResult> {
  const secrets = [...(opts.secrets ?? []), client.token];
  const sleep = opts.sleep ?? realSleep;
  const pause = opts.pauseBetweenMessagesMs ?? 1000;
  const previous = new Map((opts.previous ?? []).map((r) => [ownerKey(r.owner), r]));
  const records: OwnerDeliveryRecord[] = [];
  let postedBefore = false;
  /** Set when delivery stopped: why, and the wait Slack asked for. */
  let stoppedBy: string | null = null;
  let retryAfter: number | undefined;

  const post = async (args: Parameters<WebClient["chat"]["postMessage"]>[0]) => {
    if (postedBefore && pause > 0) await sleep(pause);
    postedBefore = true;
    return client.chat.postMessage(args);
  };

  for (const message of plan.messages) {
    const key = ownerKey(message.owner);
    const before = previous.get(key);
    previous.delete(key);
    if (before?.status === "delivered") {
      records.push(before);
      continue;
    }
    const record: OwnerDeliveryRecord = {
      owner: message.owner,
      findings: message.findings,
      status: "failed",
      ...(before?.channel !== undefined ? { channel: before.channel } : {}),
      ...(before?.ts !== undefined && before.channel !== undefined ? { ts: before.ts } : {}),
      messages_posted: before?.ts !== undefined && before.channel !== undefined ? before.messages_posted : 0,
    };
    if (stoppedBy !== null) {
      records.push({ ...record, error: `not attempted: ${stoppedBy}`, ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}) });
      continue;
    }
    try {
      await deliverOne(client, message, record, post, secrets);
      record.status = "delivered";
      records.push(record);
    } catch (error) {
      const described = describeSlackError(error);
      const reason = redact(described.error, secrets);
      records.push({ ...record, error: reason, ...(described.retryAfter !== undefined ? { retry_after: described.retryAfter } : {}) });
      if (error instanceof WebAPIRateLimitedError || (error instanceof WebAPIPlatformError && STOPPING_ERRORS.has(error.data.error))) {
        stoppedBy = reason;
        retryAfter = described.retryAfter;
      }
    }
  }
  // Owners delivered by an earlier attempt but absent from this plan stay on record.
  records.push(...previous.values());

  const delivered = records.filter((r) => r.status === "delivered").length;
  return { records, delivered, failed: records.length - delivered, ...(retryAfter !== undefined ? { retry_after: retryAfter } : {}) };
}

/** Posts what `record` says is still missing, updating it as it goes (so a failure keeps the progress). */
async function deliverOne(
  client: WebClient,
  message: OwnerMessage,
  record: OwnerDeliveryRecord,
  post: (args: Parameters<WebClient["chat"]["postMessage"]>[0]) => ReturnType<WebClient["chat"]["postMessage"]>,
  secrets: readonly (string | undefined)[],
): Promise<void> {
  if (record.channel === undefined) {
    if (message.owner.kind === "user") {
      const opened = await client.conversations.open({ users: message.owner.id });
      if (!opened.channel?.id) throw new Error("conversations.open returned no channel id");
      record.channel = opened.channel.id;
    } else {
      record.channel = message.owner.id;
    }
  }
  for (let i = record.messages_posted; i < message.messages.length; i++) {
    const page = message.messages[i];
    if (!page) continue;
    const threadTs = i > 0 ? record.ts : undefined;
    if (i > 0 && threadTs === undefined) throw new Error("a thread reply without its message's ts");
    const res = await post({
      ...redactedCopy(page, secrets),
      channel: record.channel,
      ...(threadTs !== undefined ? { thread_ts: threadTs } : {}),
      unfurl_links: false,
      unfurl_media: false,
    });
    if (i === 0) {
      if (!res.ts || !res.channel) throw new Error("chat.postMessage returned no ts or channel");
      record.ts = res.ts;
      // The id Slack answered with: replies and chat.update must use it.
      record.channel = res.channel;
    }
    record.messages_posted = i + 1;
  }
}
