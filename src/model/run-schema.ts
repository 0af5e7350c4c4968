/**
 * A recorded run as zod checks it when it is read back (from D1, or from a Workflow step's stored
 * result): the types of run.ts, field by field. The schemas only check: a value that passes is used
 * as it was read (its key order and any field recorded later kept), so nothing built from it changes.
 */
import { z } from "zod";
import type { AuditRun, RunFinding, SlackDelivery } from "./run.js";
import { SEVERITIES } from "./severity.js";

const text = z.string();
const maybeText = z.string().nullable();
const count = z.number();
const severity = z.enum(SEVERITIES);

const owner = z.object({ type: z.enum(["user", "service_account"]), id: text, name: maybeText, email: maybeText, role: maybeText });
const projectRef = z.object({ id: text, name: maybeText, archived: z.boolean() });
const creator = z.object({ type: z.enum(["user", "service_account"]), id: text, email: maybeText, api_key_id: maybeText, display: text });

const findingKey = z.object({
  kind: z.enum(["admin", "project"]),
  id: text,
  name: maybeText,
  redacted_value: text,
  created_at: text,
  last_used_at: maybeText,
  expires_at: maybeText,
  owner_access: z.enum(["active", "inactive"]).nullable(),
  created_by: creator.nullish(),
  created_from_ip: maybeText.optional(),
  requests_30d: count.nullish(),
  spend_30d_usd: count.nullish(),
});

const finding = z.object({
  rule_id: text,
  rule_kind: text,
  severity,
  fingerprint: text,
  sentence: text,
  key: findingKey,
  project: projectRef.nullable(),
  owner,
  remediation: text.optional(),
  dashboard_url: maybeText.optional(),
  lifecycle: z.enum(["new", "open"]).optional(),
});

/** One finding as a run (or a firing of the watch) recorded it. */
export const runFindingSchema: z.ZodType<RunFinding> = finding;

const origin = {
  source: z.enum(["policy", "slack"]).optional(),
  approved_by: text.optional(),
  id: text.optional(),
  accepted_by: z.object({ id: text, name: text }).optional(),
  accepted_at: text.optional(),
  ticket: text.optional(),
};
const exemption = z.object({ ...origin, rule_id: text, key_id: text, reason: text, expires: text, fingerprint: text });
const exemptionNotice = z.object({ ...origin, kind: text, rule_id: text, key_id: text, expires: text, reason: text });
const exemptionInForce = z.object({ ...origin, rule_id: text, key_id: text, reason: text, expires: text, status: z.enum(["applied", "unused"]) });

const control = z.object({
  framework: text,
  control_id: text,
  title: text,
  rules: z.array(text),
  keys_tested: count,
  findings: count,
  exempted: count,
  accepted: count,
  status: z.enum(["pass", "fail", "incomplete", "not_tested"]),
});

const scope = z.discriminatedUnion("list", [
  z.object({ list: z.literal("admin_api_keys") }),
  z.object({ list: z.literal("projects") }),
  z.object({ list: z.literal("users") }),
  z.object({ list: z.literal("project_api_keys"), project_id: text, project_name: maybeText }),
  z.object({ list: z.literal("api_keys") }),
  z.object({ list: z.literal("workspaces") }),
  z.object({ list: z.literal("usage") }),
]);
const runError = z.object({
  scope,
  kind: z.enum(["auth", "http", "network", "invalid_json", "invalid_shape", "truncated_pagination", "budget_exhausted", "undecided"]),
  status: count.optional(),
  message: text,
  where: text,
  account: text.optional(),
});

const enrichSource = z.enum(["audit_log", "usage", "costs"]);
const enrichmentError = z.object({
  source: z.union([enrichSource, z.literal("enrichment")]),
  kind: z.enum(["auth", "http", "network", "invalid_json", "invalid_shape", "truncated_pagination", "budget_exhausted", "settings", "step_failed"]),
  status: count.optional(),
  message: text,
});

const resolvedFinding = z.object({
  fingerprint: text,
  rule_id: text,
  severity,
  key_id: text,
  key_name: maybeText,
  project: projectRef.nullable(),
  last_seen_run: text,
  resolved_by_remediation: z.object({ id: text, executed_at: maybeText }).optional(),
});

const posted = z.object({ channel: text.optional(), ts: text.optional(), thread_messages: count, thread_ts: z.array(text).optional() });

/** What happened to a run's Slack report (SlackDelivery). */
export const slackDeliverySchema: z.ZodType<SlackDelivery> = z.object({
  status: z.enum(["delivered", "failed"]),
  attempts: count,
  at: text,
  channel: text.optional(),
  ts: text.optional(),
  thread_messages: count.optional(),
  thread_ts: z.array(text).optional(),
  findings_delivered: count.optional(),
  file_id: text.optional(),
  stage: text.optional(),
  error: text.optional(),
  posted: posted.optional(),
});

/** A run as it is recorded once it has ended (AuditRun). */
export const recordedRunSchema: z.ZodType<AuditRun> = z.object({
  id: text,
  trigger: z.enum(["cron", "http", "slack", "cli", "demo"]),
  policy: z.object({ name: text, file: text, sha256: text }),
  started_at: text,
  finished_at: text,
  status: z.enum(["complete", "incomplete", "failed"]),
  failure: z.object({ reason: text, details: z.array(text) }).optional(),
  counts: z.object({
    admin_keys: count,
    projects: count,
    archived_projects: count,
    project_keys: count,
    users: count,
    api_requests: count,
    findings: z.object({ critical: count, high: count, medium: count, low: count, info: count, total: count }),
  }),
  findings: z.array(finding),
  exemptions: z.array(exemption),
  exemption_notices: z.array(exemptionNotice),
  exemptions_in_force: z.array(exemptionInForce).optional(),
  controls: z.array(control).optional(),
  errors: z.array(runError),
  enrichment: z.object({ sources: z.array(enrichSource), api_requests: count }).optional(),
  enrichment_errors: z.array(enrichmentError).optional(),
  lifecycle: z.object({ new: count, open: count, resolved: count, resolved_findings: z.array(resolvedFinding) }).optional(),
  delivery: slackDeliverySchema.optional(),
  evidence: z
    .object({ stored: z.boolean(), prefix: text, manifest_sha256: text.optional(), error: text.optional(), failed_before_evidence: z.boolean().optional() })
    .optional(),
});

/** `value` once `schema` has checked it, as it was read; throws naming `what` and the first problem when it does not fit. */
export function checked<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  if (fits(schema, value)) return value;
  const issue = schema.safeParse(value).error?.issues[0];
  throw new Error(`${what} cannot be read: ${issue ? `${issue.path.join(".") || "(the value)"}: ${issue.message}` : "it does not fit"}`);
}

function fits<T>(schema: z.ZodType<T>, value: unknown): value is T {
  return schema.safeParse(value).success;
}
