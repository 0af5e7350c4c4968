import { describe, expect, it } from "vitest";
import { helpText, parseCommandText, parseSlashCommandBody } from "../../src/http/slash-command-text.js";

describe("parseCommandText", () => {
  it.each([
    ["run", { action: "run" }],
    ["  run   default ", { action: "run", policy: "default" }],
    ["RUN strict-2", { action: "run", policy: "strict-2" }],
    ["status", { action: "status" }],
    ["last", { action: "last" }],
    ["help", { action: "help" }],
    ["", { action: "help" }],
    ["   ", { action: "help" }],
  ] as const)("%j → %j", (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it.each(["run ../etc/passwd", "run Default", "run -x", "run a b", "status now", "delete everything", "runx", `run ${"a".repeat(65)}`])(
    "%j is unknown",
    (text) => {
      expect(parseCommandText(text)).toEqual({ action: "unknown", text: text.trim() });
    },
  );
});

describe("parseSlashCommandBody", () => {
  const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
  const base = { command: "/keywarden", text: "run", user_id: "U1", channel_id: "C1", team_id: "T1", response_url: "https://hooks.slack.com/commands/T1/1/abc" };

  it("reads the fields Keywarden uses", () => {
    expect(parseSlashCommandBody(form({ ...base, token: "legacy", trigger_id: "t" }))).toEqual({ ok: true, payload: base });
    const { text: _text, ...withoutText } = base;
    expect(parseSlashCommandBody(form(withoutText))).toMatchObject({ ok: true, payload: { text: "" } });
  });

  it("wants an https response_url unless told otherwise", () => {
    const local = form({ ...base, response_url: "http://127.0.0.1:9/response/abc" });
    expect(parseSlashCommandBody(local)).toEqual({ ok: false, ssl_check: false, error: "invalid slash command payload: response_url" });
    expect(parseSlashCommandBody(local, { allowHttpResponseUrl: true })).toMatchObject({ ok: true });
    expect(parseSlashCommandBody(form({ ...base, response_url: "javascript:alert(1)" }), { allowHttpResponseUrl: true })).toMatchObject({ ok: false });
  });

  it("names missing fields and recognizes Slack's ssl_check probe", () => {
    expect(parseSlashCommandBody("command=%2Fkeywarden")).toEqual({
      ok: false,
      ssl_check: false,
      error: "invalid slash command payload: user_id, channel_id, team_id, response_url",
    });
    expect(parseSlashCommandBody("ssl_check=1&token=x")).toEqual({ ok: false, ssl_check: true });
  });
});

describe("helpText", () => {
  it("lists every command", () => {
    const text = helpText();
    for (const usage of ["/keywarden run [policy]", "/keywarden status", "/keywarden last", "/keywarden help"]) expect(text).toContain(usage);
    expect(helpText("/kw")).toContain("`/kw status`");
  });
});
