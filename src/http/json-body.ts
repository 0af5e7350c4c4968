import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { z } from "zod";
import { invalidRequest, jsonError } from "./errors.js";

/** A small JSON body: anything over `maxBytes` is refused with 413 before it is read. */
export function smallBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({ maxSize: maxBytes, onError: (c) => jsonError(c, 413, "payload_too_large", `the request body may be at most ${maxBytes / 1024} KiB`) });
}

/**
 * An optional JSON body checked against `schema`: `{}`-like `fallback` when there is none, else the
 * parsed value, or the 4xx answer naming what is wrong (415 when `jsonTypeRequired` names the body and
 * the Content-Type is not JSON, 400 for JSON that does not parse or fit).
 */
export async function optionalJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  fallback: z.output<S>,
  jsonTypeRequired?: string,
): Promise<{ ok: true; value: z.output<S> } | { ok: false; response: Response }> {
  // Bytes, not .text(): the Content-Type is checked only once there is a body.
  const raw = new TextDecoder().decode(await c.req.arrayBuffer());
  if (raw.trim() === "") return { ok: true, value: fallback };
  const type = c.req.header("content-type") ?? "";
  if (jsonTypeRequired && !/^application\/json\s*(;|$)/i.test(type)) {
    return { ok: false, response: jsonError(c, 415, "unsupported_media_type", `${jsonTypeRequired} sent as Content-Type: application/json, not ${type.slice(0, 100) || "no Content-Type"}`) };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, response: jsonError(c, 400, "invalid_json", "the request body is not valid JSON", { field: "(body)" }) };
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, response: invalidRequest(c, parsed.error, "(body)") };
}
