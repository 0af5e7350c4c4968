/** The README's "Policies" section: its examples load and do what it says, its field table names real fields. */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FIELD_NAMES } from "../../src/policy/condition/fields.js";
import { evaluate } from "../../src/policy/index.js";
import { NOW, ago, anthropicKey, openaiKey, policy } from "./policy-support.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const README = readFileSync(join(ROOT, "README.md"), "utf8");
const SECTION = README.slice(README.indexOf("## Policies\n"), README.indexOf("\n## The Worker\n"));
const EXAMPLES = [...SECTION.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? "");

describe("README, Policies", () => {
  it("has examples, and each loads as a policy", () => {
    expect(EXAMPLES.length).toBeGreaterThan(0);
    for (const example of EXAMPLES) expect(() => policy(`version: 1\nname: readme\n${example}`)).not.toThrow();
  });

  it("its example rules do what their comments say", () => {
    const example = policy(`version: 1\nname: readme\n${EXAMPLES[0]}`);
    const keys = [
      anthropicKey({ id: "apikey_eu_old", account: "anthropic-eu", created_at: ago(200) }),
      anthropicKey({ id: "apikey_us_old", account: "anthropic-us", created_at: ago(200) }),
      openaiKey({ id: "key_eu_old", provider: "openai", account: "openai-eu", created_at: ago(200) }),
      anthropicKey({ id: "apikey_off", status: "inactive", created_at: ago(400) }),
      anthropicKey({ id: "apikey_sandbox", project: { id: "wrkspc_sb", name: "sandbox-ml", archived: false } }),
    ];
    const findings = evaluate(keys, example, NOW).findings.map((finding) => `${finding.rule_id} ${finding.key.id}`);
    expect(findings.sort()).toEqual(["anthropic-eu-key-age apikey_eu_old", "disabled-for-a-year apikey_off", "sandbox-workspace apikey_sandbox"]);
  });

  it("names only fields a match condition can read", () => {
    const table = SECTION.slice(SECTION.indexOf("| field | what |"));
    const named = [...table.slice(0, table.indexOf("\n\n")).matchAll(/^\| (.+?) \|/gm)].flatMap((row) => [...(row[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    expect(named).toEqual(["provider", "account", "status", "workspace.id", "workspace.name", "workspace.archived"]);
    for (const field of named) expect(FIELD_NAMES).toContain(field);
  });
});
