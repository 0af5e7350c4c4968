import type { z } from "zod";
import { closestName, knownFieldNames } from "./known-fields.js";

export interface IssueReport {
  path: PropertyKey[];
  message: string;
  /** Point at the field's key rather than its value (unknown fields). */
  atKey: boolean;
}

let knownNames: string[] | undefined;

/** zod issues in words a policy author acts on; one report per unknown field. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): IssueReport[] {
  // A misspelled field also makes the map's own checks fail ("needs exactly one operator" for
  // `absnt: true`); the unknown field is the real error, so those follow-on complaints are dropped.
  const mapsWithUnknownFields = new Set(issues.filter((issue) => issue.code === "unrecognized_keys").map((issue) => pathKey(issue.path)));
  const relevant = issues.filter((issue) => issue.code !== "custom" || !mapsWithUnknownFields.has(pathKey(issue.path)));
  return relevant.flatMap((issue): IssueReport[] => {
    if (issue.code === "unrecognized_keys") {
      knownNames ??= knownFieldNames();
      return issue.keys.map((key) => {
        const suggestion = closestName(key, knownNames ?? []);
        return {
          path: [...issue.path, key],
          message: `unknown field "${key}"${suggestion ? `; did you mean "${suggestion}"?` : ""}`,
          atKey: true,
        };
      });
    }
    return [{ path: issue.path, message: describeIssue(issue, valueAt(input, issue.path)), atKey: false }];
  });
}

function pathKey(path: readonly PropertyKey[]): string {
  return path.map(String).join("\u0000");
}

function describeIssue(issue: z.core.$ZodIssue, value: unknown): string {
  // Messages written in the schema are already meant for policy authors; only zod's defaults are rephrased.
  const isZodDefault = /^(Invalid (input|option)|Too small)\b/.test(issue.message);
  if (!isZodDefault) return issue.message;
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
      return value === undefined ? missing(issue.path, expected) : `expected ${expected}, got ${show(value)}`;
    }
    case "invalid_value": {
      const expected = issue.values.length === 1 ? show(issue.values[0]) : `one of: ${issue.values.map(String).join(", ")}`;
      return value === undefined ? missing(issue.path, expected) : `expected ${expected}; got ${show(value)}`;
    }
    case "too_small":
      return issue.origin === "string" && Number(issue.minimum) === 1 ? "must not be empty" : issue.message;
    default:
      return issue.message;
  }
}

/** zod's type names in YAML terms. */
const TYPE_NAMES: Record<string, string> = { array: "a list", object: "a map", string: "a string", number: "a number", boolean: "true or false" };

function missing(path: readonly PropertyKey[], expected: string): string {
  return `missing required field "${String(path.at(-1) ?? "")}" (expected ${expected})`;
}

function show(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  return JSON.stringify(value) ?? String(value);
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const segment of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}
