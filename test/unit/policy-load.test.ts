import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { type PolicyError, RULE_KINDS, formatPolicyError, loadPolicy } from "../../src/policy/index.js";

const FILE = "policies/test.yaml";

/** Lines joined with newlines, so tests can say which line an error is on. */
function yaml(...lines: string[]): string {
  return `${lines.join("\n")}\n`;
}

function errorsOf(text: string): PolicyError[] {
  const result = loadPolicy(text, FILE);
  if (result.ok) throw new Error("expected the policy to be rejected");
  return result.errors;
}

function onlyError(text: string): PolicyError {
  const errors = errorsOf(text);
  expect(errors, errors.map(formatPolicyError).join("\n")).toHaveLength(1);
  return errors[0] as PolicyError;
}

const HEADER = ["version: 1", "name: test", "rules:"];

describe("loadPolicy: valid policies", () => {
  const text = yaml(
    ...HEADER,
    "  - id: unused-90d",
    "    kind: unused",
    "    days: 90",
    "    severity: high",
    "exemptions:",
    "  - rule: unused-90d",
    "    key: key_abc",
    "    reason: break-glass key",
    "    expires: 2027-03-01",
  );

  it("returns the policy and the SHA-256 of the exact text", () => {
    const result = loadPolicy(text, FILE);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.name).toBe("test");
    expect(result.policy.rules).toEqual([{ id: "unused-90d", kind: "unused", days: 90, severity: "high" }]);
    expect(result.policy.exemptions).toEqual([{ rule: "unused-90d", key: "key_abc", reason: "break-glass key", expires: "2027-03-01" }]);
    expect(result.sha256).toBe(createHash("sha256").update(text).digest("hex"));
  });

  it("hashes the text, not its meaning", () => {
    const a = loadPolicy(text, FILE);
    const b = loadPolicy(`# a comment\n${text}`, FILE);
    expect(a.ok && b.ok && a.sha256 !== b.sha256).toBe(true);
  });
});

describe("loadPolicy: errors carry file, line, column and path", () => {
  it("reports invalid YAML at its own position", () => {
    const error = onlyError(yaml(...HEADER, "  - id: a", "   kind: unused"));
    expect(error).toMatchObject({ file: FILE, line: 5, column: 1, path: "" });
    expect(error.message).toMatch(/^invalid YAML: /);
  });

  it("reports an unterminated quote", () => {
    const error = onlyError(yaml("version: 1", 'name: "oops', "rules: []"));
    expect(error.message).toContain("invalid YAML");
    expect(error.line).toBeGreaterThanOrEqual(2);
  });

  it("rejects duplicate YAML keys", () => {
    const error = onlyError(yaml("version: 1", "name: a", "name: b", "rules: []"));
    expect(error).toMatchObject({ line: 3, column: 1 });
    expect(error.message).toContain("unique");
  });

  it("rejects an empty file and a file that is not a map", () => {
    expect(onlyError("")).toMatchObject({ line: 1, column: 1, message: "the policy file is empty" });
    expect(onlyError("- a\n- b\n").message).toContain("a policy is a YAML map");
  });

  it("names the valid kinds when a rule kind is misspelled, at the kind's line", () => {
    const error = onlyError(yaml(...HEADER, "  - id: a", "    kind: unsed", "    days: 90", "    severity: high"));
    expect(error).toMatchObject({ line: 5, column: 11, path: "rules[0].kind" });
    expect(error.message).toBe(`unknown rule kind "unsed"; expected one of: ${RULE_KINDS.join(", ")}`);
    expect(error.message).toContain("unused, key-age, owner-allowlist, service-account-role, match");
    expect(formatPolicyError(error)).toBe(
      'policies/test.yaml:5:11 rules[0].kind: unknown rule kind "unsed"; expected one of: unused, key-age, owner-allowlist, service-account-role, match',
    );
  });

  it("reports a missing kind at the rule's map", () => {
    const error = onlyError(yaml(...HEADER, "  - id: a", "    days: 90", "    severity: high"));
    expect(error).toMatchObject({ line: 4, column: 5, path: "rules[0].kind" });
    expect(error.message).toContain("missing rule kind; expected one of: unused");
  });

  it("reports a value of the wrong type at the value", () => {
    const error = onlyError(yaml(...HEADER, "  - id: a", "    kind: unused", "    days: ninety", "    severity: high"));
    expect(error).toMatchObject({ line: 6, column: 11, path: "rules[0].days" });
    expect(error.message).toContain("whole number of days");
  });

  it("rejects zero and fractional days", () => {
    expect(onlyError(yaml(...HEADER, "  - { id: a, kind: unused, days: 0, severity: high }")).path).toBe("rules[0].days");
    expect(onlyError(yaml(...HEADER, "  - { id: a, kind: unused, days: 1.5, severity: high }")).path).toBe("rules[0].days");
  });

  it("rejects unknown fields at the key, suggesting the intended one", () => {
    const error = onlyError(yaml(...HEADER, "  - id: a", "    kind: unused", "    days: 90", "    severity: high", "    serverity: high"));
    expect(error).toMatchObject({ line: 8, column: 5, path: "rules[0].serverity" });
    expect(error.message).toBe('unknown field "serverity"; did you mean "severity"?');
  });

  it("rejects unknown top-level fields", () => {
    const error = onlyError(yaml(...HEADER, "  - { id: a, kind: unused, days: 90, severity: high }", "exemption: []"));
    expect(error).toMatchObject({ line: 5, column: 1, path: "exemption" });
    expect(error.message).toContain('did you mean "exemptions"?');
  });

  it("reports a missing required field at the enclosing map", () => {
    const error = onlyError(yaml(...HEADER, "  - id: a", "    kind: unused", "    days: 90"));
    expect(error).toMatchObject({ line: 4, column: 5, path: "rules[0].severity" });
    expect(error.message).toBe('missing required field "severity" (expected one of: critical, high, medium, low, info)');
  });

  it("rejects a severity outside the scale", () => {
    const error = onlyError(yaml(...HEADER, "  - { id: a, kind: unused, days: 90, severity: urgent }"));
    expect(error.message).toBe('expected one of: critical, high, medium, low, info; got "urgent"');
  });

  it("rejects duplicate rule ids at the second one", () => {
    const error = onlyError(
      yaml(...HEADER, "  - id: a", "    kind: unused", "    days: 90", "    severity: high", "  - id: a", "    kind: key-age", "    days: 365", "    severity: low"),
    );
    expect(error).toMatchObject({ line: 8, column: 9, path: "rules[1].id" });
    expect(error.message).toBe('duplicate rule id "a" (also rules[0])');
  });

  it("requires rule ids to be slugs", () => {
    expect(onlyError(yaml(...HEADER, '  - { id: "Unused 90", kind: unused, days: 90, severity: high }')).path).toBe("rules[0].id");
  });

  it("requires version 1, a name and at least one rule", () => {
    expect(onlyError(yaml("version: 2", "name: x", "rules:", "  - { id: a, kind: unused, days: 9, severity: low }")).message).toBe("version must be 1");
    expect(onlyError(yaml("version: 1", "name: x", "rules: []"))).toMatchObject({ path: "rules", message: "a policy needs at least one rule" });
    expect(onlyError(yaml("version: 1", "rules:", "  - { id: a, kind: unused, days: 9, severity: low }")).path).toBe("name");
  });

  it("reports every error in one pass, in line order", () => {
    const errors = errorsOf(
      yaml(
        "version: 1",
        "name: x",
        "rules:",
        "  - { id: a, kind: unsed, days: 9, severity: low }",
        "  - { id: a, kind: unused, days: nine, severity: low }",
        "exemptions:",
        "  - { rule: b, key: k, expires: 2027-01-01 }",
      ),
    );
    expect(errors.map((error) => `${error.line} ${error.path}`)).toEqual(["4 rules[0].kind", "5 rules[1].id", "5 rules[1].days", "7 exemptions[0].reason", "7 exemptions[0].rule"]);
  });

  it("formats errors as file:line:col path: message", () => {
    expect(formatPolicyError({ file: "policies/x.yaml", line: 12, column: 5, path: "rules[2].kind", message: "boom" })).toBe(
      "policies/x.yaml:12:5 rules[2].kind: boom",
    );
    expect(formatPolicyError({ file: "policies/x.yaml", line: 1, column: 1, path: "", message: "the policy file is empty" })).toBe(
      "policies/x.yaml:1:1 the policy file is empty",
    );
  });
});

describe("loadPolicy: exemptions", () => {
  const rules = [...HEADER, "  - { id: unused-90d, kind: unused, days: 90, severity: high }", "exemptions:"];

  it("rejects an exemption for a rule the policy does not have, with its line", () => {
    const error = onlyError(yaml(...rules, "  - rule: unused-30d", "    key: key_1", "    reason: testing", "    expires: 2027-01-01"));
    expect(error).toMatchObject({ line: 6, column: 11, path: "exemptions[0].rule" });
    expect(error.message).toBe('unknown rule "unused-30d"; rules in this policy: unused-90d');
  });

  it("requires a reason", () => {
    const missing = onlyError(yaml(...rules, "  - rule: unused-90d", "    key: key_1", "    expires: 2027-01-01"));
    expect(missing).toMatchObject({ line: 6, column: 5, path: "exemptions[0].reason", message: "an exemption needs a reason" });
    const blank = onlyError(yaml(...rules, "  - { rule: unused-90d, key: key_1, reason: '  ', expires: 2027-01-01 }"));
    expect(blank).toMatchObject({ path: "exemptions[0].reason", message: "an exemption needs a reason" });
  });

  it("requires a real YYYY-MM-DD expiry date", () => {
    expect(onlyError(yaml(...rules, "  - { rule: unused-90d, key: key_1, reason: r }")).path).toBe("exemptions[0].expires");
    for (const expires of ["2027-02-30", "2027-3-1", "next year", '"2027-03-01T00:00:00Z"']) {
      const error = onlyError(yaml(...rules, `  - { rule: unused-90d, key: key_1, reason: r, expires: ${expires} }`));
      expect(error.path).toBe("exemptions[0].expires");
    }
  });

  it("accepts a quoted or unquoted date and an approver", () => {
    const result = loadPolicy(
      yaml(...rules, '  - { rule: unused-90d, key: key_1, reason: r, expires: "2027-03-01", approved_by: sec@example.com }', "  - { rule: unused-90d, key: key_2, reason: r, expires: 2028-02-29 }"),
      FILE,
    );
    expect(result.ok).toBe(true);
  });

  it("rejects two exemptions for the same rule and key", () => {
    const error = onlyError(
      yaml(...rules, "  - { rule: unused-90d, key: key_1, reason: r, expires: 2027-01-01 }", "  - { rule: unused-90d, key: key_1, reason: s, expires: 2028-01-01 }"),
    );
    expect(error).toMatchObject({ line: 7, path: "exemptions[1]" });
  });
});

describe("loadPolicy: rule options", () => {
  const rule = (body: string) => yaml(...HEADER, `  - { id: r, severity: low, ${body} }`);

  it("owner-allowlist needs at least one list and rejects unknown lists", () => {
    expect(onlyError(rule("kind: owner-allowlist, allow: {}")).message).toBe("allow needs at least one of emails, user_ids, service_accounts");
    expect(onlyError(rule('kind: owner-allowlist, allow: { email: ["*@example.com"] }'))).toMatchObject({
      path: "rules[0].allow.email",
      message: 'unknown field "email"; did you mean "emails"?',
    });
  });

  it("service-account-role needs roles", () => {
    expect(onlyError(rule("kind: service-account-role, roles: []")).path).toBe("rules[0].roles");
  });

  it("scope fields are checked", () => {
    expect(onlyError(rule("kind: unused, days: 9, scope: { kinds: [user] }")).path).toBe("rules[0].scope.kinds[0]");
    expect(onlyError(rule("kind: unused, days: 9, scope: { archived: sometimes }")).path).toBe("rules[0].scope.archived");
    expect(onlyError(rule("kind: unused, days: 9, scope: { projects: [] }")).path).toBe("rules[0].scope.projects");
  });
});

describe("loadPolicy: match conditions", () => {
  const where = (condition: string) => yaml(...HEADER, "  - id: m", "    kind: match", "    severity: low", `    where: ${condition}`);

  it("rejects an unknown field name, listing the fields", () => {
    const error = onlyError(where("{ field: knd, eq: admin }"));
    expect(error).toMatchObject({ line: 7, path: "rules[0].where.field" });
    expect(error.message).toContain('got "knd"');
    expect(error.message).toContain("owner_access");
  });

  it("requires exactly one operator", () => {
    expect(onlyError(where("{ field: name, eq: a, ne: b }")).message).toContain("needs exactly one operator");
    expect(onlyError(where("{ field: name }")).message).toContain("found none");
  });

  it("requires exactly one of all, any, not, field", () => {
    expect(onlyError(where("{ all: [ { field: kind, eq: admin } ], field: kind, eq: admin }")).message).toContain("found all, field");
    expect(onlyError(where("{ not: { field: kind, eq: admin }, eq: admin }")).path).toBe("rules[0].where.eq");
  });

  it("reports nested errors with their full path", () => {
    const error = onlyError(where("{ all: [ { field: kind, eq: admin }, { any: [ { field: expires_at, absnt: true } ] } ] }"));
    expect(error.path).toBe("rules[0].where.all[1].any[0].absnt");
    expect(error.message).toContain('did you mean "absent"?');
  });

  it("catches values that could never match", () => {
    expect(onlyError(where("{ field: owner_access, eq: inactve }")).message).toBe('owner_access is one of active, inactive; "inactve" would never match');
    expect(onlyError(where('{ field: project.archived, eq: "true" }')).message).toContain("true or false");
    expect(onlyError(where("{ field: name, eq: 42 }")).message).toContain("in quotes");
    expect(onlyError(where("{ field: kind, in: [admin, projct] }")).message).toContain('"projct"');
  });

  it("allows older-than and newer-than only on dates, with a valid duration", () => {
    expect(onlyError(where("{ field: name, older-than: 9d }")).message).toContain("compares dates");
    expect(onlyError(where("{ field: created_at, older-than: 9 days }")).message).toContain('like "90d"');
    expect(onlyError(where("{ field: created_at, newer-than: 1y }")).path).toBe("rules[0].where.newer-than");
  });

  it("rejects glob on a boolean field and empty groups", () => {
    expect(onlyError(where('{ field: project.archived, glob: "t*" }')).message).toContain("glob needs a text field");
    expect(onlyError(where("{ all: [] }")).message).toBe("all needs at least one condition");
    expect(onlyError(where("{ field: kind, in: [] }")).message).toBe("in needs at least one value");
  });
});
