/** The Web API's answers: `{ ok: true, … }` or `{ ok: false, error }`, both with HTTP 200. */
import type { ServerResponse } from "node:http";
import { type Reply, send } from "../http.js";

export const ok = (json: Record<string, unknown> = {}): Reply => ({ status: 200, json: { ok: true, ...json } });
export const slackError = (error: string, extra: Record<string, unknown> = {}): Reply => ({ status: 200, json: { ok: false, error, ...extra } });

/** A string body goes as text (upload and response_url answers, HTTP faults), anything else as JSON. */
export function sendReply(res: ServerResponse, reply: Reply): void {
  const text = typeof reply.json === "string";
  const body = text ? (reply.json as string) : JSON.stringify(reply.json);
  send(res, reply.status, text ? "text/plain; charset=utf-8" : "application/json; charset=utf-8", body, reply.headers);
}
