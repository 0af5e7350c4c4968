/**
 * A fetch that keeps at most `limit` requests in flight, shared by every client it is given to: so
 * the accounts of one run, read at once, stay within the Workers limit of 6 simultaneous connections
 * together rather than each. A request over the limit waits for one to finish (its answer's headers).
 */
export function limitedFetch(limit: number, base: typeof fetch = fetch): typeof fetch {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive whole number, got ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  const limited = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
    if (active < limit) active++;
    // The slot is handed over by the request that frees it, so none is taken twice.
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      // Called as a plain function: workerd's fetch throws "Illegal invocation" when called as a method.
      return await base(input, init);
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  };
  return limited as typeof fetch;
}
