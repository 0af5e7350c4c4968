/**
 * The house rules of .dependency-cruiser.cjs (../shared/DESIGN.md, "Layout") catch what they say
 * they catch: each wrong-way import of a small made-up tree is named by its rule, and the right-way
 * ones pass. (`npm test` runs the same rules over src/ itself before vitest.)
 */
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const DEPCRUISE = join(ROOT, "node_modules/dependency-cruiser/bin/dependency-cruise.mjs");

/** file → the files it imports (repo-relative, without .ts). */
const TREE: Record<string, string[]> = {
  "src/model/key": ["src/util/hash"],
  "src/util/hash": [],
  "src/config": ["src/model/key"],
  // wrong: the base imports a feature
  "src/model/run": ["src/policy/rule"],
  "src/policy/rule": ["src/model/key"],
  // wrong: a judge imports a provider
  "src/enrichment/plan": ["src/providers/openai/client"],
  "src/providers/openai/client": ["src/model/key", "src/util/hash"],
  // wrong: a provider imports a decision
  "src/providers/openai/actions": ["src/decide/guards"],
  "src/decide/guards": ["src/model/key", "src/config"],
  // wrong: a decision imports a store
  "src/decide/revoke": ["src/store/remediations"],
  "src/store/remediations": ["src/model/key"],
  // wrong: an output imports the run
  "src/slack/render": ["src/audit/run"],
  "src/audit/run": ["src/store/remediations", "src/slack/blocks"],
  "src/slack/blocks": [],
  // wrong: the store imports an output
  "src/store/history": ["src/evidence/files"],
  "src/evidence/files": [],
  // wrong: only the edges compose
  "src/audit/steps": ["src/services"],
  "src/services": ["src/store/remediations"],
  "src/http/app": ["src/services", "src/decide/guards"],
  // wrong: nothing below the edges imports one
  "src/audit/trigger": ["src/worker/log"],
  "src/worker/log": [],
  // wrong: a simulator imports the client it tests
  "src/sim/server": ["src/providers/openai/client"],
  // wrong: a circle
  "src/controls/a": ["src/controls/b"],
  "src/controls/b": ["src/controls/a"],
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

const dir = mkdtempSync(join(tmpdir(), "keywarden-house-rules-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cruise(): Promise<Violation[]> {
  for (const [file, imports] of Object.entries(TREE)) {
    const path = join(dir, `${file}.ts`);
    mkdirSync(dirname(path), { recursive: true });
    const lines = imports.map((target, i) => {
      const relative = relativeSpec(file, target);
      const spec = relative.startsWith(".") ? relative : `./${relative}`;
      return `import { x${i} } from "${spec}.js";`;
    });
    writeFileSync(path, `${lines.join("\n")}\nexport const x = 1;\n${imports.map((_, i) => `export const x${i} = 1;`).join("\n")}\n`);
  }
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { module: "esnext", moduleResolution: "bundler" }, include: ["src"] }));
  return new Promise((done, fail) => {
    execFile(process.execPath, [DEPCRUISE, "src", "--config", join(ROOT, ".dependency-cruiser.cjs"), "--output-type", "json"], { cwd: dir, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!stdout) return fail(error ?? new Error(stderr));
      done((JSON.parse(stdout) as { summary: { violations: Violation[] } }).summary.violations);
    });
  });
}

function relativeSpec(from: string, to: string): string {
  const a = from.split("/").slice(0, -1);
  const b = to.split("/");
  let common = 0;
  while (common < a.length && a[common] === b[common]) common++;
  return [...a.slice(common).map(() => ".."), ...b.slice(common)].join("/");
}

describe("the house rules", () => {
  it("name each wrong-way import by its rule, and let the right-way ones pass", async () => {
    const found = (await cruise()).map((v) => `${v.rule.name}: ${v.from.replace(/\.ts$/, "")} → ${v.to.replace(/\.ts$/, "")}`);
    expect(found.sort()).toEqual(
      [
        "base-imports-no-feature: src/model/run → src/policy/rule",
        "judges-are-pure: src/enrichment/plan → src/providers/openai/client",
        "providers-list-and-act: src/providers/openai/actions → src/decide/guards",
        "decide-takes-ports: src/decide/revoke → src/store/remediations",
        "outputs-render-and-deliver: src/slack/render → src/audit/run",
        "store-implements-ports: src/store/history → src/evidence/files",
        "only-edges-compose: src/audit/steps → src/services",
        "nothing-imports-an-edge: src/audit/trigger → src/worker/log",
        "sim-is-independent: src/sim/server → src/providers/openai/client",
        "no-circular: src/controls/a → src/controls/b",
      ].sort(),
    );
  });
});
