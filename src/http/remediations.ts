import { Hono } from "hono";
import { readConfig } from "../config.js";
import { remediationView } from "../remediation/record-view.js";
import { RemediationStore } from "../store/remediations.js";
import { expireStaleRequests } from "../worker/remediation.js";

/**
 * GET /remediations (bearer): every revoke requested, newest first, with its approvals, the exact
 * Admin API request, and the outcome. Requests left pending for 24 hours are marked expired first.
 */
export const remediationsApi = new Hono<{ Bindings: Env }>();

remediationsApi.get("/", async (c) => {
  const config = readConfig(c.env);
  await expireStaleRequests(c.env, config);
  const store = new RemediationStore(c.env.DB);
  const rows = await store.list(500);
  const approvals = await store.approvalsOf(rows.map((r) => r.id));
  return c.json({ mode: config.remediation.mode, remediations: rows.map((row) => remediationView(row, approvals.get(row.id) ?? [])) });
});
