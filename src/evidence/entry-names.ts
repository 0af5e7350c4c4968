/**
 * Entry names as extractors see them. A file is verified only under its one
 * canonical name (`runs/2026/11/<id>/findings.csv`): `./x`, `a\b`, `a//b` and
 * `a/./b` are other spellings that some extractors write to the same file and
 * others do not; absolute and `..` names extract outside the target folder; a
 * name twice, or two names equal once case is ignored (the default on Windows
 * and macOS), leave one file whose content depends on the extractor. Unicode
 * normalization and Windows' trailing dots are not folded: such names are never
 * evidence, so they fail as unverified entries anyway.
 */

export interface NameProblem {
  path: string;
  message: string;
}

export interface NameCheck {
  /** Per input name: true when it is safe, canonical and unique. */
  accepted: boolean[];
  problems: NameProblem[];
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function checkEntryNames(names: readonly string[]): NameCheck {
  const problems: NameProblem[] = [];
  const accepted = names.map((name) => {
    const problem = spellingProblem(name);
    if (problem) problems.push({ path: printableName(name), message: problem });
    return problem === null;
  });

  const copies = groupBy(
    names.flatMap((_, i) => (accepted[i] ? [i] : [])),
    (i) => names[i] as string,
  );
  for (const [name, at] of copies) {
    if (at.length < 2) continue;
    problems.push({ path: printableName(name), message: `appears ${at.length} times in the archive: which copy an extractor keeps depends on the extractor, so none is verified` });
    for (const i of at) accepted[i] = false;
  }

  const unique = [...copies.keys()].filter((name) => copies.get(name)?.length === 1);
  const byFoldedCase = groupBy(unique, (name) => name.replace(/\/$/, "").toLowerCase());
  for (const group of byFoldedCase.values()) {
    if (group.length < 2) continue;
    for (const name of group) {
      const other = printableName((name === group[0] ? group[1] : group[0]) as string);
      const more = group.length > 2 ? ` and ${group.length - 2} more` : "";
      problems.push({ path: printableName(name), message: `the same file as ${other}${more} where case is ignored (Windows, macOS): one overwrites the other, so none is verified` });
      for (const i of copies.get(name) ?? []) accepted[i] = false;
    }
  }
  return { accepted, problems };
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/** Why this name is not a plain relative path in canonical form, or null. */
function spellingProblem(name: string): string | null {
  if (CONTROL.test(name)) return "its name holds control characters: not verified";
  const slashed = name.replaceAll("\\", "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) return "an absolute path: it extracts outside the folder it is extracted to, so it is not verified";
  if (slashed.split("/").includes("..")) return "climbs with ..: it extracts outside the folder it is extracted to, so it is not verified";
  const canonical = canonicalName(name);
  if (canonical === "") return "an empty name: not verified";
  if (canonical !== name) return `another spelling of ${printableName(canonical)}: extractors differ on such names, so it is not verified`;
  return null;
}

/** `\` as `/`, without empty and `.` segments; a folder keeps its final `/`. */
export function canonicalName(name: string): string {
  const slashed = name.replaceAll("\\", "/");
  const parts = slashed.split("/").filter((part) => part !== "" && part !== ".");
  return parts.length === 0 ? "" : `${parts.join("/")}${slashed.endsWith("/") ? "/" : ""}`;
}

/** The name with control characters escaped, safe to print on a terminal. */
export function printableName(name: string): string {
  return name.replace(new RegExp(CONTROL.source, "g"), (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
