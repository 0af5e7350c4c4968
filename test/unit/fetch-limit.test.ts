/**
 * The run's one in-flight limit (src/providers/fetch-limit.ts): never more than `limit` requests at
 * once whatever their priority, a freed slot to one request only, the most urgent first, and the
 * enrichment's requests (priority > 0) only in slots the inventory has left free for a grace.
 */
import { describe, expect, it } from "vitest";
import { fetchLimiter } from "../../src/providers/fetch-limit.js";

/** A fake network: each request answers after `ms`; the order requests were sent in, and the most at once. */
function network(ms: number) {
  const sent: string[] = [];
  let inFlight = 0;
  let most = 0;
  const base: typeof fetch = async (input) => {
    sent.push(String(input));
    most = Math.max(most, ++inFlight);
    await new Promise((resolve) => setTimeout(resolve, ms));
    inFlight--;
    return new Response("{}");
  };
  return { base, sent, most: () => most, inFlight: () => inFlight };
}

describe("the in-flight limit with priorities", () => {
  it("never has more than its limit in flight, whatever the priorities, and every request is answered", async () => {
    const net = network(5);
    const limiter = fetchLimiter(3, net.base, 1);
    const requests = Array.from({ length: 30 }, (_, i) => limiter.fetch(i % 3)(`http://127.0.0.1/${i % 3}/${i}`));
    const answers = await Promise.all(requests);
    expect(answers.every((a) => a.ok)).toBe(true);
    expect(net.most()).toBe(3);
    expect(net.inFlight()).toBe(0);
    expect(net.sent).toHaveLength(30);
  });

  it("gives a freed slot to the most urgent request waiting: the inventory's before the enrichment's, in turn among equals", async () => {
    const net = network(10);
    const limiter = fetchLimiter(1, net.base, 0);
    const first = limiter.fetch(0)("http://127.0.0.1/inventory/1");
    // Queued while the one slot is taken: the reports first, then the inventory's next pages.
    const waiting = [limiter.fetch(2)("http://127.0.0.1/report/1"), limiter.fetch(2)("http://127.0.0.1/report/2"), limiter.fetch(0)("http://127.0.0.1/inventory/2"), limiter.fetch(1)("http://127.0.0.1/usage/1"), limiter.fetch(0)("http://127.0.0.1/inventory/3")];
    await Promise.all([first, ...waiting]);
    expect(net.sent.map((url) => new URL(url).pathname)).toEqual(["/inventory/1", "/inventory/2", "/inventory/3", "/usage/1", "/report/1", "/report/2"]);
  });

  it("keeps a free slot for the inventory for a grace after its last answer: the pages that answer leads to come first", async () => {
    const net = network(20);
    const limiter = fetchLimiter(1, net.base, 15);
    const inventory = limiter.fetch(0);
    // The inventory's page, then its next page asked for 5 ms after the answer (the time to read it); a report waiting all along.
    const chain = inventory("http://127.0.0.1/inventory/1").then(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return inventory("http://127.0.0.1/inventory/2");
    });
    await new Promise((resolve) => setTimeout(resolve, 1));
    const report = limiter.fetch(2)("http://127.0.0.1/report/1");
    await Promise.all([chain, report]);
    expect(net.sent.map((url) => new URL(url).pathname)).toEqual(["/inventory/1", "/inventory/2", "/report/1"]);
  });

  it("lets the enrichment into a slot nobody else wants once the grace is over", async () => {
    const net = network(5);
    const limiter = fetchLimiter(2, net.base, 3);
    const started = Date.now();
    await limiter.fetch(2)("http://127.0.0.1/report/1");
    await limiter.fetch(1)("http://127.0.0.1/usage/1");
    expect(net.sent).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(500);
  });
});
