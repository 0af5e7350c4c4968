import { Hono } from "hono";
import { requestExpiresAt } from "../decide/guards.js";
import { remediationView } from "../decide/record-view.js";
import type { RemediationView } from "../model/remediation.js";
import { services } from "../services.js";

/**
 * GET /remediations (bearer): every revoke requested, newest first, with its approvals, the exact
 * Admin API request, and the outcome. A GET only reads: a request left pending past its 24 hours is
 * shown as expired, and the hourly housekeeping records it (and updates its message).
 */
export const remediationsApi = new Hono<{ Bindings: Env }>();

remediationsApi.get("/", async (c) => {
  const { config, remediations: store } = services(c.env);
  const rows = await store.list(500);
  const approvals = await store.approvalsOf(rows.map((r) => r.id));
  const now = new Date();
  return c.json({ mode: config.remediation.mode, remediations: rows.map((row) => asOf(remediationView(row, approvals.get(row.id) ?? []), now)) });
});

/** A pending request whose 24 hours are over is expired, whether or not the housekeeping has recorded it yet. */
function asOf(view: RemediationView, now: Date): RemediationView {
  if (view.status !== "pending") return view;
  const expires = requestExpiresAt(view.requested_at);
  if (expires !== null && now.getTime() < Date.parse(expires)) return view;
  return { ...view, status: "expired", outcome: `no approval within 24 hours (expired at ${expires ?? "an unreadable time"}); the hourly housekeeping records it` };
}
