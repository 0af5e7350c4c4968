import { Hono } from "hono";
import { z } from "zod";
import { ConfigError } from "../config.js";
import { POLICY_NAME } from "../config.js";
import { services } from "../services.js";
import { UnknownPolicyError, startRun } from "../worker/trigger.js";
import { invalidRequest, jsonError, misconfigured } from "./errors.js";
import { optionalJsonBody, smallBody } from "./json-body.js";

const policyName = z.string().regex(POLICY_NAME, { error: "must be a policy name such as default" });
const startRunBody = z.strictObject({ notify: z.boolean().optional(), policy: policyName.optional() });
const startRunQuery = z.strictObject({
  notify: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
  policy: policyName.optional(),
});
const listQuery = z.strictObject({
  limit: z.coerce.number({ error: "must be a number" }).int({ error: "must be a whole number" }).min(1, { error: "must be 1..100" }).max(100, { error: "must be 1..100" }).default(20),
  cursor: z.string().optional(),
});

/** Cursors are opaque to clients: base64url of the last item's start time and id. */
export function encodeCursor(item: { started_at: string; id: string }): string {
  return btoa(JSON.stringify([item.started_at, item.id])).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
export function decodeCursor(cursor: string): { started_at: string; id: string } | null {
  try {
    const value = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/"))) as unknown;
    if (Array.isArray(value) && typeof value[0] === "string" && typeof value[1] === "string") return { started_at: value[0], id: value[1] };
  } catch {
    // fall through
  }
  return null;
}

export const runsApi = new Hono<{ Bindings: Env }>();

/** A start request is a few bytes of JSON; anything large is refused before it is read. */
runsApi.post("/", smallBody(8 * 1024), async (c) => {
  const query = startRunQuery.safeParse(c.req.query());
  if (!query.success) return invalidRequest(c, query.error, "(query)");
  const read = await optionalJsonBody(c, startRunBody, {});
  if (!read.ok) return read.response;
  const body = read.value;
  const notify = body.notify ?? (query.data.notify === undefined ? undefined : query.data.notify === "true");
  const policy = body.policy ?? query.data.policy;
  try {
    const result = await startRun(c.env, { trigger: "http", ...(policy ? { policy } : {}), ...(notify !== undefined ? { notify } : {}) });
    c.header("Location", `/runs/${result.id}`);
    return c.json({ id: result.id, status: "running", started: result.started }, 202);
  } catch (error) {
    if (error instanceof UnknownPolicyError) return jsonError(c, 400, "unknown_policy", error.message, { field: "policy" });
    if (error instanceof ConfigError) return misconfigured(c, error);
    throw error;
  }
});

runsApi.get("/", async (c) => {
  const query = listQuery.safeParse(c.req.query());
  if (!query.success) return invalidRequest(c, query.error, "(query)");
  const cursor = query.data.cursor === undefined ? undefined : decodeCursor(query.data.cursor);
  if (cursor === null) return jsonError(c, 400, "invalid_request", "cursor is not one this API returned", { field: "cursor" });
  const runs = await services(c.env).runs.list(query.data.limit + 1, cursor);
  const page = runs.slice(0, query.data.limit);
  const last = page.at(-1);
  return c.json({ runs: page, next_cursor: runs.length > query.data.limit && last ? encodeCursor(last) : null });
});

runsApi.get("/:id", async (c) => {
  const id = c.req.param("id");
  if (!/^run_[0-9A-Za-z_]+$/.test(id)) return jsonError(c, 404, "not_found", "no such run");
  const run = await services(c.env).runs.get(id);
  if (!run) return jsonError(c, 404, "not_found", `no run ${id}`);
  return c.json(run);
});
