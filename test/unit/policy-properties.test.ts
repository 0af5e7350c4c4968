import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { parse, stringify } from "yaml";
import { type LoadResult, RULE_KINDS, formatPolicyError, loadPolicy, policySchema } from "../../src/policy/index.js";
import { MAX_NESTING } from "../../src/policy/load.js";

/**
 * The policy loader's contract, for any text at all: a valid policy, or PolicyErrors that each say
 * file:line:column, field path and message, with the position inside the text. Never an exception,
 * never a hang, never a crash of the process.
 */

const FILE = "policies/fuzz.yaml";
const DEFAULT_YAML = readFileSync(new URL("../../policies/default.yaml", import.meta.url), "utf8");

/** Loads and checks the contract; returns the result for further checks. */
function check(text: string): LoadResult {
  const result = loadPolicy(text, FILE);
  if (result.ok) {
    expect(policySchema.safeParse(result.policy).success).toBe(true);
    expect(result.sha256).toBe(createHash("sha256").update(text).digest("hex"));
    return result;
  }
  expect(result.errors.length).toBeGreaterThan(0);
  // yaml counts lines by "\n" (a "\r\n" line ends with "\r"); columns are UTF-16 units from 1.
  const lines = text.split("\n");
  for (const error of result.errors) {
    const shown = `${formatPolicyError(error)}\n  in ${JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text)}`;
    expect(error.file, shown).toBe(FILE);
    expect(Number.isInteger(error.line) && error.line >= 1 && error.line <= lines.length, shown).toBe(true);
    const lineLength = lines[error.line - 1]?.length ?? 0;
    expect(Number.isInteger(error.column) && error.column >= 1 && error.column <= lineLength + 1, shown).toBe(true);
    expect(typeof error.path, shown).toBe("string");
    expect(typeof error.message === "string" && error.message.length > 0, shown).toBe(true);
  }
  return result;
}

function errorsOf(text: string) {
  const result = check(text);
  if (result.ok) throw new Error("expected the policy to be rejected");
  return result.errors;
}

// ── Generators ──────────────────────────────────────────────────────────────────────────────

/** Pieces of YAML syntax, policy words and troublesome scalars, to be glued together at random. */
const YAML_PIECES = [
  "\n", "\r\n", "\r", " ", "  ", "    ", "\t", "- ", "-", ": ", ":", "? ", "?", ",", "[", "]", "{", "}", "#", "# c\n",
  "'", '"', "\\", "|", ">-", "|+2", "&a ", "&b ", "*a", "*b", "*zz", "<<: ", "!!str ", "!!int ", "!!binary ", "!!set ",
  "!!omap ", "!!map ", "!!seq ", "!!timestamp ", "!local ", "!<tag:x> ", "%YAML 1.1\n---\n", "%YAML 1.2\n", "%TAG ! tag:x:\n",
  "---\n", "...\n", "@", "`", "%", "\u0000", "\uFEFF", "\u2028", "\uD800", "\u00e9", "😀",
  "version", "version: 1\n", "name: x\n", "name", "rules:\n", "rules", "exemptions:\n", "description", "id", "kind", "severity",
  "days", "where", "all", "any", "not", "field", "eq", "in", "glob", "absent", "older-than", "scope", "archived", "projects",
  "allow", "emails", "rule", "key", "reason", "expires", "approved_by", "__proto__", "constructor", "toString",
  ...RULE_KINDS, "info", "low", "medium", "high", "critical", "only", "include", "exclude",
  "1", "0", "-1", "1.5", "1e400", "-1e400", "9".repeat(400), `0x${"f".repeat(300)}`, "0o777", ".inf", "-.inf", ".nan", "~", "null",
  "true", "false", "yes", "no", "on", "2027-02-30", "2027-03-01", "2001-12-14t21:59:43.10-05:00", "190:20:30",
];
const yamlPiece = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...YAML_PIECES) }, { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 6 }) });
const yamlSoup = fc.array(yamlPiece, { maxLength: 60 }).map((pieces) => pieces.join(""));

/** A JSON value in YAML, in block or flow style, with or without anchors for repeated parts. */
const dumped = (value: fc.Arbitrary<unknown>) =>
  fc
    .tuple(value, fc.constantFrom("any", "block", "flow"), fc.boolean())
    .map(([v, collectionStyle, aliasDuplicateObjects]) =>
      stringify(v, { collectionStyle: collectionStyle as "any" | "block" | "flow", aliasDuplicateObjects }),
    );

const anyScalar = fc.oneof(
  fc.constantFrom(1, 0, -1, 1e308, -1e308, Number.MAX_SAFE_INTEGER, 2 ** 64, 0.1, null, true, false, "", "1", "2027-03-01", "2027-02-30", "90d"),
  fc.double(),
  fc.integer(),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom(...RULE_KINDS, "info", "high", "critical", "unused-90d", "x".repeat(5000)),
);
const anyValue = fc.oneof({ weight: 3, arbitrary: anyScalar }, { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) });

/** Values shaped like a policy, so the schema's deeper checks (rules, conditions, exemptions) are reached. */
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 3 });
const condition: fc.Arbitrary<unknown> = fc.letrec<{ cond: unknown }>((tie) => ({
  cond: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.record({ field: maybe(fc.oneof(fc.constantFrom("kind", "expires_at", "owner_access", "name", "created_at"), anyValue)), eq: maybe(anyValue), absent: maybe(anyValue), glob: maybe(anyValue), "older-than": maybe(anyValue) }, { requiredKeys: [] }),
    fc.record({ all: fc.oneof(fc.array(tie("cond"), { maxLength: 3 }), anyValue) }),
    fc.record({ any: fc.array(tie("cond"), { maxLength: 3 }) }),
    fc.record({ not: tie("cond") }),
    anyValue,
  ),
})).cond;
const rule = fc.record(
  {
    id: fc.oneof(fc.constantFrom("a", "b", "unused-90d"), anyValue),
    kind: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...RULE_KINDS) }, { weight: 1, arbitrary: anyValue }),
    severity: fc.oneof(fc.constantFrom("info", "low", "medium", "high", "critical"), anyValue),
    days: maybe(fc.oneof(fc.integer({ min: -5, max: 1000 }), anyValue)),
    roles: maybe(fc.oneof(fc.constant(["owner"]), anyValue)),
    allow: maybe(fc.oneof(fc.record({ emails: maybe(fc.array(fc.string(), { maxLength: 2 })), user_ids: maybe(anyValue), service_accounts: maybe(anyValue) }, { requiredKeys: [] }), anyValue)),
    where: maybe(condition),
    scope: maybe(fc.oneof(fc.record({ archived: maybe(fc.oneof(fc.constantFrom("include", "exclude", "only"), anyValue)), projects: maybe(anyValue), kinds: maybe(anyValue) }, { requiredKeys: [] }), anyValue)),
    description: maybe(anyValue),
    extra: maybe(anyValue),
  },
  { requiredKeys: [] },
);
const exemption = fc.record(
  { rule: fc.oneof(fc.constantFrom("a", "b", "zzz"), anyValue), key: maybe(anyValue), reason: maybe(anyValue), expires: maybe(fc.oneof(fc.constantFrom("2027-03-01", "2027-02-30", "1.1.2027"), anyValue)), approved_by: maybe(anyValue) },
  { requiredKeys: [] },
);
const policyShaped = fc.record(
  {
    version: fc.oneof({ weight: 4, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: anyValue }),
    name: fc.oneof(fc.constant("fuzz"), anyValue),
    description: maybe(anyValue),
    rules: fc.oneof({ weight: 4, arbitrary: fc.array(rule, { maxLength: 4 }) }, { weight: 1, arbitrary: anyValue }),
    exemptions: maybe(fc.oneof(fc.array(exemption, { maxLength: 3 }), anyValue)),
    extra: maybe(anyValue),
  },
  { requiredKeys: [] },
);

/** Line edits of policies/default.yaml: delete, duplicate, replace, insert. */
type LineEdit = { op: "delete" | "duplicate"; at: number } | { op: "replace" | "insert"; at: number; text: string };
const lineEdit: fc.Arbitrary<LineEdit> = fc.oneof(
  fc.record({ op: fc.constant("delete" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("duplicate" as const), at: fc.nat() }),
  fc.record({ op: fc.constant("replace" as const), at: fc.nat(), text: yamlSoup }),
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.tuple(fc.constantFrom("", "  ", "    ", "      "), fc.oneof(yamlSoup, anyScalar.map(String)), fc.oneof(yamlSoup, anyScalar.map((v) => stringify(v).trimEnd()))).map(([indent, key, value]) => `${indent}${key}: ${value}`) }),
);
function editLines(text: string, edits: readonly LineEdit[]): string {
  const lines = text.split("\n");
  for (const edit of edits) {
    const at = edit.at % (lines.length + 1);
    if ("text" in edit) lines.splice(at, edit.op === "replace" ? 1 : 0, edit.text);
    else if (edit.op === "delete") lines.splice(at, 1);
    else lines.splice(at, 0, lines[at] ?? "");
  }
  return lines.join("\n");
}

/** A key/value set at a path chosen at random inside the parsed default policy. */
interface Insertion {
  steps: number[];
  key: string;
  value: unknown;
}
const insertion = fc.record({ steps: fc.array(fc.nat(), { maxLength: 6 }), key: fc.oneof(fc.constantFrom("version", "name", "rules", "kind", "days", "severity", "where", "all", "not", "field", "scope", "__proto__", "0"), fc.string({ maxLength: 10 })), value: anyValue });
function insertAt(root: unknown, { steps, key, value }: Insertion): void {
  let node = root;
  for (const step of steps) {
    const children = node !== null && typeof node === "object" ? Object.values(node).filter((child) => child !== null && typeof child === "object") : [];
    if (children.length === 0) break;
    node = children[step % children.length];
  }
  if (Array.isArray(node)) node.splice(steps.length % (node.length + 1), 0, value);
  else if (node !== null && typeof node === "object") Object.defineProperty(node, key, { value, enumerable: true, configurable: true, writable: true });
}
const defaultValue = () => parse(DEFAULT_YAML) as unknown;

/** YAML nested `depth` levels deep, in flow, block or compact style. */
const nesting = fc.record({ depth: fc.integer({ min: 1, max: 3000 }), style: fc.constantFrom("flow-seq", "flow-map", "compact-seq", "explicit-key", "mixed", "block-map") }).map(({ depth, style }) => nested(depth, style));
function nested(depth: number, style: string): string {
  switch (style) {
    case "flow-seq":
      return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
    case "flow-map":
      return `${"{a: ".repeat(depth)}1${"}".repeat(depth)}`;
    case "compact-seq":
      return `${"- ".repeat(depth)}x\n`;
    case "explicit-key":
      return `${"? ".repeat(depth)}x\n`;
    case "block-map":
      return Array.from({ length: Math.min(depth, 300) }, (_, i) => `${" ".repeat(i)}a:`).join("\n");
    default:
      return `version: 1\nname: x\nrules: ${"[{where: ".repeat(depth)}`;
  }
}

/** "Billion laughs": each level an anchored list of `width` aliases to the level below. */
function aliasBomb(levels: number, width: number, { merge = false } = {}): string {
  const lines = merge ? ["%YAML 1.1", "---", "l0: &l0 {a: lol}"] : ["l0: &l0 [lol, lol]"];
  for (let level = 1; level <= levels; level++) {
    const aliases = Array.from({ length: width }, () => `*l${level - 1}`).join(", ");
    lines.push(merge ? `l${level}: &l${level} {<<: [${aliases}], k${level}: 1}` : `l${level}: &l${level} [${aliases}]`);
  }
  return `${lines.join("\n")}\n`;
}

// ── Properties ──────────────────────────────────────────────────────────────────────────────

describe("loadPolicy, for any text: a policy or located errors, never an exception", () => {
  it("any string", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), fc.string({ unit: "grapheme", maxLength: 200 }), fc.string({ maxLength: 200 })), (text) => {
        check(text);
      }),
      { numRuns: 300 },
    );
  });

  it("any glue of YAML syntax, policy words, tags, anchors and huge numbers", () => {
    fc.assert(
      fc.property(yamlSoup, (text) => {
        check(text);
      }),
      { numRuns: 400 },
    );
  });

  it("any JSON value dumped as YAML", () => {
    fc.assert(
      fc.property(dumped(fc.jsonValue({ maxDepth: 6 })), (text) => {
        check(text);
      }),
      { numRuns: 300 },
    );
  });

  it("any policy-shaped value dumped as YAML (reaches the rules, conditions and exemptions checks)", () => {
    fc.assert(
      fc.property(dumped(policyShaped), (text) => {
        check(text);
      }),
      { numRuns: 200 },
    );
  });

  it("policies/default.yaml with lines deleted, duplicated, replaced or inserted", () => {
    fc.assert(
      fc.property(fc.array(lineEdit, { minLength: 1, maxLength: 5 }), (edits) => {
        check(editLines(DEFAULT_YAML, edits));
      }),
      { numRuns: 200 },
    );
  });

  it("policies/default.yaml with random keys and values inserted at random paths", () => {
    fc.assert(
      fc.property(fc.array(insertion, { minLength: 1, maxLength: 4 }), fc.constantFrom("any", "block", "flow"), (insertions, collectionStyle) => {
        const value = defaultValue();
        for (const one of insertions) insertAt(value, one);
        check(stringify(value, { collectionStyle: collectionStyle as "any" | "block" | "flow" }));
      }),
      { numRuns: 150 },
    );
  });

  it("nesting of any depth, any style, loaded again and again in one process", () => {
    fc.assert(
      fc.property(nesting, (text) => {
        check(text);
      }),
      { numRuns: 100 },
    );
  });

  it("alias bombs of any width and depth are refused quickly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 2, max: 12 }), fc.boolean(), (levels, width, merge) => {
        const started = performance.now();
        const result = check(aliasBomb(levels, width, { merge }));
        expect(performance.now() - started).toBeLessThan(1000);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("very long scalars, keys and lines", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300_000 }), fc.constantFrom("name", "key", "value", "comment", "quoted", "number"), (length, where) => {
        const long = "x".repeat(length);
        const text = {
          name: `version: 1\nname: ${long}\nrules: []\n`,
          key: `version: 1\n${long}: 1\n`,
          value: `version: 1\nname: x\nrules:\n  - id: ${long}\n    kind: unused\n    days: 1\n    severity: low\n`,
          comment: `# ${long}\nversion: 1\n`,
          quoted: `version: 1\nname: "${long}\n`,
          number: `version: ${"9".repeat(length)}\n`,
        }[where] as string;
        check(text);
      }),
      { numRuns: 40 },
    );
  });
});

describe("loadPolicy: examples (resource exhaustion, and what the properties found)", () => {
  it('refuses the classic "billion laughs" alias bomb at once', () => {
    const started = performance.now();
    const [error, ...rest] = errorsOf(aliasBomb(9, 9));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(rest).toEqual([]);
    expect(error?.message).toMatch(/^invalid YAML: .*alias/i);
  });

  it("refuses the alias bomb built from YAML 1.1 merge keys at once", () => {
    const started = performance.now();
    const errors = errorsOf(aliasBomb(12, 9, { merge: true }));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(errors[0]?.message).toMatch(/^invalid YAML: .*alias/i);
  });

  // Found by the nesting property: yaml composes nodes recursively, and a document nested deeply
  // enough to exhaust the stack made V8 abort the whole process ("FATAL ERROR: RegExpCompiler
  // Allocation failed - process out of memory") from the second such load on, uncatchable.
  it.each(["flow-seq", "flow-map", "compact-seq", "explicit-key", "mixed"])("refuses %s nesting thousands of levels deep, every time", (style) => {
    for (const depth of [1000, 5000, 1000, 5000]) {
      const errors = errorsOf(nested(depth, style));
      expect(errors, errors.map(formatPolicyError).join("\n")).toHaveLength(1);
      expect(errors[0]?.message).toMatch(/nested too deeply/);
    }
  });

  it(`accepts ${MAX_NESTING} levels of lists and maps, and refuses one more`, () => {
    const deep = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}\n`;
    expect(errorsOf(deep(MAX_NESTING)).map((error) => error.message)).not.toContainEqual(expect.stringMatching(/nested too deeply/));
    expect(errorsOf(deep(MAX_NESTING + 1))).toMatchObject([{ line: 1, column: MAX_NESTING + 1, message: expect.stringMatching(/nested too deeply/) }]);
  });

  it("locates the first list or map nested too deeply", () => {
    const text = `version: 1\nname: x\nrules:\n  - ${"[".repeat(100)}${"]".repeat(100)}\n`;
    // The policy is level 1, rules level 2, so the first "[" too deep is number MAX_NESTING - 1.
    expect(errorsOf(text)).toEqual([{ file: FILE, line: 4, column: "  - ".length + MAX_NESTING - 1, path: "", message: `nested too deeply: more than ${MAX_NESTING} levels of lists and maps` }]);
  });

  // Found by the line-edit property: yaml's parser told its LineCounter nothing of the line breaks
  // inside a multi-line scalar it could not place, so every error after it was lines too high.
  it("counts every line break, also inside a scalar yaml could not place", () => {
    const errors = errorsOf("      a: 1\n: 1\n  b\nc: d\n");
    expect(errors.find((error) => error.message.includes('"c"'))).toMatchObject({ line: 4, column: 1 });
  });

  // Found by the JSON-value property: yaml printed a Node warning ("Keys with collection values will
  // be stringified…") on stderr; the unknown field it makes is already a PolicyError.
  it("writes no warning of its own (a list used as a map key)", () => {
    const emitWarning = vi.spyOn(process, "emitWarning").mockImplementation(() => {});
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    try {
      expect(errorsOf("version: 1\n? [a, b]\n: 1\n").map((error) => error.message)).toContainEqual(expect.stringMatching(/unknown field/));
      expect(emitWarning).not.toHaveBeenCalled();
      expect(warn).not.toHaveBeenCalled();
    } finally {
      emitWarning.mockRestore();
      warn.mockRestore();
    }
  });

  it("still loads a policy whose conditions nest a few dozen levels", () => {
    const where = `${"{not: ".repeat(40)}{field: kind, eq: admin}${"}".repeat(40)}`;
    const result = check(`version: 1\nname: x\nrules:\n  - id: a\n    kind: match\n    severity: low\n    where: ${where}\n`);
    expect(result.ok).toBe(true);
  });
});
