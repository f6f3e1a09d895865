import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.ts';

/**
 * Retry a start-up step (database, broker) with capped exponential backoff, logging every try,
 * so a dependency that is still coming up gives readable lines instead of a crash loop.
 */
export async function retryStartup<T>(
  what: string,
  attempt: () => Promise<T>,
  log: Logger,
  { tries = 10, firstDelayMs = 250, maxDelayMs = 5000 } = {},
): Promise<T> {
  let delay = firstDelayMs;
  for (let n = 1; ; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (n >= tries) {
        log.error({ err: error, attempt: n }, `${what}: giving up after ${n} tries`);
        throw error;
      }
      log.warn({ attempt: n, retryInMs: delay, reason: (error as Error).message }, `${what}: not reachable yet, retrying`);
      await sleep(delay);
      delay = Math.min(delay * 2, maxDelayMs);
    }
  }
}
