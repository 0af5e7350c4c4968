import { readFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { checkPolicy, concludeRun } from "../../src/audit/run.js";
import { type InventoryOptions, type InventoryResult, assembleInventory, collectInventory, collectInventorySlice } from "../../src/providers/openai/collect.js";
import type { RetryPolicy } from "../../src/util/retry.js";
import { type InventoryPart, initialWorkState } from "../../src/providers/openai/inventory-work.js";
import { generateOrg } from "../../src/sim/generate.js";
import { type Simulator, startSimulator } from "../../src/sim/server.js";

/**
 * A run in the Worker reads the organization in slices (one Workflow step each,
 * under a request cap) and joins the parts at the end. A page that failed in any
 * slice must make the run incomplete and be named — not only a failure in the
 * last slice.
 */

const ADMIN_KEY = "sk-admin-unit-test-slices-0123456789abcdef";
const NOW = new Date("2026-11-20T12:00:00Z");
const FAST_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 10, budgetMs: 10_000 };
// 9 projects × 3 keys at 2 items a page: every project's key list is two pages.
const ORG = generateOrg({ projects: 9, keysPerProject: 3, users: 6, adminKeys: 3, archivedEvery: 0, now: NOW, seed: 7 });
// One page at a time, so which slice reads which page is fixed; at most 3 attempts × 2 pages per slice.
const CAP = 6;

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ org: ORG, adminKey: ADMIN_KEY });
});
afterAll(() => sim.close());
afterEach(() => {
  sim.clearFaults();
  sim.clearLog();
});

const options: InventoryOptions = { adminKey: "", baseURL: "", pageSize: 2, concurrency: 1, retry: FAST_RETRY };
const opts = (): InventoryOptions => ({ ...options, adminKey: ADMIN_KEY, baseURL: sim.url });

interface Page {
  /** Path without /v1, as faults match it. */
  path: string;
  /** "" for a first page. */
  after: string;
}

/** Runs the inventory slice by slice like the Workflow does; returns the parts and the pages each slice requested. */
async function sliced(): Promise<{ inventory: InventoryResult; parts: InventoryPart[]; slices: Page[][] }> {
  const parts: InventoryPart[] = [];
  const slices: Page[][] = [];
  let state = initialWorkState();
  do {
    const before = sim.requests.length;
    const slice = await collectInventorySlice(opts(), state, CAP);
    expect(slice.part.requests).toBeLessThanOrEqual(CAP);
    slices.push(sim.requests.slice(before).map((r) => ({ path: r.path.replace(/^\/v1/, ""), after: r.query.after ?? "" })));
    parts.push(slice.part);
    state = slice.state;
  } while (state.units.length > 0);
  return { inventory: assembleInventory(parts), parts, slices };
}

/**
 * A page whose failure loses only its own items: a later page of a list (so not the first admin-key page, which
 * decides whether users are listed) that is the last page of its list, and not a project page (those queue key lists).
 */
function terminalPages(slices: Page[][]): (page: Page) => boolean {
  const all = slices.flat();
  return (page) => page.after !== "" && page.path !== "/organization/projects" && all.findLast((p) => p.path === page.path) === page;
}
const sliceOf = (slices: Page[][], page: Page) => slices.findIndex((s) => s.some((p) => p.path === page.path && p.after === page.after));

/** How a run names the list a page belongs to. */
function where(page: Page): string {
  if (page.path === "/organization/admin_api_keys") return "admin API keys";
  if (page.path === "/organization/users") return "organization users";
  const id = /^\/organization\/projects\/([^/]+)\/api_keys$/.exec(page.path)?.[1];
  const project = ORG.projects.find((p) => p.id === id);
  if (!project) throw new Error(`not a list page: ${page.path}`);
  return `API keys of project "${project.name}" (${project.id})`;
}

describe("an inventory read in slices, with failures in several of them", () => {
  it("reads the organization in many slices when nothing fails", async () => {
    const { inventory, slices } = await sliced();
    expect(inventory.errors).toEqual([]);
    expect(slices.length).toBeGreaterThanOrEqual(6);
    expect(inventory.keys).toHaveLength(9 * 3 + 3);
  });

  it("keeps the failure of the first, a middle and the last slice: the run is incomplete and names each list", async () => {
    // Where each page falls without faults…
    const clean = await sliced();
    const terminal = terminalPages(clean.slices);
    const middleSlice = Math.floor(clean.slices.length / 2);
    const first = clean.slices[0]!.find(terminal);
    const middle = clean.slices[middleSlice]!.find((page) => terminal(page) && page.path.endsWith("/api_keys") && page.path !== first?.path);
    const last = clean.slices.at(-1)!.at(-1)!;
    if (!first || !middle || !terminal(last)) throw new Error(`no page to fail in slice 0, ${middleSlice} or last: ${JSON.stringify(clean.slices)}`);
    const failed = [first, middle, last];
    expect(new Set(failed.map(where)).size).toBe(3);
    sim.clearLog();

    // …then those three pages answer 500 every time.
    for (const page of failed) sim.addFault({ match: page, effect: { kind: "status", status: 500 } });
    const { inventory, parts, slices } = await sliced();
    const at = failed.map((page) => sliceOf(slices, page));
    expect(at[0], "the first failure is in the first slice").toBe(0);
    expect(at[1], "the second failure is in a middle slice").toBeGreaterThan(0);
    expect(at[1], "the second failure is in a middle slice").toBeLessThan(slices.length - 1);
    expect(at[2], "the third failure is in the last slice").toBe(slices.length - 1);
    expect(parts.map((p) => p.errors.length > 0)).toEqual(slices.map((_, i) => at.includes(i)));

    // The joined inventory names each failed list, whatever slice it failed in…
    expect(inventory.fatal).toBeUndefined();
    expect(inventory.errors.map((e) => ({ kind: e.kind, status: e.status }))).toEqual(failed.map(() => ({ kind: "http", status: 500 })));
    // …and read everything else: only the one item on each failed page is missing.
    const keyPages = failed.filter((p) => p.path !== "/organization/users").length;
    const seen = new Set(inventory.keys.map((k) => k.id));
    expect(clean.inventory.keys.filter((k) => !seen.has(k.id))).toHaveLength(keyPages);
    expect(inventory.keys).toHaveLength(clean.inventory.keys.length - keyPages);
    expect(inventory.users).toHaveLength(clean.inventory.users.length - (failed.length - keyPages));

    // The run concluded from it is incomplete and says which lists were not seen.
    const checked = checkPolicy({ name: "default", file: "policies/default.yaml", text: readFileSync("policies/default.yaml", "utf8") });
    if (!checked.ok) throw new Error(checked.details.join("\n"));
    const run = concludeRun({
      base: { id: "run_slices", trigger: "cli", started_at: NOW.toISOString() },
      policy: checked,
      inventory,
      evaluatedAt: NOW,
      finishedAt: NOW,
      secrets: [ADMIN_KEY],
    });
    expect(run.status).toBe("incomplete");
    expect(run.errors.map((e) => e.where).sort()).toEqual(failed.map(where).sort());

    // The same faults read in one go give the same errors: slicing loses nothing.
    sim.clearLog();
    const whole = await collectInventory(opts());
    expect(whole.errors.map((e) => e.scope).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      inventory.errors.map((e) => e.scope).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    );
  });
});
