/**
 * ACCOUNTS, OPENAI_ADMIN_KEY and ANTHROPIC_ADMIN_KEY (issue 19): the accounts a deployment audits,
 * checked with every other setting, each problem named by where it is (ACCOUNTS[1].name, the
 * secret's name) and never by a value.
 */
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig, secretValues } from "../../src/config.js";

const OPENAI_KEY = "sk-admin-accounts-test-secret-0000000000";
const EU_KEY = "sk-admin-accounts-test-secret-eu-000000000";

function problemsOf(env: Record<string, unknown>): string[] {
  try {
    readConfig(env, "local");
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("accounts", () => {
  it("OPENAI_ADMIN_KEY alone is one account named openai, as before", () => {
    const config = readConfig({ OPENAI_ADMIN_KEY: OPENAI_KEY, OPENAI_BASE_URL: "http://127.0.0.1:9/v1" });
    expect(config.accounts).toEqual([{ name: "openai", provider: "openai", adminKeySecret: "OPENAI_ADMIN_KEY", adminKey: OPENAI_KEY, baseUrl: "http://127.0.0.1:9/v1" }]);
    expect(config.openaiAdminKey).toBe(OPENAI_KEY);
  });

  it("ACCOUNTS reads each admin key from the secret it names, with the provider's default API root", () => {
    const config = readConfig({ ACCOUNTS: JSON.stringify([{ name: "openai-eu", provider: "openai", admin_key_secret: "OPENAI_EU_ADMIN_KEY" }]), OPENAI_EU_ADMIN_KEY: EU_KEY });
    expect(config.accounts).toEqual([{ name: "openai-eu", provider: "openai", adminKeySecret: "OPENAI_EU_ADMIN_KEY", adminKey: EU_KEY, baseUrl: "https://api.openai.com/v1" }]);
  });

  it("names a missing account secret, and says to declare it in [secrets] required for wrangler dev", () => {
    const problems = problemsOf({ ACCOUNTS: JSON.stringify([{ name: "openai-eu", provider: "openai", admin_key_secret: "OPENAI_EU_ADMIN_KEY" }]) });
    expect(problems).toEqual([
      "OPENAI_EU_ADMIN_KEY is not set: ACCOUNTS[0] (openai-eu) reads its admin key from it — fix: put OPENAI_EU_ADMIN_KEY=… in .dev.vars and list OPENAI_EU_ADMIN_KEY in wrangler.toml [secrets] required (wrangler dev loads no other name from .dev.vars), then restart wrangler dev",
    ]);
  });

  it("names each broken entry by its place: JSON, unknown fields, bad names, providers, URLs, repeated names", () => {
    expect(problemsOf({ ACCOUNTS: "[{name: openai}]" })[0]).toMatch(/^ACCOUNTS is not JSON: give an array such as/);
    const problems = problemsOf({
      ACCOUNTS: JSON.stringify([
        { name: "Openai EU", provider: "openai", admin_key_secret: "K1" },
        { name: "b", provider: "gemini", admin_key_secret: "K2" },
        { name: "c", provider: "openai", admin_key_secret: "k3", adminKey: "x" },
        { name: "d", provider: "anthropic", admin_key_secret: "K4", base_url: "ftp://x" },
      ]),
    }).map((line) => line.slice(0, line.indexOf(" — fix")));
    expect(problems).toEqual([
      "ACCOUNTS[0].name must be lowercase letters, digits and dashes, such as openai-eu",
      "ACCOUNTS[1].provider must be one of openai, anthropic",
      "ACCOUNTS[2].admin_key_secret must be the name of a secret, such as OPENAI_EU_ADMIN_KEY",
      "ACCOUNTS[2] has an unknown field (adminKey): the fields are name, provider, admin_key_secret, base_url",
      "ACCOUNTS[3].base_url must be an http(s) URL",
    ]);
    const repeated = problemsOf({ ACCOUNTS: JSON.stringify([{ name: "a", provider: "openai", admin_key_secret: "K1" }, { name: "a", provider: "openai", admin_key_secret: "K2" }]), K1: OPENAI_KEY, K2: EU_KEY });
    expect(repeated[0]).toMatch(/^ACCOUNTS\[1\]\.name repeats the name of ACCOUNTS\[0\]: every account needs its own name/);
  });

  it("checks an account's key like OPENAI_ADMIN_KEY's, and never shows it", () => {
    const problems = problemsOf({ ACCOUNTS: JSON.stringify([{ name: "eu", provider: "openai", admin_key_secret: "EU_KEY" }]), EU_KEY: `${EU_KEY} ` });
    expect(problems[0]).toMatch(/^EU_KEY holds a space or a character that is not printable ASCII/);
    expect(problems.join("\n")).not.toContain(EU_KEY);
  });

  it("redacts every secret ACCOUNTS names, even when ACCOUNTS itself is broken", () => {
    const env = { ACCOUNTS: JSON.stringify([{ name: "eu", provider: "openai", admin_key_secret: "EU_KEY" }, { name: "Bad Name", admin_key_secret: "OTHER" }]), EU_KEY, OTHER: "sk-admin-other-000000000000" };
    expect(secretValues(env)).toEqual(expect.arrayContaining([EU_KEY, "sk-admin-other-000000000000"]));
  });

  it("takes several accounts and Anthropic: OPENAI_ADMIN_KEY and ANTHROPIC_ADMIN_KEY are two accounts, ACCOUNTS lists any number", () => {
    const both = readConfig({ OPENAI_ADMIN_KEY: OPENAI_KEY, ANTHROPIC_ADMIN_KEY: "sk-ant-admin01-accounts-test" });
    expect(both.accounts.map((a) => [a.name, a.provider, a.baseUrl])).toEqual([
      ["openai", "openai", "https://api.openai.com/v1"],
      ["anthropic", "anthropic", "https://api.anthropic.com"],
    ]);
    expect(readConfig({ OPENAI_ADMIN_KEY: OPENAI_KEY, ANTHROPIC_ADMIN_KEY: "off" }).accounts).toHaveLength(1);
    const anthropicAlone = readConfig({ ANTHROPIC_ADMIN_KEY: "sk-ant-admin01-accounts-test", ANTHROPIC_BASE_URL: "http://127.0.0.1:9" });
    expect(anthropicAlone.accounts).toEqual([{ name: "anthropic", provider: "anthropic", adminKeySecret: "ANTHROPIC_ADMIN_KEY", adminKey: "sk-ant-admin01-accounts-test", baseUrl: "http://127.0.0.1:9" }]);
    // The revoke flow's one OpenAI key: none here.
    expect(anthropicAlone.openaiAdminKey).toBe("");
    const listed = readConfig({
      ACCOUNTS: JSON.stringify([
        { name: "openai-us", provider: "openai", admin_key_secret: "OPENAI_US_ADMIN_KEY" },
        { name: "openai-eu", provider: "openai", admin_key_secret: "OPENAI_EU_ADMIN_KEY", base_url: "http://127.0.0.1:9/v1" },
        { name: "claude", provider: "anthropic", admin_key_secret: "CLAUDE_ADMIN_KEY" },
      ]),
      OPENAI_US_ADMIN_KEY: OPENAI_KEY,
      OPENAI_EU_ADMIN_KEY: EU_KEY,
      CLAUDE_ADMIN_KEY: "sk-ant-admin01-accounts-test",
    });
    expect(listed.accounts.map((a) => `${a.name} ${a.provider} ${a.adminKeySecret} ${a.baseUrl}`)).toEqual([
      "openai-us openai OPENAI_US_ADMIN_KEY https://api.openai.com/v1",
      "openai-eu openai OPENAI_EU_ADMIN_KEY http://127.0.0.1:9/v1",
      "claude anthropic CLAUDE_ADMIN_KEY https://api.anthropic.com",
    ]);
    expect(listed.openaiAdminKey).toBe(OPENAI_KEY);
    expect(listed.secrets).toEqual(expect.arrayContaining([OPENAI_KEY, EU_KEY, "sk-ant-admin01-accounts-test"]));
  });
});
