import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HOUSEKEEPING_CRON } from "../../src/worker/crons.js";

describe("wrangler.toml's crons", () => {
  it("are the weekly audit and the hourly housekeeping, which the scheduled handler knows by its expression", () => {
    const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
    const crons = /^crons = (\[.*\])$/m.exec(toml)?.[1];
    expect(crons && (JSON.parse(crons) as string[])).toEqual(["0 6 * * 1", HOUSEKEEPING_CRON]);
  });
});
