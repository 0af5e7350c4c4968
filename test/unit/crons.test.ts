import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HOUSEKEEPING_CRON, isHousekeepingCron } from "../../src/worker/crons.js";

describe("wrangler.toml's crons", () => {
  it("are the audit's and the hourly housekeeping's, which the scheduled handler knows by its expression", () => {
    const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
    const crons = JSON.parse(/^crons = (\[.*\])$/m.exec(toml)?.[1] ?? "[]") as string[];
    expect(crons).toHaveLength(2);
    expect(crons.filter(isHousekeepingCron)).toEqual([HOUSEKEEPING_CRON]);
  });

  it("knows the housekeeping cron however it is spaced, and nothing else as it", () => {
    for (const same of [HOUSEKEEPING_CRON, " 17  * * *\t* "]) expect(isHousekeepingCron(same), JSON.stringify(same)).toBe(true);
    for (const other of ["0 6 * * 1", "0 * * * *", "17 * * * 1", "", "*/17 * * * *"]) expect(isHousekeepingCron(other), JSON.stringify(other)).toBe(false);
  });
});
