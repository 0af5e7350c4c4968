/**
 * A rule's `controls:` in a policy: framework id → the ids of the controls the rule tests, e.g.
 *
 *   controls: { soc2: [CC6.2], iso27001: [A.5.18], nist80053: ["AC-2(3)"] }
 *
 * The field schema checks the shape; `ruleControlsIssues` checks the ids against the catalogue
 * at the policy level, where the rule's id is known and can be named in the error.
 */
import { z } from "zod";
import { FRAMEWORKS, FRAMEWORK_IDS, closestControl, controlOf, frameworkOf } from "./catalogue.js";

const EXAMPLE = "e.g. { soc2: [CC6.2], iso27001: [A.5.18] }";

export const ruleControlsSchema = z
  .record(
    z.string(),
    z
      .array(
        z.string({
          // CIS ids such as 5.1 read as numbers in YAML, and 5.10 would read as 5.1: never guessed.
          error: (issue) =>
            typeof issue.input === "number" ? `quote the control id: "${issue.input}" (unquoted, YAML reads it as a number)` : "a control id is text, e.g. CC6.2",
        }),
        { error: "list the control ids, e.g. soc2: [CC6.2]" },
      )
      .min(1, { error: "list at least one control id, or leave the framework out" }),
    { error: `controls must be a map of framework → control ids, ${EXAMPLE}` },
  )
  .refine((map) => Object.keys(map).length > 0, { error: `list at least one framework, ${EXAMPLE}, or leave controls out` })
  .meta({ id: "controls", description: `The controls the rule tests, by framework (${FRAMEWORK_IDS.join(", ")}); ids from the catalogue in docs/controls.md.` });

export type RuleControls = z.output<typeof ruleControlsSchema>;

/** For policies/policy.schema.json: each framework with its control ids, so editors complete and check them. */
export const CONTROLS_JSON_SCHEMA_SHAPE = {
  type: "object",
  minProperties: 1,
  additionalProperties: false,
  properties: Object.fromEntries(
    FRAMEWORKS.map((framework) => [
      framework.id,
      {
        description: framework.name,
        type: "array",
        minItems: 1,
        uniqueItems: true,
        items: { type: "string", enum: framework.controls.map((control) => control.id) },
      },
    ]),
  ),
};

type Issue = { path: (string | number)[]; message: string };

/**
 * Unknown frameworks, unknown control ids and repeated ids in one rule's `controls:`, with the
 * path from the policy's root. Reads defensively: the rule may be only partly valid.
 */
export function ruleControlsIssues(rule: unknown, ruleIndex: number): Issue[] {
  const record = rule !== null && typeof rule === "object" ? (rule as Record<string, unknown>) : {};
  const { controls } = record;
  if (controls === null || typeof controls !== "object" || Array.isArray(controls)) return [];
  const inRule = typeof record.id === "string" ? ` in rule "${record.id}"` : "";
  const issues: Issue[] = [];
  for (const [frameworkId, ids] of Object.entries(controls)) {
    const path = ["rules", ruleIndex, "controls", frameworkId];
    const framework = frameworkOf(frameworkId);
    if (!framework) {
      issues.push({ path, message: `unknown framework "${frameworkId}"${inRule}${didYouMean(closestFramework(frameworkId))}; frameworks: ${frameworkList()}` });
      continue;
    }
    if (!Array.isArray(ids)) continue;
    const seen = new Set<string>();
    ids.forEach((id: unknown, index) => {
      if (typeof id !== "string") return;
      if (!controlOf(framework.id, id)) {
        const known = framework.controls.map((control) => control.id).join(", ");
        const suggestion = didYouMean(closestControl(framework.id, id)?.id);
        issues.push({ path: [...path, index], message: `unknown ${framework.name} control "${id}"${inRule}${suggestion}; controls in the catalogue: ${known}` });
      } else if (seen.has(id)) {
        issues.push({ path: [...path, index], message: `control "${id}" is listed twice${inRule}` });
      }
      seen.add(id);
    });
  }
  return issues;
}

function frameworkList(): string {
  return FRAMEWORKS.map((framework) => `${framework.id} (${framework.name})`).join(", ");
}

/** "nist" → nist80053, "PCI-DSS" → pcidss, "iso27001:2022" → iso27001. */
function closestFramework(id: string): string | undefined {
  const loose = id.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (loose === "") return undefined;
  return FRAMEWORK_IDS.find((known) => known.startsWith(loose) || loose.startsWith(known));
}

function didYouMean(name: string | undefined): string {
  return name === undefined ? "" : ` (did you mean "${name}"?)`;
}
