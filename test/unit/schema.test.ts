import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXPECTED_MIGRATIONS } from "../../src/store/schema.js";

describe("the D1 schema the code expects", () => {
  it("is every migration in migrations/, so /healthz names one that was not applied", () => {
    expect([...EXPECTED_MIGRATIONS]).toEqual(readdirSync(new URL("../../migrations", import.meta.url)).filter((f) => f.endsWith(".sql")).sort());
  });
});
