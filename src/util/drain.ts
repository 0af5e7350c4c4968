export interface DrainOptions<U> {
  concurrency: number;
  /** Requests made since the drain started, retries included. */
  requests: () => number;
  /** Requests one unit may need at most (its retry attempts). */
  attemptsPerUnit: number;
  /** Most requests the drain may make; undefined for no cap. */
  requestCap?: number;
  /** True when no further unit may start (the key was refused). */
  stopped: () => boolean;
  run: (unit: U) => Promise<void>;
}

/**
 * Runs the units of `queue` (which `run` may add to) with `concurrency` workers until it is empty
 * or the next unit could exceed the request cap; what is left stays in `queue`. A worker that
 * finds the queue empty waits while others may still queue follow-up units, and all stop when
 * nothing is left or running.
 */
export async function drainQueue<U>(queue: U[], options: DrainOptions<U>): Promise<void> {
  let inFlight = 0;
  const wake: (() => void)[] = [];
  const fitsUnderCap = () => options.requestCap === undefined || options.requests() + (inFlight + 1) * options.attemptsPerUnit <= options.requestCap;

  async function worker(): Promise<void> {
    for (;;) {
      if (options.stopped()) return;
      const unit = queue.length > 0 && fitsUnderCap() ? queue.shift() : undefined;
      if (!unit) {
        if (inFlight === 0) {
          for (const w of wake.splice(0)) w();
          return;
        }
        await new Promise<void>((resolve) => wake.push(resolve));
        continue;
      }
      inFlight++;
      try {
        await options.run(unit);
      } finally {
        inFlight--;
        for (const w of wake.splice(0)) w();
      }
    }
  }

  await Promise.all(Array.from({ length: options.concurrency }, worker));
}
