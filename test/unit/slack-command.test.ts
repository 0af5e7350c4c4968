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

  it("wants a response_url under the configured prefix (Slack's hooks host by default)", () => {
    const local = form({ ...base, response_url: "http://127.0.0.1:9/response/abc" });
    const refused = { ok: false, ssl_check: false, error: "invalid slash command payload: response_url", fields: ["response_url"] };
    expect(parseSlashCommandBody(local)).toEqual(refused);
    expect(parseSlashCommandBody(local, { responseUrlPrefix: "http://127.0.0.1:9/" })).toMatchObject({ ok: true });
    for (const elsewhere of ["https://attacker.example/collect", "https://hooks.slack.com.attacker.example/x", "javascript:alert(1)"]) {
      expect(parseSlashCommandBody(form({ ...base, response_url: elsewhere }))).toEqual(refused);
    }
  });

  it("names missing fields and recognizes Slack's ssl_check probe", () => {
    expect(parseSlashCommandBody("command=%2Fkeywarden")).toEqual({
      ok: false,
      ssl_check: false,
      error: "invalid slash command payload: user_id, channel_id, team_id, response_url",
      fields: ["user_id", "channel_id", "team_id", "response_url"],
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

  it("cuts a long command name between entities, never inside one (CI's counterexample)", () => {
    const text = helpText(" <!channel> <!channel> !'!! <!channel> <@U123>");
    expect(text).toContain("`&lt;!channel&gt;&lt;!channel&gt;!'!!&lt;!channel&gt;&lt;@U123&gt;");
    expect(text.replace(/&(amp|lt|gt);/g, "")).not.toMatch(/[&<>]/);
  });
});
