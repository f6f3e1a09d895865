/** A dependency did not answer in time (named like the clients' own, so `isOutage` counts it). */
export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

/**
 * `work`'s outcome, or a TimeoutError after `ms`. The work itself is not stopped (callers use this
 * where a late answer is harmless); the timer is cleared either way so it never holds the process.
 */
export function withTimeout<T>(work: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(message)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
