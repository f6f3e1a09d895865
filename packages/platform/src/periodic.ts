import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.ts';

/**
 * Run `task` every `everyMs` until stopped (sweepers, recovery loops). A failing round is logged
 * and retried with capped exponential backoff; stop() interrupts the wait and resolves once the
 * round in progress has finished.
 */
export function startPeriodic(name: string, everyMs: number, task: () => Promise<unknown>, log: Logger): () => Promise<void> {
  const stopping = new AbortController();
  const done = (async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      try {
        await task();
        failures = 0;
      } catch (error) {
        failures++;
        log.warn({ err: error, failures }, `${name} failed; will retry`);
      }
      const delay = failures ? Math.min(everyMs * 2 ** failures, 60_000) : everyMs;
      await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
    }
  })();
  return async () => {
    stopping.abort();
    await done;
  };
}
