import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { workerSettingNames, wranglerEnv } from "../../scripts/dev-env.js";

const TOML = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
const EXAMPLE = readFileSync(new URL("../../.dev.vars.example", import.meta.url), "utf8");

describe("npm run dev's environment for wrangler", () => {
  it("knows every setting of the Worker: each one .dev.vars.example names", () => {
    const documented = [...EXAMPLE.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]).sort();
    expect(workerSettingNames(TOML)).toEqual(documented);
  });

  it("leaves out the settings exported for `keywarden sim` (they sent the simulated Worker's runs elsewhere: 401), keeps the rest, and names what it left out", () => {
    const shell = { PATH: "/usr/bin", HOME: "/home/me", OPENAI_BASE_URL: "http://127.0.0.1:8788/v1", OPENAI_ADMIN_KEY: "sk-admin-fake-sim-key-1", KEYWARDEN_SIM_PORT: "9000" };
    const { env, ignored } = wranglerEnv(shell, workerSettingNames(TOML));
    expect(env).toEqual({ PATH: "/usr/bin", HOME: "/home/me", KEYWARDEN_SIM_PORT: "9000" });
    expect(ignored).toEqual(["OPENAI_ADMIN_KEY", "OPENAI_BASE_URL"]);
    expect(shell.OPENAI_ADMIN_KEY).toBe("sk-admin-fake-sim-key-1");
  });
});
