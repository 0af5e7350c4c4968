import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_DIR, EXAMPLE_PUBLIC_KEY, EXAMPLE_SIGNING_KEY, EXAMPLE_ZIP, type ExampleFiles, buildExample } from "../../scripts/evidence-example.js";
import { verifyCommand } from "../../src/cli/verify-command.js";
import { derivePublicKey, importPublicKey, parseManifest } from "../../src/evidence/index.js";
import { KEYWARDEN_VERSION } from "../../src/version.js";
import { runVerify } from "../support/evidence-fixture.js";

const REGENERATE = "run `npm run evidence:example`";

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [relative(EXAMPLE_DIR, path)];
  });
}

/** `keywarden verify` in this process: exit code and what it printed. */
async function verify(args: string[]): Promise<{ code: number; stdout: string }> {
  const writes: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => {
    writes.push(String(chunk));
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await verifyCommand(args);
    return { code, stdout: writes.join("") };
  } finally {
    process.stdout.write = original;
  }
}

let built: ExampleFiles;
beforeAll(async () => {
  built = await buildExample();
});

describe("the documented evidence of the sample organization's run", () => {
  it("is exactly what Keywarden produces, byte for byte (docs/examples/sample-org-evidence)", () => {
    expect(filesUnder(EXAMPLE_DIR).sort(), REGENERATE).toEqual([...built.evidence.keys()].sort());
    for (const [path, content] of built.evidence) {
      const committed = readFileSync(join(EXAMPLE_DIR, path));
      expect(Buffer.compare(committed, Buffer.from(content)) === 0, `${path} differs: ${REGENERATE}`).toBe(true);
    }
  });

  it("its period export is exactly what GET /evidence gives for November 2026, byte for byte", () => {
    expect(Buffer.compare(readFileSync(EXAMPLE_ZIP), Buffer.from(built.zip)) === 0, `${relative(".", EXAMPLE_ZIP)} differs: ${REGENERATE}`).toBe(true);
  });

  it("its public key is published next to it: the public half of the example's signing key, named by its manifest", async () => {
    const committed = readFileSync(EXAMPLE_PUBLIC_KEY, "utf8");
    const derived = await derivePublicKey(EXAMPLE_SIGNING_KEY);
    expect(committed, `${relative(".", EXAMPLE_PUBLIC_KEY)} is stale: ${REGENERATE}`).toBe(derived.pem);
    expect(built.publicKeyPem).toBe(derived.pem);
    const imported = await importPublicKey(committed);
    if (!imported.ok) throw new Error(imported.message);
    const manifests = [...built.evidence].filter(([path]) => path.endsWith("/manifest.json"));
    expect(manifests).toHaveLength(1);
    const manifest = parseManifest(manifests[0]?.[1] ?? new Uint8Array());
    if (!manifest.ok) throw new Error(manifest.message);
    expect(manifest.manifest.signature?.public_key_sha256).toBe(imported.key.sha256);
  });

  it("verifies offline with keywarden verify, folder and ZIP, signatures included", async () => {
    expect(await verify([EXAMPLE_DIR])).toEqual({ code: 0, stdout: expect.stringMatching(/^VERIFIED: 1 run,/) });
    for (const target of [EXAMPLE_DIR, EXAMPLE_ZIP]) {
      const { code, stdout } = await verify([target, "--public-key", EXAMPLE_PUBLIC_KEY]);
      expect(stdout).toMatch(/^VERIFIED: 1 run, every file matches its manifest, chain intact, signatures valid\n/);
      expect(code).toBe(0);
    }
  });

  it("keywarden verify docs/examples, the folder the README names, verifies it (exit 0): nothing in it but evidence", async () => {
    expect(readFileSync("README.md", "utf8")).toContain("or `docs/examples/`)");
    for (const typed of ["docs/examples", "docs/examples/"]) {
      expect(await runVerify(typed)).toEqual({ code: 0, out: expect.stringMatching(/^VERIFIED: 1 run, every file matches its manifest, chain intact, /), err: "" });
      expect(await runVerify(typed, "--public-key", relative(".", EXAMPLE_PUBLIC_KEY))).toMatchObject({ code: 0, out: expect.stringMatching(/signatures valid\n/) });
    }
  });

  it("names the version that package.json declares", () => {
    expect(KEYWARDEN_VERSION).toBe((JSON.parse(readFileSync("package.json", "utf8")) as { version: string }).version);
  });
});
