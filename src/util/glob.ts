/**
 * Globs as policies use them: `*` matches any run of characters (including none),
 * `?` exactly one; everything else is literal. Matching is anchored and case-insensitive.
 */
export function compileGlob(pattern: string): RegExp {
  let source = "";
  for (const char of pattern) {
    if (char === "*") source += "[\\s\\S]*";
    else if (char === "?") source += "[\\s\\S]";
    else source += char.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "i");
}

export type StringMatcher = (value: string | null | undefined) => boolean;

/** One matcher for a list of globs; a missing value never matches (fail closed). */
export function compileGlobs(patterns: readonly string[] | undefined): StringMatcher {
  const regexps = (patterns ?? []).map(compileGlob);
  if (regexps.length === 0) return () => false;
  return (value) => {
    if (value === null || value === undefined) return false;
    for (const regexp of regexps) if (regexp.test(value)) return true;
    return false;
  };
}
