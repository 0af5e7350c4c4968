import { basename } from "node:path";

/**
 * How to type Keywarden again, for the hints a command prints: `keywarden` when it was run through a
 * `keywarden` on the PATH (installed globally, `npm link`, an npm script of a project that depends on
 * it), `npx keywarden` when npx ran it (in a clone: outside one, npx asks the registry, where no such
 * package exists) or when it was run by its file (`node bin/keywarden.js`, `tsx src/cli/keywarden.ts`
 * in a clone, where no `keywarden` is on the PATH).
 *
 * npx and `npm exec` set npm_command=exec; node leaves process.argv[1] as typed (the bin link, not
 * the file it points to).
 */
export function invokedAs(env: Record<string, string | undefined>, script: string | undefined = process.argv[1]): string {
  if (env.npm_command === "exec") return "npx keywarden";
  return script !== undefined && basename(script) === "keywarden" ? "keywarden" : "npx keywarden";
}
