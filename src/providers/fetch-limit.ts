/**
 * A fetch that keeps at most `limit` requests in flight, shared by every client it is given to: so
 * the accounts of one run, read at once, stay within the Workers limit of 6 simultaneous connections
 * together rather than each. A request over the limit waits for one to finish (its answer's headers).
 */
export function limitedFetch(limit: number, base: typeof fetch = fetch): typeof fetch {
  return fetchLimiter(limit, base).fetch(0);
}

/** One in-flight limit, whose fetches queue at a priority: a freed slot goes to the most urgent request waiting, in turn among equals. */
export interface FetchLimiter {
  /** A fetch under the limit; `priority` 0 is served first (the inventory), higher numbers after (the enrichment). */
  fetch(priority: number): typeof fetch;
}

export function fetchLimiter(limit: number, base: typeof fetch = fetch): FetchLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive whole number, got ${limit}`);
  let active = 0;
  const waiting: (() => void)[][] = [];
  const nextWaiting = (): (() => void) | undefined => {
    for (const queue of waiting) if (queue && queue.length > 0) return queue.shift();
    return undefined;
  };
  return {
    fetch(priority) {
      if (!Number.isInteger(priority) || priority < 0) throw new RangeError(`priority must be a whole number ≥ 0, got ${priority}`);
      const limited = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
        if (active < limit) active++;
        // The slot is handed over by the request that frees it, so none is taken twice.
        else await new Promise<void>((resolve) => (waiting[priority] ??= []).push(resolve));
        try {
          // Called as a plain function: workerd's fetch throws "Illegal invocation" when called as a method.
          return await base(input, init);
        } finally {
          const next = nextWaiting();
          if (next) next();
          else active--;
        }
      };
      return limited as typeof fetch;
    },
  };
}
