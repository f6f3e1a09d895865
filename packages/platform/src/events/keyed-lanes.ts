/**
 * Runs tasks several at a time while the tasks of one key run one after another, in the order they
 * were added: a consumer takes many orders' messages at once, never two of one order.
 */
export interface KeyedLanes {
  /** Queues `task` behind the earlier tasks of `key`; it starts once they settled and a slot is free. */
  run(key: string, task: () => Promise<void>): Promise<void>;
  /** Resolves once every task added so far has settled. */
  idle(): Promise<void>;
}

export function keyedLanes(concurrency: number): KeyedLanes {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  // The last task of each key with queued or running work: the next one of that key chains on it.
  const tails = new Map<string, Promise<void>>();
  let running = 0;
  // Tasks whose key is free, waiting for a slot, first come first served.
  const waiting: Array<() => void> = [];

  const slot = (): Promise<void> => {
    if (running < concurrency) {
      running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const free = () => {
    const next = waiting.shift();
    // The slot passes straight to the next waiter, so `running` stays as it is.
    if (next) next();
    else running--;
  };

  return {
    run(key, task) {
      const previous = tails.get(key) ?? Promise.resolve();
      const result = previous.then(async () => {
        await slot();
        try {
          await task();
        } finally {
          free();
        }
      });
      // A failed task must not fail the ones queued behind it: they chain on its settlement.
      const tail = result.then(
        () => undefined,
        () => undefined,
      );
      tails.set(key, tail);
      void tail.then(() => {
        if (tails.get(key) === tail) tails.delete(key);
      });
      return result;
    },
    async idle() {
      while (tails.size > 0) await Promise.all(tails.values());
    },
  };
}
