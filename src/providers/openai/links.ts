/**
 * Where a key is managed (revoked, rotated) in the OpenAI dashboard. These are the dashboard's
 * pages as of Nov 2026; OpenAI may move them, so they live here and nowhere else.
 */
export const PROJECT_API_KEYS_PAGE = "https://platform.openai.com/settings/{project_id}/api-keys";
export const ADMIN_KEYS_PAGE = "https://platform.openai.com/settings/organization/admin-keys";

/** Project ids as the Admin API gives them; anything else is never put into a URL. */
const PROJECT_ID = /^proj_[A-Za-z0-9]+$/;

/**
 * The dashboard page of a key, built only from its kind and its project's id: an admin key's is the
 * organization's admin-keys page; a project key's is its project's API-keys page, or null when the
 * project id does not look like one (it is never escaped into a URL).
 */
export function dashboardUrl(keyKind: "admin" | "project", projectId: string | null | undefined): string | null {
  if (keyKind === "admin") return ADMIN_KEYS_PAGE;
  if (projectId === null || projectId === undefined || !PROJECT_ID.test(projectId)) return null;
  return PROJECT_API_KEYS_PAGE.replace("{project_id}", projectId);
}

/** The dashboard page of a finding's key. */
export function findingDashboardUrl(finding: { key: { kind: "admin" | "project" }; project: { id: string } | null }): string | null {
  return dashboardUrl(finding.key.kind, finding.project?.id);
}
