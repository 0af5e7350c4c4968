import { describe, expect, it } from "vitest";
import { isRetryableStatus, isTransientError } from "../../src/util/retry.js";
import type { InventoryError } from "../../src/model/inventory.js";

const scope = { list: "projects" } as unknown as InventoryError["scope"];

describe("what may pass if asked again (one definition for request retries and Workflow step retries)", () => {
  it("agrees with the request-level retry on every status", () => {
    for (let status = 100; status < 600; status++) {
      expect(isTransientError({ scope, kind: "http", status, message: "" }), `HTTP ${status}`).toBe(isRetryableStatus(status));
    }
    expect(isRetryableStatus(408)).toBe(true);
    expect(isRetryableStatus(409)).toBe(true);
    expect(isRetryableStatus(404)).toBe(false);
  });

  it("counts network failures and a spent retry budget as transient, never bad data or a rejected key", () => {
    expect(isTransientError({ scope, kind: "network", message: "" })).toBe(true);
    expect(isTransientError({ scope, kind: "budget_exhausted", status: 503, message: "" })).toBe(true);
    expect(isTransientError({ scope, kind: "invalid_json", message: "" })).toBe(false);
    expect(isTransientError({ scope, kind: "auth", status: 401, message: "" })).toBe(false);
  });
});
