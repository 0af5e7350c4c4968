import { afterEach, describe, expect, it, vi } from "vitest";
import { auditProgress, describeProgress } from "../../src/cli/audit-progress.js";
import type { TerminalStream } from "../../src/cli/io.js";
import type { InventoryProgress } from "../../src/providers/openai/inventory-work.js";

const ERASE = "\r\x1b[2K";

/** A stderr that records what was written, a terminal or not. */
function fakeStream(isTTY: boolean, columns = 100): TerminalStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

const progress = (extra: Partial<InventoryProgress> = {}): InventoryProgress => ({
  listing: 'API keys of project "web" (proj_web)',
  projectsListed: 3,
  projectsFound: 4,
  requests: 9,
  ...extra,
});

afterEach(() => {
  vi.useRealTimers();
});

describe("the audit progress line", () => {
  it("says what is being listed, how many projects are done of those found, requests and elapsed time", () => {
    expect(describeProgress(progress(), 1_234)).toBe('keywarden: listing API keys of project "web" (proj_web) — 3/4 projects, 9 requests, 1.2 s');
    expect(describeProgress(progress({ listing: "admin API keys", projectsListed: 0, projectsFound: 1, requests: 1 }), 0)).toBe(
      "keywarden: listing admin API keys — 0/1 project, 1 request, 0.0 s",
    );
  });

  it("rewrites one line in place on a terminal, and erases it when the run is over", () => {
    let now = 0;
    const stream = fakeStream(true);
    const line = auditProgress(stream, { clock: () => now, tickMs: 60_000 });
    now = 500;
    line.update(progress({ projectsListed: 1 }));
    now = 1_700;
    line.update(progress({ projectsListed: 4, requests: 12 }));
    line.finish();
    expect(stream.writes).toEqual([
      `${ERASE}keywarden: listing admin API keys and projects — 0/0 projects, 0 requests, 0.0 s`,
      `${ERASE}keywarden: listing API keys of project "web" (proj_web) — 1/4 projects, 9 requests, 0.5 s`,
      `${ERASE}keywarden: listing API keys of project "web" (proj_web) — 4/4 projects, 12 requests, 1.7 s`,
      ERASE,
    ]);
    expect(stream.writes.join("")).not.toContain("\n");
  });

  it("redraws at most every 100 ms however many pages arrive", () => {
    let now = 0;
    const stream = fakeStream(true);
    const line = auditProgress(stream, { clock: () => now, tickMs: 60_000 });
    for (let i = 1; i <= 50; i++) {
      now = i * 10;
      line.update(progress({ requests: i }));
    }
    line.finish();
    // The first draw, one per 100 ms of the 500 ms, and the erase.
    expect(stream.writes).toHaveLength(1 + 5 + 1);
  });

  it("keeps the elapsed time moving while nothing arrives (a long Retry-After), and stops when finished", () => {
    vi.useFakeTimers();
    let now = 0;
    const stream = fakeStream(true);
    const line = auditProgress(stream, { clock: () => now, tickMs: 1_000 });
    now = 2_000;
    vi.advanceTimersByTime(2_000);
    expect(stream.writes.at(-1)).toMatch(/, 2\.0 s$/);
    line.finish();
    const written = stream.writes.length;
    vi.advanceTimersByTime(5_000);
    expect(stream.writes).toHaveLength(written);
  });

  it("never wraps: a line wider than the terminal is cut to fit", () => {
    const stream = fakeStream(true, 40);
    const line = auditProgress(stream, { clock: () => 0, tickMs: 60_000, redrawMs: 0 });
    line.update(progress({ listing: `API keys of project "${"x".repeat(80)}" (proj_long)` }));
    line.finish();
    const shown = stream.writes[1]?.slice(ERASE.length) ?? "";
    expect([...shown]).toHaveLength(39);
    expect(shown.endsWith("…")).toBe(true);
  });

  it("takes the admin key out of a project's name before cutting the line, so no piece of it is left", () => {
    const secret = "sk-admin-ProgressQwErTyUiOpAsDfGhJkLzXcVbNm0192837465";
    // Glued to "ml_" the key does not look like a secret; cut after 20 of its characters, it no longer is the key.
    const stream = fakeStream(true, 65);
    const line = auditProgress(stream, { clock: () => 0, tickMs: 60_000, redrawMs: 0, secrets: [secret] });
    line.update(progress({ listing: `API keys of project "ml_${secret}" (proj_ml)` }));
    line.finish();
    expect(stream.writes[1]).toBe(`${ERASE}keywarden: listing API keys of project "ml_[REDACTED]" (proj_ml…`);
    expect(stream.writes.join("")).not.toContain("ProgressQ");
  });

  it("does not pass escape sequences from project names to the terminal", () => {
    const stream = fakeStream(true);
    const line = auditProgress(stream, { clock: () => 0, tickMs: 60_000, redrawMs: 0 });
    line.update(progress({ listing: 'API keys of project "\x1b]0;pwned\x07evil" (proj_x)' }));
    line.finish();
    expect(stream.writes[1]).toBe(`${ERASE}keywarden: listing API keys of project "?]0;pwned?evil" (proj_x) — 3/4 projects, 9 requests, 0.0 s`);
  });

  it("writes nothing when stderr is not a terminal (a pipe, a file, CI) or the terminal is dumb", () => {
    for (const [stream, env] of [
      [fakeStream(false), {}],
      [fakeStream(true), { TERM: "dumb" }],
    ] as const) {
      const line = auditProgress(stream, { env, clock: () => 0, redrawMs: 0 });
      line.update(progress());
      line.finish();
      expect(stream.writes).toEqual([]);
    }
  });
});
