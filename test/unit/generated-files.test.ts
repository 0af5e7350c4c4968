import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BUNDLE_PATH, renderPolicyBundle } from "../../scripts/bundle-policies.js";

describe("generated files", () => {
  it("src/generated/policies.ts bundles the current policies/*.yaml", () => {
    const committed = readFileSync(BUNDLE_PATH, "utf8");
    expect(committed === renderPolicyBundle(), "src/generated/policies.ts is stale: run `npm run policy:bundle`").toBe(true);
  });
});
