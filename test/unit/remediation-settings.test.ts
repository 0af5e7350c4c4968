import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError } from "../../src/config.js";
import { ACTION_KINDS } from "../../src/model/remediation.js";
import { remediationPolicyIssues, remediationPolicySchema } from "../../src/policy/remediation-schema.js";
import { DEFAULT_REMEDIATION_SETTINGS, readRemediationSettings } from "../../src/config.js";

function problems(env: object): string[] {
  try {
    readRemediationSettings(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => `${issue.setting} ${issue.problem}`);
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("remediation settings", () => {
  it("default to off, two approvals (requester + one approver) and five actions a day", () => {
    expect(readRemediationSettings({})).toEqual({ mode: "off", approvals: 2, maxPerDay: 5 });
    expect(readRemediationSettings({ REMEDIATION: "", REMEDIATION_APPROVALS: " ", REMEDIATION_MAX_PER_DAY: "" })).toEqual(DEFAULT_REMEDIATION_SETTINGS);
  });

  it("take one approval only when it is set explicitly", () => {
    expect(readRemediationSettings({ REMEDIATION: "on", REMEDIATION_APPROVALS: "1", REMEDIATION_MAX_PER_DAY: "20" })).toEqual({ mode: "on", approvals: 1, maxPerDay: 20 });
    expect(readRemediationSettings({ REMEDIATION: " dry-run " })).toEqual({ mode: "dry-run", approvals: 2, maxPerDay: 5 });
  });

  it("name the setting at fault, never its value", () => {
    expect(problems({ REMEDIATION: "yes-please", REMEDIATION_APPROVALS: "0", REMEDIATION_MAX_PER_DAY: "2.5" })).toEqual([
      "REMEDIATION must be one of off, dry-run, on",
      "REMEDIATION_APPROVALS must be at least 1",
      "REMEDIATION_MAX_PER_DAY must be a whole number",
    ]);
    expect(problems({ REMEDIATION_APPROVALS: "6", REMEDIATION_MAX_PER_DAY: "1000" })).toEqual(["REMEDIATION_APPROVALS must be at most 5", "REMEDIATION_MAX_PER_DAY must be at most 100"]);
    expect(problems({ REMEDIATION_APPROVALS: "two" })).toEqual(["REMEDIATION_APPROVALS must be a whole number"]);
    expect(problems({ REMEDIATION: "ON" }).join()).not.toContain("ON,");
  });
});

describe("the policy's remediation section", () => {
  it("takes actions and allowed_rules, each optional", () => {
    expect(remediationPolicySchema.parse({ actions: ["delete_project_key", "demote_service_account"], allowed_rules: ["unused-90d"] })).toEqual({
      actions: ["delete_project_key", "demote_service_account"],
      allowed_rules: ["unused-90d"],
    });
    expect(remediationPolicySchema.parse({})).toEqual({});
    expect(remediationPolicySchema.parse({ actions: [...ACTION_KINDS] }).actions).toEqual([...ACTION_KINDS]);
  });

  it("says what is wrong", () => {
    const messages = (input: unknown) => (remediationPolicySchema.safeParse(input).error?.issues ?? []).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    expect(messages({ actions: ["revoke"] })).toEqual(["actions.0: unknown action; expected one of: demote_service_account, delete_project_key, delete_admin_key, delete_service_account, disable_key"]);
    expect(messages({ actions: [] })).toEqual(["actions: list at least one action, or leave actions out to allow them all (REMEDIATION=off turns remediation off)"]);
    expect(messages({ actions: "delete_project_key" })[0]).toContain("actions must be a list of actions");
    expect(messages({ allowed_rules: ["Unused 90d"] })).toEqual(["allowed_rules.0: expected a rule id, e.g. unused-90d"]);
    expect(messages({ allowed_rules: [] })[0]).toContain("list at least one rule id");
    expect(messages({ allowed_rules: "unused-90d" })[0]).toContain("allowed_rules must be a list of rule ids");
    expect(messages({ rules: ["x"] })[0]).toContain("rules");
  });

  it("has a JSON schema for the policy schema file", () => {
    const json = z.toJSONSchema(remediationPolicySchema) as { $defs: Record<string, { properties: Record<string, { description?: string }>; additionalProperties: boolean }> };
    const schema = json.$defs.remediation;
    if (!schema) throw new Error("no remediation definition");
    expect(Object.keys(schema.properties)).toEqual(["actions", "allowed_rules"]);
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.actions?.description).toContain("default: all");
  });

  it("cross-checks allowed_rules against the policy's rules, and repeats", () => {
    expect(remediationPolicyIssues({ actions: ["delete_admin_key"], allowed_rules: ["unused-90d"] }, ["unused-90d", "key-age"])).toEqual([]);
    expect(
      remediationPolicyIssues({ actions: ["delete_admin_key", "delete_admin_key"], allowed_rules: ["unused-90d", "nope", "unused-90d"] }, ["unused-90d", "key-age"]),
    ).toEqual([
      { path: ["allowed_rules", 1], message: 'unknown rule "nope"; rules in this policy: unused-90d, key-age' },
      { path: ["allowed_rules", 2], message: 'duplicate rule "unused-90d" (also allowed_rules[0])' },
      { path: ["actions", 1], message: 'duplicate action "delete_admin_key" (also actions[0])' },
    ]);
    for (const odd of [undefined, null, "x", { actions: "x", allowed_rules: [1, null] }]) expect(remediationPolicyIssues(odd, ["a"])).toEqual([]);
  });
});
