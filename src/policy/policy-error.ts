/** One problem in a policy file, with where it is. Lines and columns start at 1. */
export interface PolicyError {
  file: string;
  line: number;
  column: number;
  /** The field, like `rules[2].kind`; empty for the document as a whole. */
  path: string;
  message: string;
}

/** `policies/x.yaml:12:5 rules[2].kind: unknown rule kind "unsed"; expected one of: …` */
export function formatPolicyError(error: PolicyError): string {
  const where = `${error.file}:${error.line}:${error.column}`;
  return error.path ? `${where} ${error.path}: ${error.message}` : `${where} ${error.message}`;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const segment of path) {
    if (typeof segment === "number") text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}
