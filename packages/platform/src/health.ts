import type { Request, Response } from 'express';
import { withTimeout } from './timeout.ts';

/** A readiness probe: resolves when the dependency answers, rejects otherwise. */
export type ReadinessCheck = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 2000;

/**
 * `/health/ready`: 200 when every required dependency answers, 503 naming those that do not.
 * `optional` dependencies are reported (`degraded: …`) but keep the process ready: it still serves
 * without them (the outbox holds events while NATS is down, the cache falls back to Postgres), and
 * taking every replica out of the load balancer would turn a partial outage into a full one.
 */
export function readinessHandler(
  checks: Record<string, ReadinessCheck>,
  isShuttingDown: () => boolean,
  optional: Record<string, ReadinessCheck> = {},
) {
  return async (_req: Request, res: Response) => {
    if (isShuttingDown()) {
      res.status(503).json({ status: 'shutting-down' });
      return;
    }
    const run = (all: Record<string, ReadinessCheck>, failed: string) =>
      Promise.all(
        Object.entries(all).map(async ([name, check]) => {
          try {
            await withTimeout(check(), CHECK_TIMEOUT_MS);
            return [name, 'ok'] as const;
          } catch (error) {
            return [name, `${failed}: ${(error as Error).message}`] as const;
          }
        }),
      );
    const [required, extra] = await Promise.all([run(checks, 'down'), run(optional, 'degraded')]);
    const ready = required.every(([, state]) => state === 'ok');
    const degraded = extra.some(([, state]) => state !== 'ok');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? (degraded ? 'degraded' : 'ready') : 'not-ready', checks: Object.fromEntries([...required, ...extra]) });
  };
}
