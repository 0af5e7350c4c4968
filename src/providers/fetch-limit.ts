/**
 * A fetch that keeps at most `limit` requests in flight, shared by every client it is given to: so
 * the accounts of one run, read at once, stay within the Workers limit of 6 simultaneous connections
 * together rather than each. A request over the limit waits for one to finish (its answer's headers).
 */
export function limitedFetch(limit: number, base: typeof fetch = fetch): typeof fetch {
  return fetchLimiter(limit, base).fetch(0);
}

/** One in-flight limit whose fetches have a priority: 0 first (the inventory's lists), then 1, 2… */
export interface FetchLimiter {
  fetch(priority: number): typeof fetch;
}

/** How long a freed slot is kept for the most urgent requests: what it takes to read an answer and ask for the pages it leads to. */
export const GRACE_MS = 3;

/**
 * A freed slot goes to the most urgent request waiting, in turn among equals. A request of priority 0
 * takes a free slot at once; a later one only once priority 0 has been quiet (no request made, no
 * answer come) for `graceMs`, with none more urgent asking: by then the last answer is read, and the
 * pages it leads to, which the rest of the run waits on, have come first.
 */
export function fetchLimiter(limit: number, base: typeof fetch = fetch, graceMs = GRACE_MS): FetchLimiter {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive whole number, got ${limit}`);
  let active = 0;
  // The last request or answer of priority 0 (or the limiter's start).
  let urgentAt = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const waiting: (() => void)[][] = [];
  const waiters = () => waiting.reduce((n, queue) => n + (queue?.length ?? 0), 0);
  const mostUrgent = (): (() => void) | undefined => {
    for (const queue of waiting) if (queue && queue.length > 0) return queue.shift();
    return undefined;
  };
  // The free slots go to whoever waits, most urgent first, once the grace is over.
  const fill = () => {
    timer = undefined;
    const left = urgentAt + graceMs - Date.now();
    if (left > 0) return void (timer = setTimeout(fill, left));
    for (let next = active < limit ? mostUrgent() : undefined; next; next = active < limit ? mostUrgent() : undefined) {
      active++;
      next();
    }
  };
  const fillLater = () => {
    if (timer === undefined && active < limit && waiters() > 0) timer = setTimeout(fill, Math.max(0, urgentAt + graceMs - Date.now()));
  };
  const release = (priority: number) => {
    // Handed over at once to a request of the first priority; else free, for a grace after an answer of the first priority.
    const urgent = waiting[0]?.shift();
    if (urgent) return urgent();
    active--;
    if (priority === 0) urgentAt = Date.now();
    fillLater();
  };
  return {
    fetch(priority) {
      if (!Number.isInteger(priority) || priority < 0) throw new RangeError(`priority must be a whole number ≥ 0, got ${priority}`);
      const limited = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
        if (priority === 0) urgentAt = Date.now();
        const settled = priority === 0 || (waiters() === 0 && Date.now() - urgentAt >= graceMs);
        if (active < limit && settled) active++;
        else {
          // The slot is handed over by whoever frees or fills it, so none is taken twice.
          const turn = new Promise<void>((resolve) => (waiting[priority] ??= []).push(resolve));
          fillLater();
          await turn;
        }
        try {
          // Called as a plain function: workerd's fetch throws "Illegal invocation" when called as a method.
          return await base(input, init);
        } finally {
          release(priority);
        }
      };
      return limited as typeof fetch;
    },
  };
}
