import { createHash } from "node:crypto";
import { type Document, LineCounter, parseDocument } from "yaml";
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
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
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

function failed(errors: PolicyError[]): LoadResult {
  const unique = new Map(errors.map((error) => [`${error.line}:${error.column}:${error.path}:${error.message}`, error]));
  return { ok: false, errors: [...unique.values()].sort((a, b) => a.line - b.line || a.column - b.column) };
}
