/**
 * `npm run build`: bundles the CLI (src/cli/keywarden.ts and everything it imports, the npm
 * dependencies included) into dist/ for Node 22. Each command is its own chunk, loaded when it runs,
 * so `keywarden --help` loads almost nothing. dist/ is what the npm package runs (bin/keywarden.js);
 * `npm ci` and `npm pack` build it (the `prepare` script). It also writes the license of every
 * bundled package to dist/THIRD-PARTY-LICENSES.txt, and the bundled source files to
 * dist/sources.json (bin/keywarden.js warns in a clone when one changed after the build).
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { build } from "esbuild";

const OUT_DIR = resolve("dist");

const result = await build({
  entryPoints: { keywarden: "src/cli/keywarden.ts" },
  outdir: OUT_DIR,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22",
  chunkNames: "chunks/[name]-[hash]",
  // CommonJS code in a dependency may call require() for Node's own modules.
  banner: { js: 'import { createRequire as __keywardenCreateRequire } from "node:module"; const require = __keywardenCreateRequire(import.meta.url);' },
  minifySyntax: true,
  minifyWhitespace: true,
  legalComments: "none",
  metafile: true,
  write: false,
  logLevel: "warning",
});

const files = new Map(result.outputFiles.map((file) => [file.path, file.contents]));
const inputs = Object.keys(result.metafile.inputs);
files.set(join(OUT_DIR, "THIRD-PARTY-LICENSES.txt"), new TextEncoder().encode(thirdPartyLicenses(inputs)));
const sources = inputs.filter((input) => !input.split(/[\\/]/).includes("node_modules")).sort();
files.set(join(OUT_DIR, "sources.json"), new TextEncoder().encode(`${JSON.stringify(sources, null, 2)}\n`));

// Written file by file through a rename, and stale files removed after: a CLI started while
// `npm run build` runs (a test packing the package) never reads a half-written file.
for (const [path, contents] of files) {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}
for (const entry of readdirSync(OUT_DIR, { recursive: true, withFileTypes: true })) {
  const path = join(entry.parentPath, entry.name);
  if (entry.isFile() && !files.has(path)) rmSync(path);
}
const bytes = [...files.values()].reduce((n, contents) => n + contents.byteLength, 0);
process.stderr.write(`keywarden build: ${relative(process.cwd(), OUT_DIR)}/ (${files.size} files, ${Math.round(bytes / 1024)} kB)\n`);

/** The name, version, license and license text of each npm package the bundle includes. */
function thirdPartyLicenses(inputs: readonly string[]): string {
  const packageDirs = new Set<string>();
  for (const input of inputs) {
    const parts = input.split(/[\\/]/);
    const at = parts.lastIndexOf("node_modules");
    if (at < 0) continue;
    const nameParts = parts[at + 1]?.startsWith("@") ? 2 : 1;
    packageDirs.add(parts.slice(0, at + 1 + nameParts).join(sep));
  }
  const sections = [...packageDirs].sort().map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name: string; version: string; license?: string };
    const licenseFile = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(name));
    const text = licenseFile ? readFileSync(join(dir, licenseFile), "utf8").trim() : `(no license file; package.json says ${pkg.license ?? "nothing"})`;
    return `${pkg.name} ${pkg.version} — ${pkg.license ?? "license not stated"}\n\n${text}\n`;
  });
  return `Keywarden's dist/ bundles these npm packages.\n\n${sections.join(`\n${"-".repeat(72)}\n\n`)}`;
}
