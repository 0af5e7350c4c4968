/**
 * The HTTP plumbing every simulator shares (node:http only): read a request's
 * body, write an answer now or after a delay, listen, close.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What a simulated route answers: a status, extra headers and a body (a JSON value; the fake Slack also sends text). */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  json: unknown;
}

export const JSON_TYPE = "application/json";

export function isReply(x: unknown): x is Reply {
  return typeof x === "object" && x !== null && "status" in x && "json" in x;
}

/** The most a REST simulator reads of one request's body. */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** The whole body; past `maxBytes` the request is destroyed and the promise rejects. */
export function readBody(req: IncomingMessage, maxBytes = Number.POSITIVE_INFINITY): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new Error("request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The whole body as UTF-8 text, up to MAX_BODY_BYTES (see readBody). */
export async function readText(req: IncomingMessage): Promise<string> {
  return (await readBody(req, MAX_BODY_BYTES)).toString("utf8");
}

/**
 * An API request's body as text: "" for GET and HEAD (any body is discarded),
 * null when it cannot be read (too large or aborted: the connection is gone).
 */
export async function readRequestText(req: IncomingMessage, method: string): Promise<string | null> {
  if (method === "GET" || method === "HEAD") {
    req.resume();
    return "";
  }
  try {
    return await readText(req);
  } catch {
    return null;
  }
}

/** The request's headers with lower-case names, a repeated header joined with ", ". */
export function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Writes one answer, unless the client has already gone. */
export function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, {
    "content-type": contentType,
    "content-length": String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

/** Answers held back by the simulated network's latency (and any more a fault adds); closing the simulator cancels them. */
export class DelayedAnswers {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly baseLatencyMs: number) {}

  /** Runs `answer` after the base latency plus `extraMs`, or at once unless that is more than 0. */
  run(extraMs: number, answer: () => void): void {
    const delayMs = this.baseLatencyMs + extraMs;
    if (!(delayMs > 0)) return answer();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      answer();
    }, delayMs);
    this.timers.add(timer);
  }

  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** Starts listening (port 0: an ephemeral one) and gives the origin, e.g. "http://127.0.0.1:8788". */
export async function listen(server: Server, host: string, port = 0): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return `http://${host.includes(":") ? `[${host}]` : host}:${address.port}`;
}

/**
 * A close() for a simulator: runs `beforeClose` (e.g. to cancel delayed
 * answers), stops the server and drops its open connections. Every call
 * returns the same promise.
 */
export function closer(server: Server, beforeClose: () => void = () => {}): () => Promise<void> {
  let closed: Promise<void> | null = null;
  return () => {
    closed ??= new Promise<void>((resolve, reject) => {
      beforeClose();
      server.close((err) => (err ? reject(err) : resolve()));
      server.closeAllConnections();
    });
    return closed;
  };
}
