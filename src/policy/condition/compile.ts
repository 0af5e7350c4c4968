import type { KeyRecord } from "../../model/inventory.js";
import { durationMs } from "../duration.js";
import { compileGlob } from "../../util/glob.js";
import type { CheckContext } from "../rule-module.js";
import { isoDay } from "../time.js";
import { type FieldValue, fieldSpec } from "./fields.js";
import { type Condition, type FieldCondition, type NUMBER_OPERATORS, OPERATORS, type Operator, type Scalar } from "./schema.js";

export interface CompiledCondition {
  matches(key: KeyRecord, ctx: CheckContext): boolean;
  /** The part of the condition that matched, in words; only meaningful when `matches` is true. */
  describe(key: KeyRecord, ctx: CheckContext): string;
  /** Whether `describe` yields several clauses, so a parent must parenthesize it. */
  compound: boolean;
  /** The description when it does not depend on the key: built once, shared by every finding. */
  fixed?: string;
}

export function compileCondition(condition: Condition): CompiledCondition {
  if ("all" in condition) return compileAll(condition.all.map(compileCondition));
  if ("any" in condition) return compileAny(condition.any.map(compileCondition));
  if ("not" in condition) return compileNot(compileCondition(condition.not));
  return compileField(condition);
}

function compileAll(parts: CompiledCondition[]): CompiledCondition {
  const describe = (key: KeyRecord, ctx: CheckContext) => parts.map((part) => clause(part, key, ctx)).join(" and ");
  const fixed = parts.every((part) => part.fixed !== undefined) ? parts.map((part) => fixedClause(part)).join(" and ") : undefined;
  return {
    compound: parts.length > 1,
    matches: (key, ctx) => {
      for (const part of parts) if (!part.matches(key, ctx)) return false;
      return true;
    },
    describe: fixed === undefined ? describe : () => fixed,
    ...(fixed === undefined ? {} : { fixed }),
  };
}

function compileAny(parts: CompiledCondition[]): CompiledCondition {
  return {
    compound: parts.length > 1,
    matches: (key, ctx) => {
      for (const part of parts) if (part.matches(key, ctx)) return true;
      return false;
    },
    // Name only the alternatives that held: that is why this key was flagged.
    describe: (key, ctx) =>
      parts
        .filter((part) => part.matches(key, ctx))
        .map((part) => clause(part, key, ctx))
        .join(" or "),
  };
}

function compileNot(inner: CompiledCondition): CompiledCondition {
  const fixed = inner.fixed === undefined ? undefined : `not (${inner.fixed})`;
  return {
    compound: false,
    matches: (key, ctx) => !inner.matches(key, ctx),
    describe: fixed === undefined ? (key, ctx) => `not (${inner.describe(key, ctx)})` : () => fixed,
    ...(fixed === undefined ? {} : { fixed }),
  };
}

function clause(part: CompiledCondition, key: KeyRecord, ctx: CheckContext): string {
  const text = part.describe(key, ctx);
  return part.compound ? `(${text})` : text;
}

function fixedClause(part: CompiledCondition): string {
  return part.compound ? `(${part.fixed})` : (part.fixed as string);
}

function compileField(condition: FieldCondition): CompiledCondition {
  const op = OPERATORS.find((candidate) => condition[candidate] !== undefined) as Operator;
  const spec = fieldSpec(condition.field);
  const field = condition.field;
  const read = spec.read as (key: KeyRecord) => FieldValue;
  const leaf = (matches: CompiledCondition["matches"], describe: CompiledCondition["describe"] | string): CompiledCondition =>
    typeof describe === "string" ? { compound: false, matches, describe: () => describe, fixed: describe } : { compound: false, matches, describe };

  switch (op) {
    case "eq": {
      const expected = condition.eq;
      return leaf((key) => read(key) === expected, `${field} = ${show(expected)}`);
    }
    case "ne": {
      const unexpected = condition.ne;
      return leaf((key) => read(key) !== unexpected, `${field} != ${show(unexpected)}`);
    }
    case "in": {
      const values = condition.in ?? [];
      const allowed = new Set<Scalar | null>(values);
      return leaf((key) => allowed.has(read(key)), `${field} in [${values.map(show).join(", ")}]`);
    }
    case "glob": {
      const pattern = condition.glob ?? "";
      const regexp = compileGlob(pattern);
      return leaf(
        (key) => {
          const value = read(key);
          return typeof value === "string" && regexp.test(value);
        },
        `${field} matches ${JSON.stringify(pattern)}`,
      );
    }
    case "older-than":
    case "newer-than": {
      const text = condition[op] ?? "";
      const limitMs = durationMs(text);
      const date = spec.type === "date" ? spec.date : "created_at";
      const older = op === "older-than";
      return leaf(
        (_key, { nowMs, times }) => {
          const at = times[date];
          if (at === null) return false;
          return older ? nowMs - at > limitMs : nowMs - at < limitMs;
        },
        (key, { times }) => `${field} ${older ? "older" : "newer"} than ${text} (${isoDay(times[date] ?? Number.NaN, read(key) as string)})`,
      );
    }
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const limit = condition[op] ?? Number.NaN;
      const holds = COMPARE[op];
      return leaf(
        (key) => {
          const value = read(key);
          return typeof value === "number" && holds(value, limit);
        },
        (key) => `${field} ${SYMBOL[op]} ${limit} (${String(read(key))})`,
      );
    }
    case "absent": {
      const wantAbsent = condition.absent === true;
      return leaf(
        (key) => (read(key) === null) === wantAbsent,
        `${field} is ${wantAbsent ? "absent" : "present"}`,
      );
    }
  }
}

const COMPARE: Record<(typeof NUMBER_OPERATORS)[number], (value: number, limit: number) => boolean> = {
  gt: (value, limit) => value > limit,
  gte: (value, limit) => value >= limit,
  lt: (value, limit) => value < limit,
  lte: (value, limit) => value <= limit,
};
const SYMBOL: Record<(typeof NUMBER_OPERATORS)[number], string> = { gt: ">", gte: ">=", lt: "<", lte: "<=" };

function show(value: Scalar | undefined): string {
  if (typeof value === "string" && /^[\w.@*?:-]+$/.test(value)) return value;
  return JSON.stringify(value);
}
