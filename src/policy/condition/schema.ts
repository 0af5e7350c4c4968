import { z } from "zod";
import { durationSchema } from "../duration.js";
import { FIELD_NAMES, type FieldName, fieldSpec } from "./fields.js";

export type Scalar = string | number | boolean;

export interface FieldCondition {
  field: FieldName;
  eq?: Scalar | undefined;
  ne?: Scalar | undefined;
  in?: Scalar[] | undefined;
  glob?: string | undefined;
  "older-than"?: string | undefined;
  "newer-than"?: string | undefined;
  absent?: boolean | undefined;
  gt?: number | undefined;
  gte?: number | undefined;
  lt?: number | undefined;
  lte?: number | undefined;
}

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | FieldCondition;

export const OPERATORS = ["eq", "ne", "in", "glob", "older-than", "newer-than", "absent", "gt", "gte", "lt", "lte"] as const;
/** The operators that compare numbers (requests_30d, spend_30d_usd). */
export const NUMBER_OPERATORS = ["gt", "gte", "lt", "lte"] as const;
export type Operator = (typeof OPERATORS)[number];
export const CONNECTIVES = ["all", "any", "not", "field"] as const;

const scalarSchema = z.union([z.string(), z.number(), z.boolean()], {
  error: "expected a string, number or boolean (for a missing value use absent: true)",
});

/**
 * One object shape with every key optional, plus a refinement for "exactly one of all/any/not/field"
 * and "exactly one operator". A zod union of four shapes would say the same, but its errors
 * ("Invalid input" with one sub-report per branch) do not tell a policy author what to fix.
 */
const conditionObjectSchema = z
  .strictObject({
    all: z.array(z.lazy(() => conditionSchema)).min(1, { error: "all needs at least one condition" }).optional(),
    any: z.array(z.lazy(() => conditionSchema)).min(1, { error: "any needs at least one condition" }).optional(),
    not: z.lazy(() => conditionSchema).optional(),
    field: z.enum(FIELD_NAMES).optional(),
    eq: scalarSchema.optional(),
    ne: scalarSchema.optional(),
    in: z.array(scalarSchema).min(1, { error: "in needs at least one value" }).optional(),
    glob: z.string().optional(),
    "older-than": durationSchema.optional(),
    "newer-than": durationSchema.optional(),
    absent: z.boolean().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
  })
  .superRefine((condition, ctx) => {
    for (const issue of structuralIssues(condition)) ctx.addIssue({ code: "custom", ...issue });
  })
  .meta({
    id: "condition",
    description: "{ all: [...] } | { any: [...] } | { not: {...} } | { field, and exactly one of eq, ne, in, glob, older-than, newer-than, absent, gt, gte, lt, lte }",
  });

/** The same structure as `structuralIssues`, for editors (JSON Schema cannot see zod refinements). */
export const CONDITION_JSON_SCHEMA_SHAPE = {
  oneOf: [
    ...(["all", "any", "not"] as const).map((connective) => ({
      required: [connective],
      not: { anyOf: OPERATORS.map((op) => ({ required: [op] })) },
    })),
    { required: ["field"], oneOf: OPERATORS.map((op) => ({ required: [op] })) },
  ],
};

export const conditionSchema = conditionObjectSchema as unknown as z.ZodType<Condition>;

type ConditionInput = z.output<typeof conditionObjectSchema>;
type Issue = { message: string; path: (string | number)[] };

function structuralIssues(condition: ConditionInput): Issue[] {
  const connectives = CONNECTIVES.filter((key) => condition[key] !== undefined);
  const operators = OPERATORS.filter((key) => condition[key] !== undefined);
  if (connectives.length === 0) {
    return [{ path: [], message: `a condition needs one of: all, any, not, field (with one of ${OPERATORS.join(", ")})` }];
  }
  if (connectives.length > 1) {
    return [{ path: [], message: `a condition takes exactly one of all, any, not, field; found ${connectives.join(", ")} (nest them with all: [...])` }];
  }
  const { field } = condition;
  if (field === undefined) {
    return operators.map((op) => ({ path: [op], message: `${op} belongs next to field, not next to ${connectives[0]}` }));
  }
  if (operators.length !== 1) {
    const found = operators.length === 0 ? "none" : operators.join(", ");
    return [{ path: [], message: `field ${field} needs exactly one operator (${OPERATORS.join(", ")}); found ${found}` }];
  }
  const op = operators[0] as Operator;
  return operatorIssues(field, op, condition[op]).map((message) => ({ path: [op], message }));
}

/** Catches conditions that are well-formed but could never do what the author meant. */
function operatorIssues(field: FieldName, op: Operator, value: unknown): string[] {
  const spec = fieldSpec(field);
  if (!spec) return []; // an unknown field name is reported by the enum already
  if (op === "older-than" || op === "newer-than") {
    return spec.type === "date" ? [] : [`${op} compares dates; use it on created_at, last_used_at or expires_at, not ${field}`];
  }
  if ((NUMBER_OPERATORS as readonly string[]).includes(op)) {
    return spec.type === "number" ? [] : [`${op} compares numbers; use it on requests_30d or spend_30d_usd, not ${field}`];
  }
  if (op === "glob") {
    if (spec.type === "boolean") return [`glob needs a text field; ${field} is true or false (use eq)`];
    return spec.type === "number" ? [`glob needs a text field; ${field} is a number (use gt, gte, lt, lte or eq)`] : [];
  }
  if (op === "absent") return [];
  const values = op === "in" ? (value as Scalar[]) : [value as Scalar];
  return values.flatMap((candidate) => valueIssue(field, candidate) ?? []);
}

function valueIssue(field: FieldName, value: Scalar): string | undefined {
  const spec = fieldSpec(field);
  if (spec.type === "boolean") return typeof value === "boolean" ? undefined : `${field} is true or false, not ${JSON.stringify(value)}`;
  if (spec.type === "number") return typeof value === "number" ? undefined : `${field} is a number; write ${JSON.stringify(value)} without quotes`;
  if (typeof value !== "string") return `${field} is text; write ${JSON.stringify(value)} in quotes`;
  if (spec.type === "enum" && !spec.values.includes(value)) {
    return `${field} is one of ${spec.values.join(", ")}; ${JSON.stringify(value)} would never match`;
  }
  return undefined;
}
