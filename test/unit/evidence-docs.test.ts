/**
 * Every shell command of docs/evidence.md, run as written on the example (docs/examples/), from
 * the folder the first line of its block names: an auditor who copies a block gets what the
 * document says.
 *
 * Two commands cannot run offline and are stood in for by a shell function `npx`, so the block
 * around them still runs verbatim: `npx wrangler secret put NAME` keeps what it reads (the secret
 * the Worker would get) in a file, and `npx keywarden …` runs the CLI from these sources — what
 * `npx keywarden` runs in a clone is the same code built into dist/ (bin/keywarden.js), which may
 * be stale or being rebuilt while tests run (cli-package.test.ts packs the package). HOME and
 * TMPDIR are folders of this test, so `~/keywarden-keys` and `mktemp` write nowhere else.
 *
 * What the commands show is also checked with Node's crypto, so that a machine without one of
 * the tools (OpenSSL ≥ 3, jq, sha256sum, base64, unzip) still checks the example the document
 * describes.
 */
import { execFile, spawnSync } from "node:child_process";
import { createHash, generateKeyPairSync, createPublicKey, verify as verifySignature } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { unzipSync } from "fflate";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXAMPLE_DIR, EXAMPLE_PUBLIC_KEY, EXAMPLE_SIGNING_KEY, EXAMPLE_ZIP } from "../../scripts/evidence-example.js";
import { derivePublicKey, importPublicKey, importSigningKey } from "../../src/evidence/index.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const DOC_PATH = join(ROOT, "docs/evidence.md");
const DOC = readFileSync(DOC_PATH, "utf8");
const RUN_DIR = join(EXAMPLE_DIR, "runs/2026/11/run_20261123T060000Z_sample");

/** Where the block that extracts the ZIP export leaves the shell: blocks from there run after it, in one shell. */
const EXTRACTED = "(the folder the export was extracted into)";
/** The folders a block may name on its first line, `# from <folder>`. */
const FOLDERS: Record<string, string> = {
  "the repository root": ROOT,
  "docs/examples/sample-org-evidence/": EXAMPLE_DIR,
  "the folder the export was extracted into": EXTRACTED,
};

interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  code: string;
  /** Absolute; null when the first line names no known folder. */
  cwd: string | null;
}

/** The ```sh blocks of the document, in order. */
function shellBlocks(doc: string): Block[] {
  return [...doc.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => {
    const code = match[1] ?? "";
    const folder = /^# from (the repository root|the folder the export was extracted into|\S+\/)(?: \(.*\))?$/.exec(code.split("\n")[0] ?? "")?.[1];
    return { line: doc.slice(0, match.index).split("\n").length, code, cwd: folder === undefined ? null : (FOLDERS[folder] ?? null) };
  });
}

const BLOCKS = shellBlocks(DOC);
const covered = new Set<Block>();

/** The one block containing `text` (counted as run). */
function block(text: string): Block {
  const found = BLOCKS.filter((b) => b.code.includes(text));
  if (found.length !== 1) throw new Error(`docs/evidence.md: ${found.length} shell blocks contain ${JSON.stringify(text)}, expected 1`);
  const [only] = found as [Block];
  covered.add(only);
  return only;
}

/** The fenced text following `<!-- output: NAME -->`. */
function documentedOutput(name: string): string {
  const at = DOC.indexOf(`<!-- output: ${name} -->`);
  if (at < 0) throw new Error(`docs/evidence.md has no <!-- output: ${name} -->`);
  return /```\n([\s\S]*?)```/.exec(DOC.slice(at))?.[1] ?? "";
}

function has(command: string): boolean {
  return spawnSync("bash", ["-c", `command -v ${command}`], { stdio: "ignore" }).status === 0;
}
const opensslVersion = has("openssl") ? String(spawnSync("openssl", ["version"]).stdout) : "";
/** The tools of the document this machine lacks ("openssl": OpenSSL ≥ 1.1.1; LibreSSL is not OpenSSL). */
const MISSING = [
  ...(/^OpenSSL (1\.1\.1|[3-9]\.|\d{2,}\.)/.test(opensslVersion) ? [] : ["openssl"]),
  ...(/^OpenSSL ([3-9]|\d{2,})\./.test(opensslVersion) ? [] : ["OpenSSL ≥ 3"]),
  ...["jq", "sha256sum", "base64", "unzip", "tr", "mktemp"].filter((tool) => !has(tool)),
];
/** "" when every tool is here; else what the test title says instead of running the block. */
function withTools(tools: string[]): string {
  const missing = MISSING.filter((m) => tools.includes(m));
  return missing.length === 0 ? "" : ` (no ${missing.join(", ")} here: checked with Node's crypto only)`;
}

// `npx` stand-in: see the top of this file.
const PRELUDE = `set -eo pipefail
npx() {
  case "$1" in
    keywarden) shift; "$KW_NODE" --import "$KW_TSX" "$KW_ROOT/src/cli/keywarden.ts" "$@" ;;
    wrangler)
      if [ "$2 $3" = "secret put" ] && [ $# -eq 4 ]; then cat > "$KW_SECRETS/$4"; else echo "npx $*: not run by the docs test" >&2; return 99; fi ;;
    *) echo "npx $*: not run by the docs test" >&2; return 99 ;;
  esac
}
`;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

let scratch: string;
let home: string;
let secrets: string;

/** Runs `script` with bash in `cwd`, after the prelude. */
function sh(script: string, cwd: string): Promise<Outcome> {
  const env = {
    ...process.env,
    // The Node that runs the tests (22) first, like npm scripts do.
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ""}`,
    HOME: home,
    TMPDIR: join(scratch, "tmp"),
    KW_NODE: process.execPath,
    KW_TSX: pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href,
    KW_ROOT: ROOT,
    KW_SECRETS: secrets,
  };
  return new Promise((resolve) => {
    execFile("bash", ["-c", PRELUDE + script], { cwd, env, timeout: 15_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs a block from the folder it names. */
function run(b: Block): Promise<Outcome> {
  if (!b.cwd) throw new Error(`docs/evidence.md:${b.line}: the block does not say where it runs from`);
  return sh(b.code, b.cwd);
}

function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function filesUnder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile()) files[relative(dir, path)] = sha256(readFileSync(path));
  }
  return files;
}

interface PeriodManifest {
  files: { name: string; sha256: string; size: number }[];
  runs: { prefix: string; manifest_sha256: string }[];
  signature: { public_key_sha256: string } | null;
}

interface Manifest {
  files: { name: string; sha256: string; size: number }[];
  run: { policy: { sha256: string } };
  previous_manifest_sha256: string | null;
  signature: { public_key_sha256: string } | null;
}
const manifestBytes = readFileSync(join(RUN_DIR, "manifest.json"));
const manifest = JSON.parse(manifestBytes.toString("utf8")) as Manifest;
const examplePublicKey = readFileSync(EXAMPLE_PUBLIC_KEY, "utf8");
const exampleKeySha256 = sha256(createPublicKey(examplePublicKey).export({ type: "spki", format: "der" }));

let exampleBefore: Record<string, string>;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), "keywarden-docs-"));
  home = join(scratch, "home");
  secrets = join(scratch, "secrets");
  for (const dir of [home, secrets, join(scratch, "tmp")]) mkdirSync(dir);
  exampleBefore = filesUnder(join(ROOT, "docs/examples"));
});
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("docs/evidence.md: every shell command, run as written on the example", { timeout: 20_000 }, () => {
  it("every shell block says, on its first line, the folder it runs from", () => {
    expect(BLOCKS.length).toBeGreaterThan(0);
    expect(BLOCKS.filter((b) => b.cwd === null).map((b) => `docs/evidence.md:${b.line}: ${b.code.split("\n")[0]}`)).toEqual([]);
    // Shell commands go in ```sh blocks, so that this test finds them.
    expect(DOC.match(/^```(bash|shell|console|zsh|sh-session)$/gm) ?? []).toEqual([]);
  });

  it("npx keywarden verify, on the example's ZIP export, folder and run: exit 0, and the documented output", async () => {
    // The export also names what it holds for people and does not verify (report.html…); a folder of runs has none.
    const outputs = [documentedOutput("verify the example"), documentedOutput("verify the example folder")];
    for (const expected of outputs) expect(expected).toMatch(/^VERIFIED: 1 run,.*signatures valid\n/);
    const blocks = [block("npx keywarden verify docs/keywarden-evidence-"), block("npx keywarden verify docs/examples --")];
    const outcomes = await Promise.all(blocks.map(run));
    for (const [i, b] of blocks.entries()) {
      const commands = b.code.split("\n").filter((line) => line.startsWith("npx keywarden verify ")).length;
      expect(outcomes[i], `docs/evidence.md:${b.line}`).toEqual({ code: 0, stdout: (outputs[i] as string).repeat(commands), stderr: "" });
    }
  });

  it(`the example's public key hashes to the manifest's public_key_sha256 (openssl, sha256sum, jq)${withTools(["openssl", "sha256sum", "jq"])}`, async () => {
    const b = block("openssl pkey -pubin -in docs/sample-org-public-key.pem");
    expect(manifest.signature?.public_key_sha256).toBe(exampleKeySha256);
    expect(exampleKeySha256).toBe((await derivePublicKey(EXAMPLE_SIGNING_KEY)).sha256);
    // The document states the hash both commands print.
    expect(DOC.slice(0, DOC.indexOf(b.code))).toContain(`\`${exampleKeySha256}\``);
    if (withTools(["openssl", "sha256sum", "jq"]) !== "") return;
    expect(await run(b)).toEqual({ code: 0, stdout: `${exampleKeySha256}  -\n${exampleKeySha256}\n`, stderr: "" });
  });

  it(`without Keywarden, on the extracted ZIP export and on the example folder: every file, the policy, the key, the signature, the chain${withTools(["openssl", "OpenSSL ≥ 3", "jq", "sha256sum", "base64", "unzip", "mktemp"])}`, async () => {
    const pub = block("pub=$PWD/");
    const extract = block("unzip ");
    const period = block("period-manifest.json | sha256sum -c -");
    const toExample = block("\ncd docs/examples/sample-org-evidence\n");
    const perRun = block("-in manifest.json -sigfile");
    const chain = block(".previous_manifest_sha256");
    for (const b of [pub, extract, toExample]) expect(b.cwd, `docs/evidence.md:${b.line}`).toBe(ROOT);
    for (const b of [perRun, chain]) expect(b.cwd, `docs/evidence.md:${b.line}`).toBe(EXAMPLE_DIR);
    expect(period.cwd, `docs/evidence.md:${period.line}`).toBe(EXTRACTED);

    // What the commands check, with Node.
    for (const file of manifest.files) {
      const bytes = readFileSync(join(RUN_DIR, file.name));
      expect({ name: file.name, sha256: sha256(bytes), size: bytes.length }).toEqual(file);
    }
    expect(sha256(readFileSync(join(RUN_DIR, "policy.yaml")))).toBe(manifest.run.policy.sha256);
    expect(manifest.signature?.public_key_sha256).toBe(exampleKeySha256);
    const signature = Buffer.from(readFileSync(join(RUN_DIR, "manifest.sig"), "utf8").trim(), "base64");
    expect(verifySignature(null, manifestBytes, createPublicKey(examplePublicKey), signature)).toBe(true);
    expect(manifest.previous_manifest_sha256).toBeNull();
    const entries = unzipSync(readFileSync(EXAMPLE_ZIP));
    const inRuns = Object.fromEntries(Object.entries(entries).filter(([name]) => name.startsWith("runs/")).map(([name, bytes]) => [name, sha256(bytes)]));
    // Besides the runs: the index, what is derived from the runs for people (the report, the per-control summary), and the period manifest fixing them.
    const besideRuns = ["controls-summary.csv", "controls-summary.json", "index.csv", "index.json", "report.html"];
    const periodFiles = ["period-manifest.json", "period-manifest.sig"];
    expect({ names: Object.keys(entries).sort(), runs: inRuns }).toEqual({ names: [...besideRuns, ...periodFiles, ...Object.keys(inRuns)].sort(), runs: filesUnder(EXAMPLE_DIR) });
    const periodBytes = entries["period-manifest.json"] as Uint8Array;
    const periodManifest = JSON.parse(Buffer.from(periodBytes).toString("utf8")) as PeriodManifest;
    expect(periodManifest.files).toEqual(besideRuns.map((name) => ({ name, sha256: sha256(entries[name] as Uint8Array), size: (entries[name] as Uint8Array).length })));
    expect(periodManifest.runs.map((r) => [`${r.prefix}manifest.json`, r.manifest_sha256])).toEqual([[relative(EXAMPLE_DIR, join(RUN_DIR, "manifest.json")), sha256(manifestBytes)]]);
    expect(periodManifest.signature?.public_key_sha256).toBe(exampleKeySha256);
    const periodSignature = Buffer.from(Buffer.from(entries["period-manifest.sig"] as Uint8Array).toString("utf8").trim(), "base64");
    expect(verifySignature(null, periodBytes, createPublicKey(examplePublicKey), periodSignature)).toBe(true);

    if (withTools(["openssl", "OpenSSL ≥ 3", "jq", "sha256sum", "base64", "unzip", "mktemp"]) !== "") return;
    // The blocks in order in one shell, as the document says: from the ZIP, then from the example folder.
    const periodChecks = [
      ...periodManifest.files.map((f) => `${f.name}: OK\n`),
      ...periodManifest.runs.map((r) => `${r.prefix}manifest.json: OK\n`),
      `${exampleKeySha256}\n${exampleKeySha256}  -\n`,
      "Signature Verified Successfully\n",
    ].join("");
    const checks = [
      ...manifest.files.map((f) => `${f.name}: OK\n`),
      `${manifest.run.policy.sha256}\n${manifest.run.policy.sha256}  policy.yaml\n`,
      `${exampleKeySha256}\n${exampleKeySha256}  -\n`,
      "Signature Verified Successfully\n",
      `chain intact up to manifest ${sha256(manifestBytes)}\n`,
    ].join("");
    const [fromZip, fromExample] = await Promise.all([
      sh([pub, extract, period, perRun, chain].map((b) => b.code).join(""), ROOT),
      sh([pub, toExample, perRun, chain].map((b) => b.code).join(""), ROOT),
    ]);
    const lines = (blocks: Block[]) => `docs/evidence.md, the blocks at lines ${blocks.map((b) => b.line).join(", ")}`;
    expect(fromZip, lines([pub, extract, period, perRun, chain])).toEqual({
      code: 0,
      stdout: `controls-summary.csv\ncontrols-summary.json\nindex.csv\nindex.json\nperiod-manifest.json\nperiod-manifest.sig\nreport.html\nruns\n${periodChecks}${checks}`,
      stderr: "",
    });
    expect(fromExample, lines([pub, toExample, perRun, chain])).toEqual({ code: 0, stdout: checks, stderr: "" });
    // Nothing was written into the evidence (verify would fail on it), nor anywhere else in docs/examples.
    expect(filesUnder(join(ROOT, "docs/examples"))).toEqual(exampleBefore);
  });

  it(`generating a signing key with OpenSSL gives a secret the Worker accepts, and auditors its public key${withTools(["openssl", "base64", "tr"])}`, async () => {
    const b = block("openssl genpkey -algorithm ed25519");
    expect(b.code).toContain("| npx wrangler secret put EVIDENCE_SIGNING_KEY\n");
    if (withTools(["openssl", "base64", "tr"]) !== "") {
      // What the block makes, made with Node: PKCS#8 DER in base64, on one line, and its SPKI public key.
      const { privateKey, publicKey } = generateKeyPairSync("ed25519");
      const secret = privateKey.export({ type: "pkcs8", format: "der" }).toString("base64");
      const imported = await importSigningKey(secret);
      const auditors = await importPublicKey(String(publicKey.export({ type: "spki", format: "pem" })));
      if (!imported.ok || !auditors.ok) throw new Error("the generated key was refused");
      expect(imported.key.publicKey.sha256).toBe(auditors.key.sha256);
      return;
    }
    expect(await run(b)).toEqual({ code: 0, stdout: "", stderr: "" });
    const secret = readFileSync(join(secrets, "EVIDENCE_SIGNING_KEY"), "utf8");
    expect(secret).toMatch(/^[A-Za-z0-9+/]+=*$/);
    const keys = join(home, "keywarden-keys");
    expect(statSync(keys).mode & 0o777).toBe(0o700);
    const imported = await importSigningKey(secret);
    const fromPem = await importSigningKey(readFileSync(join(keys, "evidence-signing.pem"), "utf8"));
    const auditors = await importPublicKey(readFileSync(join(keys, "evidence-public.pem"), "utf8"));
    if (!imported.ok || !fromPem.ok || !auditors.ok) throw new Error("a key OpenSSL generated was refused");
    expect(imported.key.publicKey.sha256).toBe(auditors.key.sha256);
    expect(fromPem.key.publicKey.sha256).toBe(auditors.key.sha256);
  });

  it("the Node one-liner prints a signing key the Worker accepts", async () => {
    const b = block('node -e \'const { privateKey } = require("node:crypto")');
    const { code, stdout, stderr } = await run(b);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toMatch(/^[A-Za-z0-9+/]+=*\n$/);
    expect((await importSigningKey(stdout)).ok).toBe(true);
  });

  it("runs every shell block of the document", () => {
    expect(BLOCKS.filter((b) => !covered.has(b)).map((b) => `docs/evidence.md:${b.line}: ${b.code.split("\n")[1] ?? ""}`)).toEqual([]);
  });
});
