import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getFreePort, startNats, startPostgres, startRedis, ensureDatabases, type RunningRedis } from '../stack/index.ts';

export interface TestServers {
  dir: string;
  postgresUrl: (database: string) => string;
  redisUrl: string;
  natsUrl: string;
  redis: RunningRedis;
  stop: () => Promise<void>;
}

/**
 * Real Postgres, Redis and NATS for a test run: free ports, a fresh temporary directory (never the
 * dev data under .data/), everything stopped and removed by stop().
 */
export async function startTestServers({ databases = [] as string[] } = {}): Promise<TestServers> {
  const dir = mkdtempSync(join(tmpdir(), 'shop-test-'));
  // Postgres runs as the `postgres` user when we are root: it must be able to enter this directory.
  chmodSync(dir, 0o755);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const [pgPort, redisPort, natsPort] = [await getFreePort(), await getFreePort(), await getFreePort()];
    const [postgres, redis, nats] = await Promise.all([
      startPostgres({ dataDir: join(dir, 'postgres'), port: pgPort, logFile: join(dir, 'postgres.log'), ephemeral: true }).then((s) => {
        stops.push(s.stop);
        return s;
      }),
      startRedis({ dataDir: join(dir, 'redis'), port: redisPort, logFile: join(dir, 'redis.log'), ephemeral: true }).then((s) => {
        stops.push(s.stop);
        return s;
      }),
      startNats({ dataDir: join(dir, 'nats'), port: natsPort, logFile: join(dir, 'nats.log') }).then((s) => {
        stops.push(s.stop);
        return s;
      }),
    ]);
    await ensureDatabases(postgres.url('postgres'), databases);
    return { dir, postgresUrl: postgres.url, redisUrl: redis.url, natsUrl: nats.url, redis, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
