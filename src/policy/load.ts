import { createHash } from "node:crypto";
import { type CST, type Document, LineCounter, Parser, parseDocument } from "yaml";
import { type PolicyError, formatPath } from "./policy-error.js";
import { type Policy, policySchema } from "./schema.js";
import { locate } from "./yaml-locate.js";
import { describeIssues } from "./zod-issues.js";

export type LoadResult = { ok: true; policy: Policy; sha256: string } | { ok: false; errors: PolicyError[] };

/**
 * Parses and validates a policy file. Never throws: every problem comes back as a PolicyError with
 * the file, line, column and field path, so a bad policy is reported before any API call.
 */
export function loadPolicy(text: string, file: string): LoadResult {
  const lineCounter = lineStartsOf(text);
  const deep = tooDeepAt(text);
  if (deep !== undefined) {
    const { line, col } = lineCounter.linePos(deep);
    return failed([{ file, line, column: col, path: "", message: `nested too deeply: more than ${MAX_NESTING} levels of lists and maps` }]);
  }
  // logLevel "error": yaml's own warnings (a list used as a map key) would go to the console; the
  // unknown field they make is reported below.
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, logLevel: "error" });
  if (doc.errors.length > 0) {
    return failed(
      doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, line, column: col, path: "", message: `invalid YAML: ${error.message}` };
      }),
    );
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return failed([{ file, line: 1, column: 1, path: "", message: `invalid YAML: ${(error as Error).message}` }]);
  }
  if (value === null || value === undefined) {
    return failed([{ file, line: 1, column: 1, path: "", message: "the policy file is empty" }]);
  }

  const parsed = policySchema.safeParse(value);
  if (!parsed.success) return failed(toPolicyErrors(parsed.error.issues, value, doc, lineCounter, file));
  return { ok: true, policy: parsed.data, sha256: createHash("sha256").update(text).digest("hex") };
}

function toPolicyErrors(
  issues: Parameters<typeof describeIssues>[0],
  value: unknown,
  doc: Document,
  lineCounter: LineCounter,
  file: string,
): PolicyError[] {
  return describeIssues(issues, value).map((report) => {
    const { line, column } = locate(doc, lineCounter, report.path, report.atKey);
    return { file, line, column, path: formatPath(report.path), message: report.message };
  });
}

/**
 * Lists and maps nested deeper than this are refused before yaml composes them: it composes
 * recursively, and nesting deep enough to exhaust the stack made V8 abort the whole process
 * ("RegExpCompiler Allocation failed"), which no try/catch sees. A real policy nests about ten levels.
 */
export const MAX_NESTING = 64;

/** The offset of the first list or map nested more than MAX_NESTING levels deep, if any; no recursion. */
function tooDeepAt(text: string): number | undefined {
  const pending: [CST.Token | null | undefined, number][] = [...new Parser().parse(text)].map((token) => [token, 0]);
  let first: number | undefined;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [token, depth] = next;
    if (!token) continue;
    if (token.type === "document") pending.push([token.value, depth]);
    else if (token.type === "block-map" || token.type === "block-seq" || token.type === "flow-collection") {
      if (depth === MAX_NESTING) first = Math.min(first ?? token.offset, token.offset);
      else for (const item of token.items) pending.push([item.key, depth + 1], [item.value, depth + 1]);
    }
  }
  return first;
}

/**
 * Line starts counted from the text itself: the one yaml's parser fills misses the line breaks
 * inside a multi-line scalar it could not place, and every position after it was lines off.
 */
function lineStartsOf(text: string): LineCounter {
  const counter = new LineCounter();
  counter.addNewLine(0);
  for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) counter.addNewLine(at + 1);
  return counter;
}

function failed(errors: PolicyError[]): LoadResult {
  const unique = new Map(errors.map((error) => [`${error.line}:${error.column}:${error.path}:${error.message}`, error]));
  return { ok: false, errors: [...unique.values()].sort((a, b) => a.line - b.line || a.column - b.column) };
}
