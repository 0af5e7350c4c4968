import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "../../src/config.js";

const base = { OPENAI_ADMIN_KEY: "sk-admin-config-test-secret-000000000000" };

function problems(env: Record<string, unknown>): string {
  try {
    readConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return "";
}

describe("readConfig on .dev.vars.example copied as it is", () => {
  it("refuses its placeholders for the admin key and the API token, naming each and how to fill it in", () => {
    const example = Object.fromEntries(
      readFileSync(new URL("../../.dev.vars.example", import.meta.url), "utf8")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    const said = problems(example);
    expect(said).toContain("OPENAI_ADMIN_KEY is the placeholder of .dev.vars.example: put an Admin API key there");
    expect(said).toContain("AUDIT_API_TOKEN is the placeholder of .dev.vars.example: put a long random value there (openssl rand -hex 32)");
    expect(problems({ ...example, OPENAI_ADMIN_KEY: base.OPENAI_ADMIN_KEY, AUDIT_API_TOKEN: "3f1c9a0e7b5d4c2a8e6f0b1d3c5a7e9f" })).toBe("");
  });
});

describe("readConfig", () => {
  it("applies the documented defaults", () => {
    const config = readConfig(base);
    expect(config).toMatchObject({
      openaiBaseUrl: "https://api.openai.com/v1",
      policy: "default",
      subrequestsPerStep: 45,
      slack: undefined,
      auditApiToken: undefined,
    });
    expect(config.secrets).toEqual([base.OPENAI_ADMIN_KEY]);
  });

  it("names a missing or invalid setting, never its value", () => {
    expect(problems({})).toMatch(/OPENAI_ADMIN_KEY is not set/);
    const bad = problems({ ...base, OPENAI_BASE_URL: "ftp://secret-host.example", AUDIT_SUBREQUESTS_PER_STEP: "lots", POLICY: "Bad Name!" });
    expect(bad).toMatch(/OPENAI_BASE_URL must be an http\(s\) URL/);
    expect(bad).toMatch(/AUDIT_SUBREQUESTS_PER_STEP must be a whole number/);
    expect(bad).toMatch(/POLICY must be a policy name/);
    expect(bad).not.toContain("secret-host");
    expect(bad).not.toContain(base.OPENAI_ADMIN_KEY);
  });

  it("needs SLACK_BOT_TOKEN and SLACK_CHANNEL together, and collects every secret for redaction", () => {
    expect(problems({ ...base, SLACK_BOT_TOKEN: "xoxb-config-test-token-000" })).toMatch(/SLACK_CHANNEL is empty while SLACK_BOT_TOKEN is set/);
    const config = readConfig({ ...base, SLACK_BOT_TOKEN: "xoxb-config-test-token-000", SLACK_CHANNEL: "C1", AUDIT_API_TOKEN: "tok", SLACK_SIGNING_SECRET: "sig", SLACK_ALLOWED_USERS: "U1, U2 U3" });
    expect(config.slack).toEqual({ botToken: "xoxb-config-test-token-000", channel: "C1", apiUrl: "https://slack.com/api/" });
    expect(config.slackAllowedUsers).toEqual(["U1", "U2", "U3"]);
    expect(config.secrets.sort()).toEqual([base.OPENAI_ADMIN_KEY, "xoxb-config-test-token-000", "tok", "sig"].sort());
  });

  it("treats an optional secret set to off as unset, and names which Slack half is missing", () => {
    const config = readConfig({ ...base, SLACK_BOT_TOKEN: "off", SLACK_SIGNING_SECRET: "off", EVIDENCE_SIGNING_KEY: "off", SLACK_CHANNEL: "" });
    expect(config.slack).toBeUndefined();
    expect(config.slackSigningSecret).toBeUndefined();
    expect(config.evidenceSigningKey).toBeUndefined();
    expect(config.secrets).toEqual([base.OPENAI_ADMIN_KEY]);
    expect(problems({ ...base, SLACK_BOT_TOKEN: "off", SLACK_CHANNEL: "C1" })).toMatch(/SLACK_BOT_TOKEN is not set/);
    expect(problems({ ...base, SLACK_BOT_TOKEN: "xoxb-config-test-token-000" })).toMatch(/SLACK_CHANNEL is empty while SLACK_BOT_TOKEN is set: give the report channel's id \(or set SLACK_BOT_TOKEN to off for no reports\)/);
    expect(problems({ ...base, STALE_AFTER_DAYS: "0" })).toMatch(/STALE_AFTER_DAYS must be at least 1/);
    expect(readConfig(base).staleAfterDays).toBe(8);
  });

  it("reports every problem at once — the schema's, the Slack pair's, REMEDIATION's and ENRICH's — each with its fix for where it runs", () => {
    const env = { SLACK_BOT_TOKEN: "xoxb-config-test-token-000", OPENAI_BASE_URL: "nope", REMEDIATION: "maybe", ENRICH: "creator", STALE_AFTER_DAYS: "0" };
    let error: ConfigError | undefined;
    try {
      readConfig(env);
    } catch (thrown) {
      if (thrown instanceof ConfigError) error = thrown;
    }
    expect(error?.issues.map((i) => i.setting).sort()).toEqual(["ENRICH", "OPENAI_ADMIN_KEY", "OPENAI_BASE_URL", "REMEDIATION", "SLACK_CHANNEL", "STALE_AFTER_DAYS"]);
    expect(error?.message).toMatch(/^invalid configuration \(6 problems\): /);
    const admin = (place: "local" | "deployed" | "unknown") => error?.at(place).problems.find((p) => p.startsWith("OPENAI_ADMIN_KEY"));
    expect(admin("local")).toBe("OPENAI_ADMIN_KEY is not set — fix: put OPENAI_ADMIN_KEY=… in .dev.vars, then restart wrangler dev");
    expect(admin("deployed")).toBe("OPENAI_ADMIN_KEY is not set — fix: npx wrangler secret put OPENAI_ADMIN_KEY");
    expect(admin("unknown")).toContain("under wrangler dev, put OPENAI_ADMIN_KEY=… in .dev.vars, then restart wrangler dev; deployed, npx wrangler secret put OPENAI_ADMIN_KEY");
    expect(error?.at("deployed").problems.find((p) => p.startsWith("REMEDIATION"))).toBe(
      "REMEDIATION must be one of off, dry-run, on — fix: set REMEDIATION in wrangler.toml [vars], then npx wrangler deploy",
    );
  });

  it("names an EVIDENCE_SIGNING_KEY that can never sign with the other settings, before any run (never its value)", () => {
    expect(problems({ ...base, EVIDENCE_SIGNING_KEY: "notakey!" })).toMatch(/EVIDENCE_SIGNING_KEY is neither PEM nor base64 \(or off for unsigned evidence\) — fix: /);
    // An RSA key in PKCS#8 is base64 and DER, but not Ed25519.
    const rsaLike = btoa(String.fromCharCode(0x30, 0x82, 0x04, 0xbc, 0x02, 0x01, 0x00, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00));
    expect(problems({ ...base, EVIDENCE_SIGNING_KEY: rsaLike })).toMatch(/EVIDENCE_SIGNING_KEY is not an Ed25519 key in PKCS#8/);
    expect(problems({ ...base, EVIDENCE_SIGNING_KEY: "notakey!" })).not.toContain("notakey");
    // The worker tests' throwaway key, a bare 32-byte seed, and off are fine.
    expect(problems({ ...base, EVIDENCE_SIGNING_KEY: "MC4CAQAwBQYDK2VwBCIEIAecrjG339RbfXFrvHXf0UlpANJpoyzF4+LtXB1Ju3Tn" })).toBe("");
    expect(problems({ ...base, EVIDENCE_SIGNING_KEY: btoa("k".repeat(32)) })).toBe("");
    expect(problems({ ...base, EVIDENCE_SIGNING_KEY: "off" })).toBe("");
  });

  it("refuses an admin key no HTTP header can carry, such as the README's placeholder sk-admin-… (never echoing it)", () => {
    const said = problems({ OPENAI_ADMIN_KEY: "sk-admin-…" });
    expect(said).toMatch(/OPENAI_ADMIN_KEY holds a space or a character that is not printable ASCII/);
    const other = problems({ OPENAI_ADMIN_KEY: "sk-admin-abc déf-secretpart" });
    expect(other).toMatch(/OPENAI_ADMIN_KEY holds a space/);
    expect(other).not.toContain("secretpart");
  });

  it("treats empty strings (unset vars in wrangler.toml) as unset", () => {
    expect(readConfig({ ...base, SLACK_CHANNEL: "", OPENAI_BASE_URL: "" }).openaiBaseUrl).toBe("https://api.openai.com/v1");
  });
});

describe("one rule for empty values across every setting", () => {
  it("reads a blank var as unset (its default, or the problem of a missing one) and trims the others, the remediation and enrichment settings included", () => {
    const config = readConfig({ ...base, POLICY: "  ", OPENAI_BASE_URL: " ", REMEDIATION: " dry-run ", REMEDIATION_APPROVALS: " ", SLACK_CHANNEL: "   " });
    expect(config.policy).toBe("default");
    expect(config.openaiBaseUrl).toBe("https://api.openai.com/v1");
    expect(config.remediation).toEqual({ mode: "dry-run", approvals: 2, maxPerDay: 5 });
    expect(config.slack).toBeUndefined();
    // A blank channel beside a bot token is a missing channel, not a channel named "   ".
    expect(problems({ ...base, SLACK_BOT_TOKEN: "xoxb-config-test-token", SLACK_CHANNEL: "  " })).toContain("SLACK_CHANNEL is empty while SLACK_BOT_TOKEN is set");
  });

  it("reports every problem at once, the remediation and enrichment settings with the others", () => {
    const said = problems({ ...base, OPENAI_BASE_URL: "ftp://x", REMEDIATION: "yes", REMEDIATION_MAX_PER_DAY: "0", ENRICH: "usage,spend", STALE_AFTER_DAYS: "1.5" });
    expect(said).toContain("invalid configuration (5 problems)");
    for (const setting of ["OPENAI_BASE_URL", "REMEDIATION must be one of off, dry-run, on", "REMEDIATION_MAX_PER_DAY must be at least 1", "ENRICH item 2 is not a source", "STALE_AFTER_DAYS must be a whole number of days"]) {
      expect(said).toContain(setting);
    }
  });

  it("keeps a secret as it is: a stray space in the admin key is named, not trimmed away", () => {
    expect(problems({ OPENAI_ADMIN_KEY: " sk-admin-config-test-secret-000000000000" })).toContain("OPENAI_ADMIN_KEY holds a space");
  });
});
