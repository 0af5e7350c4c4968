import { readFileSync, statSync } from "node:fs";
import { parseArgs } from "node:util";
import { type EvidenceTree, readEvidenceZip } from "../evidence/archive.js";
import { printableName } from "../evidence/entry-names.js";
import { readEvidenceDirectory } from "../evidence/read-directory.js";
import { type EvidencePublicKey, importPublicKey } from "../evidence/signing.js";
import { type VerifyReport, verifyEvidenceTree } from "../evidence/verify.js";

export const EXIT_VERIFIED = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export const VERIFY_USAGE = `usage: keywarden verify <dir or zip> [--public-key FILE] [--anchor SHA256]... [--json]

  Checks Keywarden evidence offline: every file's SHA-256 and size against its
  manifest, the chain of manifests (naming a missing or altered run), a period
  export's report, index and runs against its period-manifest.json and, with
  --public-key (PEM, base64 or JWK, from GET /evidence/public-key), every signature.
  Any other file or ZIP entry (not evidence, a name twice or spelled two ways, an
  absolute or .. path, a link) fails: what you extract is what was verified.
  --anchor: a manifest SHA-256 kept outside the evidence store; it must match a run.
  Exit 0: verified; 1: verification failed; 2: usage or read error (including a
  ZIP over the decompression limits).
`;

export async function verifyCommand(argv: string[]): Promise<number> {
  let args;
  try {
    args = parseArgs({
      args: argv,
      options: {
        "public-key": { type: "string" },
        anchor: { type: "string", multiple: true },
        json: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    return usageError((error as Error).message);
  }
  if (args.values.help) {
    process.stdout.write(VERIFY_USAGE);
    return EXIT_VERIFIED;
  }
  const [target, ...extra] = args.positionals;
  if (target === undefined) return usageError("give the evidence directory or ZIP to verify");
  if (extra.length > 0) return usageError(`one directory or ZIP at a time (also got ${extra.join(" ")})`);
  const anchors = args.values.anchor ?? [];
  const badAnchor = anchors.find((a) => !/^[0-9a-fA-F]{64}$/.test(a.trim()));
  if (badAnchor !== undefined) return usageError(`--anchor must be a hex SHA-256 (got "${badAnchor}")`);

  let publicKey: EvidencePublicKey | undefined;
  const keyFile = args.values["public-key"];
  if (keyFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(keyFile, "utf8");
    } catch (error) {
      return usageError(`cannot read public key ${keyFile}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const imported = await importPublicKey(text);
    if (!imported.ok) return usageError(`${keyFile}: ${imported.message}`);
    publicKey = imported.key;
  }

  const tree = loadEvidence(target);
  if (typeof tree === "string") return readError(tree);

  const report = await verifyEvidenceTree(tree, { publicKey, anchors, zip: !statSync(target).isDirectory() });
  process.stdout.write(args.values.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report, publicKey !== undefined));
  return report.ok ? EXIT_VERIFIED : EXIT_FAILED;
}

/** The evidence at a path (a ZIP, or a directory of runs, or one run's directory), or a message saying why it cannot be read. */
export function loadEvidence(path: string): EvidenceTree | string {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  try {
    if (stat.isDirectory()) {
      const read = readEvidenceDirectory(path);
      return read.ok ? read.tree : `${path}: ${read.message}`;
    }
    const bytes = readFileSync(path);
    if (bytes[0] !== 0x50 || bytes[1] !== 0x4b) return `${path} is neither a directory nor a ZIP archive`;
    const read = readEvidenceZip(bytes);
    return read.ok ? read.tree : `${path}: ${read.message}`;
  } catch (error) {
    return `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
}

export function renderReport(report: VerifyReport, signaturesChecked: boolean): string {
  const runs = `${report.runs} run${report.runs === 1 ? "" : "s"}`;
  const lines: string[] = [];
  if (report.ok) {
    const signatures = signaturesChecked ? "signatures valid" : "signatures not checked (no --public-key)";
    lines.push(`VERIFIED: ${runs}, every file matches its manifest, chain intact, ${signatures}`);
  } else {
    lines.push(`FAILED: ${report.problems.length} problem${report.problems.length === 1 ? "" : "s"} in ${runs}`);
    for (const p of report.problems) {
      const where = [p.run && `run ${p.run}`, p.file].filter(Boolean).join(", ");
      lines.push(`  ${where ? `${where}: ` : ""}${p.message}`);
    }
  }
  for (const note of report.notes) lines.push(`  note: ${note}`);
  // Run ids and file names come from the evidence: escaped, a crafted one cannot move the cursor or clear lines.
  return `${lines.map(printableName).join("\n")}\n`;
}

/** The evidence could not be read: nothing was verified. */
function readError(message: string): number {
  process.stderr.write(`keywarden verify: ${printableName(message)}\n`);
  return EXIT_USAGE;
}

function usageError(message: string): number {
  process.stderr.write(`keywarden verify: ${message}\n${VERIFY_USAGE}`);
  return EXIT_USAGE;
}
