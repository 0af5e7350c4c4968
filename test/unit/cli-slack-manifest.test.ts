import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { CliIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { renderSlackManifest } from "../../src/cli/slack-manifest-command.js";

interface Manifest {
  features: { slash_commands: { command: string; url: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string } };
}

const TEMPLATE = readFileSync(new URL("../../slack-app-manifest.yaml", import.meta.url), "utf8");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "keywarden-slack-manifest-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function keywarden(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env: {} };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Every string in the YAML that is a URL. */
function urlsOf(yaml: string): string[] {
  const strings = (value: unknown): string[] =>
    typeof value === "string" ? [value] : value !== null && typeof value === "object" ? Object.values(value).flatMap(strings) : [];
  return strings(parse(yaml)).filter((s) => /^[a-z]+:\/\//i.test(s));
}

describe("keywarden slack-manifest: the Slack app manifest for a deployed Worker", () => {
  it("prints the manifest with the command and interactivity URLs on the Worker's host, and keeps every scope", async () => {
    const { code, stdout, stderr } = await keywarden(["slack-manifest", "--url", "https://keywarden.acme.workers.dev"]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    const manifest = parse(stdout) as Manifest;
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: "/keywarden", url: "https://keywarden.acme.workers.dev/slack/commands" })]);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: "https://keywarden.acme.workers.dev/slack/interactions" });
    expect(urlsOf(stdout).every((url) => url.startsWith("https://keywarden.acme.workers.dev/"))).toBe(true);
    expect(stdout).not.toContain("example.workers.dev");
    // Everything else is the template's: the scopes, names and settings, comments included.
    expect(manifest.oauth_config.scopes.bot).toEqual((parse(TEMPLATE) as Manifest).oauth_config.scopes.bot);
    expect(stdout).toContain("# The Accept-risk buttons and their form.");
  });

  it("takes a custom domain, a trailing slash and any letter case; the result is the same for the same host", async () => {
    const plain = await keywarden(["slack-manifest", "--url", "https://keywarden.example.org"]);
    const spelled = await keywarden(["slack-manifest", "--url", " HTTPS://Keywarden.Example.ORG/ "]);
    expect(plain.code).toBe(0);
    expect(spelled).toEqual(plain);
    expect((parse(plain.stdout) as Manifest).settings.interactivity.request_url).toBe("https://keywarden.example.org/slack/interactions");
  });

  it("writes it to --out FILE, says where, and prints no YAML", async () => {
    const file = join(dir, "slack-manifest.yaml");
    const { code, stdout, stderr } = await keywarden(["slack-manifest", "--url", "https://keywarden.acme.workers.dev", "--out", file]);
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toBe(`wrote ${file}: paste it at https://api.slack.com/apps → Create New App → From a manifest\n`);
    expect(readFileSync(file, "utf8")).toBe((await keywarden(["slack-manifest", "--url", "https://keywarden.acme.workers.dev"])).stdout);
  });

  it.each([
    ["keywarden.acme.workers.dev", "did you mean https://keywarden.acme.workers.dev?"],
    ["http://keywarden.acme.workers.dev", "http is not allowed: Slack sends commands only to https URLs"],
    ["https://keywarden.acme.workers.dev/slack/commands", "the URL has a path (/slack/commands)"],
    ["https://keywarden.acme.workers.dev/?team=1", "the URL has a query (?team=1)"],
    ["https://keywarden.acme.workers.dev#x", "the URL has a fragment (#x)"],
    ["https://localhost", '"localhost" is not a public host name'],
    ["https://admin:hunter2@keywarden.acme.workers.dev", "the URL has a user or password"],
    ["https://keywarden.example.workers.dev", "keywarden.example.workers.dev is the manifest's placeholder"],
    ["", '"" is not a URL'],
  ])("refuses --url %j and says what is wrong (exit 2, nothing on stdout)", async (url, problem) => {
    const { code, stdout, stderr } = await keywarden(["slack-manifest", "--url", url]);
    expect({ code, stdout }).toEqual({ code: 2, stdout: "" });
    expect(stderr.split("\n")[0]).toMatch(/^keywarden slack-manifest: --url: /);
    expect(stderr.split("\n")[0]).toContain(problem);
    expect(stderr).not.toContain("hunter2");
  });

  it("asks for --url when it is missing, and refuses an unknown option or a positional", async () => {
    expect(await keywarden(["slack-manifest"])).toMatchObject({ code: 2, stdout: "", stderr: expect.stringMatching(/^keywarden slack-manifest: give the Worker's URL with --url https:\/\/HOST\n/) });
    expect(await keywarden(["slack-manifest", "--url", "https://a.example.org", "--host", "x"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--host") });
    expect(await keywarden(["slack-manifest", "https://a.example.org"])).toMatchObject({ code: 2, stdout: "" });
  });

  it("says where it cannot write", async () => {
    const { code, stderr } = await keywarden(["slack-manifest", "--url", "https://a.example.org", "--out", join(dir, "missing-dir", "m.yaml")]);
    expect(code).toBe(2);
    expect(stderr).toBe(`keywarden slack-manifest: cannot write ${join(dir, "missing-dir", "m.yaml")}: ENOENT\n`);
  });

  it("is listed in keywarden --help, has its own --help, and ships its template in the npm package", async () => {
    expect((await keywarden(["--help"])).stdout).toMatch(/^ {2}slack-manifest +the Slack app manifest for your deployed Worker/m);
    expect(await keywarden(["slack-manifest", "--help"])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^usage: keywarden slack-manifest --url https:\/\/HOST \[--out FILE\]/) });
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("slack-app-manifest.yaml");
  });

  it("refuses a template with a URL it would leave pointing elsewhere", () => {
    const changed = TEMPLATE.replace("request_url: https://keywarden.example.workers.dev/slack/interactions", "request_url: https://other.example.net/slack/interactions");
    expect(() => renderSlackManifest(changed, "https://keywarden.acme.workers.dev")).toThrow(/other\.example\.net\/slack\/interactions/);
  });
});
