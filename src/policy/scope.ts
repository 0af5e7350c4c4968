import { z } from "zod";
import { PROVIDER_NAMES } from "../config-accounts.js";
import type { KeyRecord } from "../model/inventory.js";
import { keyAccount, keyProvider } from "../model/key-facts.js";
import { compileGlobs } from "../util/glob.js";

export const scopeSchema = z
  .strictObject({
    providers: z
      .array(z.enum(PROVIDER_NAMES))
      .min(1, { error: "list at least one provider, or leave providers out" })
      .optional()
      .meta({ description: `Providers whose keys the rule applies to (${PROVIDER_NAMES.join(", ")}; default: every one).` }),
    accounts: z
      .array(z.string().min(1))
      .min(1, { error: "list at least one account, or leave accounts out" })
      .optional()
      .meta({ description: "Configured account names or globs, e.g. openai-* (default: every account)." }),
    kinds: z
      .array(z.enum(["admin", "project"]))
      .min(1, { error: "list at least one key kind, or leave kinds out" })
      .optional()
      .meta({ description: "Key kinds the rule applies to (default: both). Anthropic keys are all project keys." }),
    projects: z
      .array(z.string().min(1))
      .min(1, { error: "list at least one project, or leave projects out" })
      .optional()
      .meta({ description: "Project (Anthropic: workspace) ids or name globs. A rule with projects never applies to admin keys nor to keys without one." }),
    archived: z
      .enum(["include", "exclude", "only"])
      .optional()
      .meta({ description: "Keys of archived projects (Anthropic: workspaces): include (default), exclude, or only those. `only` never applies to admin keys." }),
  })
  .meta({ id: "scope", description: "Which keys the rule looks at. Leave out to check every key." });

export type Scope = z.output<typeof scopeSchema>;
export type ScopePredicate = (key: KeyRecord) => boolean;

const EVERY_KEY: ScopePredicate = () => true;

export function compileScope(scope: Scope | undefined): ScopePredicate {
  if (!scope) return EVERY_KEY;
  const providers = scope.providers ? new Set<string>(scope.providers) : null;
  const accountMatches = scope.accounts ? compileGlobs(scope.accounts) : null;
  const kinds = scope.kinds ? new Set<string>(scope.kinds) : null;
  const projectIds = scope.projects ? new Set(scope.projects) : null;
  const projectNameMatches = compileGlobs(scope.projects);
  const archived = scope.archived ?? "include";

  return (key) => {
    if (providers && !providers.has(keyProvider(key))) return false;
    if (accountMatches && !accountMatches(keyAccount(key))) return false;
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
