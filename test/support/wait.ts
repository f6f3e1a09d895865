import { vi } from 'vitest';

/**
 * Polls `probe` until it answers something truthy and returns that answer; fails naming `what`
 * after `timeoutMs`. A probe that throws fails at once. The default is generous: the suites run
 * on a busy 2-core machine, and a condition that holds returns as soon as it holds.
 */
export function waitFor<T>(what: string, probe: () => T | Promise<T>, { timeoutMs = 15_000, intervalMs = 50 } = {}) {
  return vi.waitUntil(probe, { timeout: timeoutMs, interval: intervalMs, message: `waiting ${timeoutMs} ms for ${what}` });
}
