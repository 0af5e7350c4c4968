import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const manifest = parse(readFileSync(new URL("../../slack-app-manifest.yaml", import.meta.url), "utf8")) as {
  features: { slash_commands: { command: string; url: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean; request_url: string } };
};
const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

describe("the Slack app manifest (creating the app is one paste)", () => {
  it("has the slash command and the interactivity URL on the routes the Worker serves", () => {
    expect(manifest.features.slash_commands).toEqual([expect.objectContaining({ command: "/keywarden", url: expect.stringMatching(/^https:\/\/[^/]+\/slack\/commands$/) })]);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: expect.stringMatching(/^https:\/\/[^/]+\/slack\/interactions$/) });
  });

  it("asks for every scope Keywarden uses and no other", () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(["chat:write", "commands", "files:write", "im:write", "users:read", "users:read.email"]);
  });

  it("is shown in the README", () => {
    expect(readme).toContain("slack-app-manifest.yaml");
  });
});
