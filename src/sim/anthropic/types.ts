/**
 * The JSON the Anthropic simulator serves, written down from the official SDK's types
 * (@anthropic-ai/sdk 1.17.0: resources/organization/api-keys.d.ts, workspaces/workspaces.d.ts,
 * users.d.ts, organization.d.ts, resources/shared.d.ts, core/pagination.d.ts,
 * resources/beta/organization/analytics/usage.d.ts and cost.d.ts). Declared here, not imported
 * from the SDK or src/providers/: a simulator is independent of the client it tests.
 */

export type ApiKeyStatus = "active" | "inactive" | "archived" | "expired";

export interface ApiKeyJson {
  type: "api_key";
  id: string;
  name: string;
  created_at: string;
  created_by: { id: string; type: "user" | "service_account" } | null;
  expires_at: string | null;
  partial_key_hint: string | null;
  principal: { type: "user_actor"; user_id: string } | { type: "service_account_actor"; service_account_id: string } | null;
  scope: { type: "workspace"; workspace_id: string } | { type: "organization" };
  status: ApiKeyStatus;
}

export interface WorkspaceJson {
  type: "workspace";
  id: string;
  name: string;
  created_at: string;
  archived_at: string | null;
  display_color: string;
}

export interface UserJson {
  type: "user";
  id: string;
  email: string;
  name: string;
  role: string;
  added_at: string;
}

/** shared.d.ts `ErrorResponse`. */
export interface ErrorResponseJson {
  type: "error";
  error: { type: string; message: string };
  request_id: string | null;
}

/** core/pagination.d.ts `PageResponse`. */
export interface PageJson<T> {
  data: T[];
  has_more: boolean;
  first_id: string | null;
  last_id: string | null;
}

/** core/pagination.d.ts `ReportPageCursorResponse`. */
export interface ReportPageJson<T> {
  data: T[];
  has_more: boolean;
  next_page: string | null;
  data_refreshed_at: string | null;
}

/** One day (or hour) of one key's usage: what the reports add up. */
export interface SimUsageRecord {
  /** Null for usage no API key authenticated (claude.ai seats…): it reports with a null api_key_id. */
  api_key_id: string | null;
  /** When it happened, RFC 3339. */
  at: string;
  requests: number;
  input_tokens: number;
  output_tokens: number;
  /** What it cost, in cents (the reports give fractional cents as a decimal string). */
  cost_cents: number;
}

export interface SimAnthropicOrg {
  organization: { id: string; name: string };
  /** Every workspace, archived ones included; `defaultWorkspaceId` names the default one. */
  workspaces: WorkspaceJson[];
  /** Listed only with `include_default=true` (workspaces.d.ts `WorkspaceListParams.include_default`). */
  defaultWorkspaceId: string;
  users: UserJson[];
  apiKeys: ApiKeyJson[];
  usage: SimUsageRecord[];
  /**
   * The analytics endpoints answer 400, as for an organization with HIPAA readiness enabled
   * (usage.d.ts: "not available to organizations with HIPAA readiness enabled: their API requests
   * return a 400 error").
   */
  analyticsUnavailable?: boolean;
}
