/**
 * The environment `npm run dev` gives wrangler: yours, without any of the Worker's settings. wrangler
 * prefers a secret it finds in process.env to the simulated one of its env file, so the two lines
 * `keywarden sim` asks you to export (the CLI's simulator and its key) sent every run of the
 * simulated Worker to another simulator with a key it refuses: 401, every run failed.
 */

/** Every setting of the Worker: the names of wrangler.toml's `[vars]` and `[secrets] required`. */
export function workerSettingNames(wranglerToml: string): string[] {
  const names = new Set<string>();
  let section = "";
  for (const line of wranglerToml.split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = header[1]?.trim() ?? "";
      continue;
    }
    if (section === "vars") {
      const name = /^\s*([A-Z][A-Z0-9_]*)\s*=/.exec(line)?.[1];
      if (name) names.add(name);
    }
    if (section === "secrets") {
      const list = /^\s*required\s*=\s*\[(.*)\]\s*$/.exec(line)?.[1] ?? "";
      for (const quoted of list.matchAll(/"([A-Z][A-Z0-9_]*)"/g)) if (quoted[1]) names.add(quoted[1]);
    }
  }
  return [...names].sort();
}

/** `env` without the Worker's settings, and the names that were left out (to say so). */
export function wranglerEnv(env: Record<string, string | undefined>, settingNames: readonly string[]): { env: Record<string, string | undefined>; ignored: string[] } {
  const ignored = settingNames.filter((name) => env[name] !== undefined);
  const kept = { ...env };
  for (const name of ignored) delete kept[name];
  return { env: kept, ignored };
}
