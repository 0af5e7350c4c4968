/** The policy sections for owners and accepting risks from Slack: validated, typed, in the JSON Schema, documented in the default policy. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_ACCEPTANCE_DAYS, type PolicyOwner, formatPolicyError, loadPolicy, renderPolicySchema } from "../../src/policy/index.js";

const FILE = "policies/test.yaml";
const HEADER = "version: 1\nname: test\nrules:\n  - { id: unused-90d, kind: unused, days: 90, severity: high }\n";

function errors(sections: string): string[] {
  const loaded = loadPolicy(`${HEADER}${sections}`, FILE);
  return loaded.ok ? [] : loaded.errors.map(formatPolicyError);
}

describe("owners, approvers, max_acceptance_days, remind_after_days", () => {
  it("are read when valid", () => {
    const loaded = loadPolicy(
      `${HEADER}owners:\n  - { match: proj_abc123, slack: U0123ABCD }\n  - { match: "ml-*", slack: C0ML0ALERTS }\napprovers: [U0SEC0LEAD, W0GRID0USER]\nmax_acceptance_days: 30\nremind_after_days: 14\n`,
      FILE,
    );
    if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
    const owners: PolicyOwner[] | undefined = loaded.policy.owners;
    expect(owners).toEqual([
      { match: "proj_abc123", slack: "U0123ABCD" },
      { match: "ml-*", slack: "C0ML0ALERTS" },
    ]);
    expect(loaded.policy.approvers).toEqual(["U0SEC0LEAD", "W0GRID0USER"]);
    expect(loaded.policy.max_acceptance_days).toBe(30);
    expect(loaded.policy.remind_after_days).toBe(14);
  });

  it("are optional: acceptances then last at most 90 days, and nobody is reminded", () => {
    const loaded = loadPolicy(HEADER, FILE);
    if (!loaded.ok) throw new Error("expected a valid policy");
    expect(DEFAULT_MAX_ACCEPTANCE_DAYS).toBe(90);
    expect(loaded.policy.max_acceptance_days).toBe(90);
    expect(loaded.policy.owners).toBeUndefined();
    expect(loaded.policy.approvers).toBeUndefined();
    expect(loaded.policy.remind_after_days).toBeUndefined();
  });

  it("refuse a Slack name, #channel or @mention where an id belongs, at its line and column", () => {
    expect(errors("owners:\n  - match: ml-*\n    slack: '#ml-alerts'\napprovers:\n  - U0123ABCD\n  - '@alice'\n")).toEqual([
      `${FILE}:7:12 owners[0].slack: slack must be a Slack user id (U…, W…) or channel id (C…, G…) in capital letters and digits, e.g. "C0123ABCD"; not a name, #channel or @mention`,
      `${FILE}:10:5 approvers[1]: expected a Slack user id (U… or W…, capital letters and digits, e.g. "U0123ABCD"), not a name or an @mention`,
    ]);
  });

  it("refuse a channel as an approver: only people accept risks", () => {
    expect(errors("approvers: [C0123ABCD]\n")).toEqual([expect.stringMatching(/^policies\/test\.yaml:5:13 approvers\[0\]: expected a Slack user id/)]);
  });

  it("refuse an owner entry without match or slack, or with an unknown field", () => {
    expect(errors("owners:\n  - { slack: U0123ABCD }\n  - { match: web, slak: U0123ABCD }\n")).toEqual([
      `${FILE}:6:5 owners[0].match: match needs a project id (proj_…) or a project-name glob, e.g. "ml-*"`,
      `${FILE}:7:5 owners[1].slack: slack needs a Slack user id (U…, W…) or channel id (C…, G…), e.g. "C0123ABCD"`,
      `${FILE}:7:19 owners[1].slak: unknown field "slak"; did you mean "slack"?`,
    ]);
  });

  it.each([
    ["max_acceptance_days: 0", "max_acceptance_days"],
    ["max_acceptance_days: 366", "max_acceptance_days"],
    ["max_acceptance_days: 7.5", "max_acceptance_days"],
    ["max_acceptance_days: ninety", "max_acceptance_days"],
    ["remind_after_days: 0", "remind_after_days"],
    ["remind_after_days: 400", "remind_after_days"],
  ])("refuse %s: whole days from 1 to 365", (line, field) => {
    expect(errors(`${line}\n`)).toEqual([`${FILE}:5:${field.length + 3} ${field}: ${field} must be a whole number of days from 1 to 365`]);
  });

  it("are in the JSON Schema for editors", () => {
    const schema = JSON.parse(renderPolicySchema()) as { properties: Record<string, Record<string, unknown>> };
    expect(schema.properties.max_acceptance_days).toMatchObject({ type: "integer", minimum: 1, maximum: 365, default: 90 });
    expect(schema.properties.remind_after_days).toMatchObject({ type: "integer", minimum: 1, maximum: 365 });
    expect(schema.properties.approvers).toMatchObject({ type: "array", items: { type: "string", pattern: "^[UW][A-Z0-9]+$" } });
    expect(JSON.stringify(schema.properties.owners)).toContain("owner");
  });
});

describe("policies/default.yaml", () => {
  const text = readFileSync("policies/default.yaml", "utf8");

  it("documents the sections in comments, and its examples are valid once uncommented", () => {
    // The examples are commented as "#   - { … }" and "# name: value" lines (see the file).
    const uncommented = text
      .replace(/^# (owners|approvers|max_acceptance_days|remind_after_days):(.*)$/gm, "$1:$2")
      .replace(/^# {3}- \{ match:/gm, "  - { match:");
    expect(uncommented).not.toBe(text);
    const loaded = loadPolicy(uncommented, "policies/default.yaml");
    if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
    expect(loaded.policy.owners?.length).toBeGreaterThan(0);
    expect(loaded.policy.approvers?.length).toBeGreaterThan(0);
    expect(loaded.policy.remind_after_days).toEqual(expect.any(Number));
    expect(text).toMatch(/the policy's exemption is the one applied/);
  });
});

describe("remediation", () => {
  it("narrows actions and rules when valid", () => {
    const loaded = loadPolicy(`${HEADER}remediation:\n  actions: [delete_project_key]\n  allowed_rules: [unused-90d]\n`, FILE);
    if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
    expect(loaded.policy.remediation).toEqual({ actions: ["delete_project_key"], allowed_rules: ["unused-90d"] });
  });

  it("names the line of an unknown action or a rule the policy does not have", () => {
    const found = errors("remediation:\n  actions: [archive_key]\n  allowed_rules: [unused-30d]\n");
    expect(found).toEqual([
      expect.stringMatching(/^policies\/test\.yaml:6:\d+ remediation\.actions\[0\]: unknown action; expected one of: .*delete_project_key/),
      expect.stringMatching(/^policies\/test\.yaml:7:\d+ remediation\.allowed_rules\[0\]: unknown rule "unused-30d"; rules in this policy: unused-90d/),
    ]);
  });
});
