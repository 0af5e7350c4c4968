import { describe, expect, it } from "vitest";
import { ADMIN_KEYS_PAGE, PROJECT_API_KEYS_PAGE, dashboardUrl } from "../../src/providers/openai/links.js";

describe("the OpenAI dashboard page of a key", () => {
  it("is the organization's admin-keys page for an admin key", () => {
    expect(ADMIN_KEYS_PAGE).toBe("https://platform.openai.com/settings/organization/admin-keys");
    expect(dashboardUrl("admin", null)).toBe("https://platform.openai.com/settings/organization/admin-keys");
  });

  it("is its project's API-keys page for a project key", () => {
    expect(PROJECT_API_KEYS_PAGE).toBe("https://platform.openai.com/settings/{project_id}/api-keys");
    expect(dashboardUrl("project", "proj_Ab12cD34")).toBe("https://platform.openai.com/settings/proj_Ab12cD34/api-keys");
  });

  it.each([null, undefined, "", "proj_", "web", "proj_a/../../evil", "proj_a|x", "proj_a>", "proj_a?next=https://evil.example", "proj_ä", "PROJ_abc"])(
    "is none for a project key whose project id is %j: an id is never escaped into a URL",
    (projectId) => {
      expect(dashboardUrl("project", projectId)).toBeNull();
    },
  );
});
