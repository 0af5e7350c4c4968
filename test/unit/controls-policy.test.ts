/** `controls:` on policy rules: checked against the catalogue with errors an author can act on, in the JSON Schema, and on every rule of the shipped policies. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { FRAMEWORKS, FRAMEWORK_IDS, controlOf } from "../../src/controls/catalogue.js";
import { formatPolicyError, loadPolicy, renderPolicySchema } from "../../src/policy/index.js";

const FILE = "policies/test.yaml";

/** A policy with one rule (`unused-90d`) whose `controls:` is the given YAML, indented under the rule. */
function withControls(controls: string): string {
  return `version: 1\nname: test\nrules:\n  - id: unused-90d\n    kind: unused\n    days: 90\n    severity: high\n    controls:\n${controls}`;
}

function errors(text: string): string[] {
  const loaded = loadPolicy(text, FILE);
  return loaded.ok ? [] : loaded.errors.map(formatPolicyError);
}

describe("a rule's controls:", () => {
  it("are read when every id is in the catalogue", () => {
    const loaded = loadPolicy(withControls('      soc2: [CC6.2]\n      nist80053: [AC-2(3)]\n      cis: ["5.3"]\n'), FILE);
    if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
    expect(loaded.policy.rules[0]?.controls).toEqual({ soc2: ["CC6.2"], nist80053: ["AC-2(3)"], cis: ["5.3"] });
  });

  it("refuse an unknown control id at its line and column, naming the rule and listing the framework's controls", () => {
    expect(errors(withControls("      soc2: [CC6.2, CC6.5]\n"))).toEqual([
      `${FILE}:9:21 rules[0].controls.soc2[1]: unknown SOC 2 control "CC6.5" in rule "unused-90d"; controls in the catalogue: CC6.1, CC6.2, CC6.3`,
    ]);
  });

  it("suggest the catalogue's spelling of an id written another way", () => {
    expect(errors(withControls('      iso27001: ["5.18"]\n      nist80053: [ac-2(3)]\n'))).toEqual([
      `${FILE}:9:18 rules[0].controls.iso27001[0]: unknown ISO/IEC 27001:2022 control "5.18" in rule "unused-90d" (did you mean "A.5.18"?); controls in the catalogue: A.5.15, A.5.16, A.5.17, A.5.18, A.8.2, A.8.5`,
      `${FILE}:10:19 rules[0].controls.nist80053[0]: unknown NIST SP 800-53 Rev. 5 control "ac-2(3)" in rule "unused-90d" (did you mean "AC-2(3)"?); controls in the catalogue: AC-2, AC-2(3), AC-6, AC-6(5), IA-5`,
    ]);
  });

  it("refuse an unknown framework, listing the frameworks", () => {
    expect(errors(withControls("      nist: [AC-2]\n"))).toEqual([
      `${FILE}:9:13 rules[0].controls.nist: unknown framework "nist" in rule "unused-90d" (did you mean "nist80053"?); frameworks: soc2 (SOC 2), iso27001 (ISO/IEC 27001:2022), nist80053 (NIST SP 800-53 Rev. 5), cis (CIS Controls v8.1), pcidss (PCI DSS v4.0)`,
    ]);
  });

  it("ask for quotes around an id YAML reads as a number, rather than guess which control was meant", () => {
    expect(errors(withControls("      cis: [5.1, 5.10]\n"))).toEqual([
      `${FILE}:9:13 rules[0].controls.cis[0]: quote the control id: "5.1" (unquoted, YAML reads it as a number)`,
      `${FILE}:9:18 rules[0].controls.cis[1]: quote the control id: "5.1" (unquoted, YAML reads it as a number)`,
    ]);
  });

  it("refuse an id listed twice, an empty list, an empty map and a list where the map belongs", () => {
    expect(errors(withControls("      soc2: [CC6.2, CC6.2]\n      pcidss: []\n"))).toEqual([
      `${FILE}:9:21 rules[0].controls.soc2[1]: control "CC6.2" is listed twice in rule "unused-90d"`,
      `${FILE}:10:15 rules[0].controls.pcidss: list at least one control id, or leave the framework out`,
    ]);
    expect(errors(withControls("      {}\n"))).toEqual([
      `${FILE}:9:7 rules[0].controls: list at least one framework, e.g. { soc2: [CC6.2], iso27001: [A.5.18] }, or leave controls out`,
    ]);
    expect(errors(withControls("      [CC6.2]\n"))).toEqual([
      `${FILE}:9:7 rules[0].controls: controls must be a map of framework → control ids, e.g. { soc2: [CC6.2], iso27001: [A.5.18] }`,
    ]);
  });

  it("suggest controls: for a misspelled field", () => {
    const text = "version: 1\nname: test\nrules:\n  - id: unused-90d\n    kind: unused\n    days: 90\n    severity: high\n    control: { soc2: [CC6.2] }\n";
    expect(errors(text)).toEqual([`${FILE}:8:5 rules[0].control: unknown field "control"; did you mean "controls"?`]);
  });

  it("are reported with the policy's other errors in one pass", () => {
    const text = `${withControls("      soc2: [CC9.9]\n")}  - { id: b, kind: unsed, severity: high }\n`;
    expect(errors(text)).toEqual([
      expect.stringMatching(/^policies\/test\.yaml:9:14 rules\[0\]\.controls\.soc2\[0\]: unknown SOC 2 control "CC9\.9"/),
      expect.stringMatching(/^policies\/test\.yaml:10:\d+ rules\[1\]\.kind: unknown rule kind "unsed"/),
    ]);
  });

  it("are in the JSON Schema with each framework's control ids, so editors complete and check them", () => {
    const schema = JSON.parse(renderPolicySchema()) as { $defs: Record<string, { properties?: Record<string, unknown>; additionalProperties?: unknown }> };
    expect(schema.$defs["unused-rule"]?.properties?.controls).toEqual({ $ref: "#/$defs/controls" });
    const controls = schema.$defs.controls as { properties: Record<string, { items: { enum: string[] } }>; additionalProperties: unknown };
    expect(controls.additionalProperties).toBe(false);
    expect(Object.keys(controls.properties)).toEqual([...FRAMEWORK_IDS]);
    expect(controls.properties.nist80053?.items.enum).toEqual(["AC-2", "AC-2(3)", "AC-6", "AC-6(5)", "IA-5"]);
  });
});

describe("the catalogue", () => {
  it("lists the frameworks and controls of issue 13, each with a title and a source", () => {
    const ids = Object.fromEntries(FRAMEWORKS.map((f) => [f.id, f.controls.map((c) => c.id)]));
    expect(ids).toEqual({
      soc2: ["CC6.1", "CC6.2", "CC6.3"],
      iso27001: ["A.5.15", "A.5.16", "A.5.17", "A.5.18", "A.8.2", "A.8.5"],
      nist80053: ["AC-2", "AC-2(3)", "AC-6", "AC-6(5)", "IA-5"],
      cis: ["5.1", "5.3", "5.4", "5.5", "6.2"],
      pcidss: ["8.2.2", "8.2.4", "8.2.5", "8.2.6", "8.3.9", "8.6.1", "8.6.2", "8.6.3"],
    });
    for (const control of FRAMEWORKS.flatMap((f) => f.controls)) {
      expect(control.title.length, control.id).toBeGreaterThan(5);
      expect(control.source, control.id).toMatch(/SOC 2|Trust Services|27001|800-53|CIS|PCI DSS/);
    }
    expect(controlOf("cis", "5.3")?.title).toBe("Disable Dormant Accounts");
    expect(controlOf("soc2", "CC6.5")).toBeUndefined();
  });
});

describe.each(["policies/default.yaml", "test/sim/sample-policy.yaml"])("%s", (file) => {
  const loaded = loadPolicy(readFileSync(file, "utf8"), file);

  it("maps every rule to at least one control of the catalogue", () => {
    if (!loaded.ok) throw new Error(loaded.errors.map(formatPolicyError).join("\n"));
    for (const rule of loaded.policy.rules) {
      const pairs = Object.entries(rule.controls ?? {}).flatMap(([framework, ids]) => ids.map((id) => [framework, id] as const));
      expect(pairs.length, `${rule.id} has no controls`).toBeGreaterThan(0);
      for (const [framework, id] of pairs) expect(controlOf(framework, id), `${rule.id}: ${framework} ${id}`).toBeDefined();
    }
  });

  it("tests dormant keys against the controls platform-notes §13 names for them", () => {
    if (!loaded.ok) throw new Error("invalid policy");
    expect(loaded.policy.rules.find((rule) => rule.id === "unused-90d")?.controls).toEqual({
      soc2: ["CC6.2"],
      iso27001: ["A.5.18"],
      nist80053: ["AC-2(3)"],
      cis: ["5.3"],
      pcidss: ["8.2.6"],
    });
  });
});
