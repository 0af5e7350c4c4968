#!/usr/bin/env node
// The `keywarden` command: runs the CLI built into dist/ (`npm run build`; `npm ci` and `npm pack` build it).
import { existsSync, readFileSync, statSync } from "node:fs";

const root = new URL("../", import.meta.url);
const built = new URL("dist/keywarden.js", root);
const builtSources = new URL("dist/sources.json", root);

// In a clone (the package ships no src/), say so when a bundled source changed after the last build.
if (existsSync(new URL("src/", root)) && existsSync(built) && existsSync(builtSources)) {
  const builtAt = statSync(built).mtimeMs;
  const sources = JSON.parse(readFileSync(builtSources, "utf8"));
  const changed = sources.find((file) => (statSync(new URL(file, root), { throwIfNoEntry: false })?.mtimeMs ?? Number.POSITIVE_INFINITY) > builtAt);
  if (changed) process.stderr.write(`keywarden: ${changed} changed after the last build of dist/: run npm run build\n`);
}

try {
  await import(built.href);
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND" || error.url !== built.href) throw error;
  process.stderr.write("keywarden: the CLI is not built (dist/keywarden.js is missing): run npm run build\n");
  process.exitCode = 2;
}
