import { describe, expect, it } from 'vitest';
import { isOutage } from './outage.ts';
import { TimeoutError, withTimeout } from './timeout.ts';

describe('withTimeout', () => {
  it('passes on the outcome of work that settles in time', async () => {
    await expect(withTimeout(Promise.resolve(42), 1_000)).resolves.toBe(42);
    await expect(withTimeout(Promise.reject(new Error('boom')), 1_000)).rejects.toThrow('boom');
  });

  it('fails with a TimeoutError, an outage, when the work does not settle', async () => {
    const error = await withTimeout(new Promise(() => undefined), 10, 'Redis did not answer within 10 ms').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as Error).message).toBe('Redis did not answer within 10 ms');
    expect(isOutage(error)).toBe(true);
  });
});
