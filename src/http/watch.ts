import { Hono } from "hono";
import { z } from "zod";
import { services } from "../services.js";
import { invalidRequest, jsonError } from "./errors.js";
import { decodeCursor, encodeCursor } from "./runs.js";

const listQuery = z.strictObject({
  limit: z.coerce.number({ error: "must be a number" }).int({ error: "must be a whole number" }).min(1, { error: "must be 1..100" }).max(100, { error: "must be 1..100" }).default(20),
  cursor: z.string().optional(),
});

/**
 * GET /watch: the watch's recent firings (issue 20), newest first, each whole (model/watch.ts
 * WatchFiring): when, which accounts and how, requests, keys read, findings reported, and where they
 * went. Paged like GET /runs (`limit`, `cursor` ← `next_cursor`). Behind the bearer token.
 */
export const watchApi = new Hono<{ Bindings: Env }>();

watchApi.get("/", async (c) => {
  const query = listQuery.safeParse(c.req.query());
  if (!query.success) return invalidRequest(c, query.error, "(query)");
  const cursor = query.data.cursor === undefined ? undefined : decodeCursor(query.data.cursor);
  if (cursor === null) return jsonError(c, 400, "invalid_request", "cursor is not one this API returned", { field: "cursor" });
  const firings = await services(c.env).watches.recent(query.data.limit + 1, cursor);
  const page = firings.slice(0, query.data.limit);
  const last = page.at(-1);
  c.header("Cache-Control", "no-store");
  return c.json({ firings: page, next_cursor: firings.length > query.data.limit && last ? encodeCursor(last) : null });
});
