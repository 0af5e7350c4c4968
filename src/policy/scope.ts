import { z } from "zod";
import type { KeyRecord } from "../model/inventory.js";
import { compileGlobs } from "../util/glob.js";

export const scopeSchema = z
  .strictObject({
    kinds: z
      .array(z.enum(["admin", "project"]))
      .min(1, { error: "list at least one key kind, or leave kinds out" })
      .optional()
      .meta({ description: "Key kinds the rule applies to (default: both)." }),
    projects: z
      .array(z.string().min(1))
      .min(1, { error: "list at least one project, or leave projects out" })
      .optional()
      .meta({ description: "Project ids or project-name globs. A rule with projects never applies to admin keys." }),
    archived: z
      .enum(["include", "exclude", "only"])
      .optional()
      .meta({ description: "Keys of archived projects: include (default), exclude, or only those. `only` never applies to admin keys." }),
  })
  .meta({ id: "scope", description: "Which keys the rule looks at. Leave out to check every key." });

export type Scope = z.output<typeof scopeSchema>;
export type ScopePredicate = (key: KeyRecord) => boolean;

const EVERY_KEY: ScopePredicate = () => true;

export function compileScope(scope: Scope | undefined): ScopePredicate {
  if (!scope) return EVERY_KEY;
  const kinds = scope.kinds ? new Set<string>(scope.kinds) : null;
  const projectIds = scope.projects ? new Set(scope.projects) : null;
  const projectNameMatches = compileGlobs(scope.projects);
  const archived = scope.archived ?? "include";

  return (key) => {
    if (kinds && !kinds.has(key.kind)) return false;
    const project = key.project;
    if (projectIds) {
      if (!project) return false;
      if (!projectIds.has(project.id) && !projectNameMatches(project.name)) return false;
    }
    if (archived === "only") return project !== null && project.archived;
    if (archived === "exclude") return project === null || !project.archived;
    return true;
  };
}
