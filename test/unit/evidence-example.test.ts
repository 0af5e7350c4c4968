import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { EXAMPLE_DIR, buildExampleEvidence } from "../../scripts/evidence-example.js";
import { verifyCommand } from "../../src/cli/verify-command.js";
import { KEYWARDEN_VERSION } from "../../src/version.js";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(EXAMPLE_DIR, path)];
  });
}

describe("the documented evidence of the sample organization's run", () => {
  it("is exactly what Keywarden produces, byte for byte (docs/examples/sample-org-evidence)", async () => {
    const built = await buildExampleEvidence();
    expect(filesUnder(EXAMPLE_DIR).sort(), "run `npm run evidence:example`").toEqual([...built.keys()].sort());
    for (const [path, content] of built) {
      const committed = readFileSync(join(EXAMPLE_DIR, path));
      expect(Buffer.compare(committed, Buffer.from(content)) === 0, `${path} differs: run \`npm run evidence:example\``).toBe(true);
    }
  });

  it("verifies offline with keywarden verify", async () => {
    const writes: string[] = [];
    const original = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      expect(await verifyCommand([EXAMPLE_DIR])).toBe(0);
    } finally {
      process.stdout.write = original;
    }
    expect(writes.join("")).toMatch(/VERIFIED: 1 run/);
  });

  it("names the version that package.json declares", () => {
    expect(KEYWARDEN_VERSION).toBe((JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version);
  });
});
