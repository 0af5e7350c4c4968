import { Hono } from "hono";
import { z } from "zod";
import { secretValues } from "../config.js";
import { acceptanceStatus } from "../model/acceptance.js";
import { services } from "../services.js";
import { redact } from "../util/redact.js";
import { log } from "../util/log.js";
import { bundledPolicyNames, parsedBundledPolicy } from "../policy/bundled.js";
import { jsonError } from "./errors.js";
import { optionalJsonBody, smallBody } from "./json-body.js";

/**
 * GET /exemptions: every exemption — those written in the bundled policies and the risks accepted
 * from Slack — with its source and whether it is active. DELETE /exemptions/:id revokes an accepted
 * one: recorded (who, when, why), never erased; a policy exemption is changed in its policy file.
 */
export const exemptionsApi = new Hono<{ Bindings: Env }>();

exemptionsApi.get("/", async (c) => {
  const now = new Date();
  const fromPolicies = bundledPolicyNames().flatMap((name) =>
    (parsedBundledPolicy(name)?.exemptions ?? []).map((e) => ({
      id: null,
      source: "policy" as const,
      policy: name,
      rule_id: e.rule,
      key_id: e.key,
      reason: e.reason,
      expires: e.expires,
      approved_by: e.approved_by ?? null,
      status: acceptanceStatus({ expires: e.expires, revoked_at: null }, now),
    })),
  );
  const accepted = (await services(c.env).acceptances.list()).map((a) => ({
    id: a.id,
    source: "slack" as const,
    policy: a.policy_name,
    rule_id: a.rule_id,
    key_id: a.key_id,
    fingerprint: a.fingerprint,
    severity: a.severity,
    reason: a.reason,
    expires: a.expires,
    ticket: a.ticket,
    approved_by: { id: a.accepted_by_id, name: a.accepted_by_name },
    accepted_at: a.accepted_at,
    revoked_at: a.revoked_at,
    revoked_by: a.revoked_by,
    revoke_reason: a.revoke_reason,
    status: acceptanceStatus(a, now),
  }));
  return c.json({ exemptions: [...fromPolicies, ...accepted] });
});

/** Who revokes and why, as the caller says: the bearer token names no person. */
const revokeBody = z.strictObject({
  reason: z.string({ error: "must be a string" }).trim().min(1, { error: "must not be empty" }).max(1000, { error: "must be at most 1000 characters" }).optional(),
  by: z.string({ error: "must be a string" }).trim().min(1, { error: "must not be empty" }).max(200, { error: "must be at most 200 characters" }).optional(),
});

exemptionsApi.delete("/:id", smallBody(8 * 1024), async (c) => {
  const read = await optionalJsonBody(c, revokeBody, {}, 'a revoke body is JSON ({ "reason", "by" })');
  if (!read.ok) return read.response;
  const body = read.value;
  const id = c.req.param("id");
  const store = services(c.env).acceptances;
  const acceptance = /^acc_[0-9a-f]{16}$/.test(id) ? await store.get(id) : null;
  if (!acceptance) return jsonError(c, 404, "not_found", `no accepted exemption ${id} (policy exemptions are changed in their policy file)`);
  if (acceptance.revoked_at) return jsonError(c, 409, "already_revoked", `${id} was revoked at ${acceptance.revoked_at}`);
  const secrets = secretValues(c.env);
  const by = body.by === undefined ? "api" : redact(body.by, secrets);
  const reason = body.reason === undefined ? null : redact(body.reason, secrets);
  const at = new Date().toISOString();
  if (!(await store.revoke(id, by, at, reason))) return jsonError(c, 409, "already_revoked", `${id} was revoked meanwhile`);
  log.info(`keywarden: ${id} revoked through the HTTP API`);
  return c.json({ id, status: "revoked", revoked_at: at, revoked_by: by, revoke_reason: reason });
});
